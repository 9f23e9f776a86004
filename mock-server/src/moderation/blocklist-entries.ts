import { MODERATION_LIMITS } from '@chat/protocol';
import { ChatError } from '../kernel/errors';
import type { BlocklistKind } from '../store/schema';
import { compileRegex } from './blocklist-matcher';
import { fold } from './fold-text';
import { foldDomain } from './hosts';
import { tokenize } from './word-index';

const DOMAIN =
  /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?)+$/u;
const EMAIL = /^[\p{L}\p{N}._%+-]{1,64}@[^@\s]+$/u;

/** What is wrong with one entry of a list of `kind`, or null; `value` is what is stored. */
function check(kind: BlocklistKind, raw: string): { value: string } | { problem: string } {
  const value = raw.trim();
  if (kind === 'regex') {
    if (value.length > MODERATION_LIMITS.BLOCKLIST_REGEX_LENGTH)
      return { problem: `At most ${MODERATION_LIMITS.BLOCKLIST_REGEX_LENGTH} characters` };
    try {
      compileRegex(value);
    } catch (error) {
      // RE2 syntax: no backreferences or lookaround, which is what keeps matching linear.
      return { problem: `Not a valid RE2 pattern: ${(error as Error).message}`.slice(0, 300) };
    }
    return { value };
  }
  if (value.length > MODERATION_LIMITS.BLOCKLIST_ENTRY_LENGTH)
    return { problem: `At most ${MODERATION_LIMITS.BLOCKLIST_ENTRY_LENGTH} characters` };
  if (kind === 'domain') {
    const domain = foldDomain(value);
    return DOMAIN.test(domain) && domain.length <= 253
      ? { value: domain }
      : { problem: 'Must be a domain name such as example.com' };
  }
  if (kind === 'email') {
    const address = fold(value);
    const at = address.indexOf('@');
    return EMAIL.test(address) && DOMAIN.test(address.slice(at + 1))
      ? { value: address }
      : { problem: 'Must be an email address such as name@example.com' };
  }
  const words = tokenize(fold(value)).length;
  if (words === 0) return { problem: 'Must contain a letter or a digit' };
  if (kind === 'phrase' && words < 2) return { problem: 'A phrase has two words or more: use a word list' };
  return { value };
}

/**
 * The entries to store for a list of `kind`: trimmed, domains and emails folded (so `EVIL.com`
 * and `evil.com` are one entry), each once. Any bad entry refuses the whole request, naming it
 * at `[field, index]`.
 */
export function checkEntries(kind: BlocklistKind, entries: readonly string[], field: string): string[] {
  const values = new Set<string>();
  const issues: Array<{ path: (string | number)[]; message: string }> = [];
  entries.forEach((raw, index) => {
    const result = check(kind, raw);
    if ('problem' in result) {
      if (issues.length < 20) issues.push({ path: [field, index], message: result.problem });
    } else values.add(result.value);
  });
  if (issues.length > 0) {
    throw new ChatError('validation_failed', issues[0]!.message, { issues });
  }
  return [...values];
}

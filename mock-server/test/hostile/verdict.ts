import { isDeepStrictEqual } from 'node:util';
import { errorResponse } from '@chat/protocol';
import { changedTables, type Digest } from './state-digest';

/**
 * What a user would notice about the answer to one hostile input, collected as problems. A case
 * fails on any problem.
 */
export class Verdict {
  private readonly problems: string[] = [];

  fail(message: string): void {
    this.problems.push(message);
  }

  /** Throws the problems, one per line. */
  settle(context: string): void {
    if (this.problems.length > 0) {
      throw new Error(`${context}\n${this.problems.map((p) => `  - ${p}`).join('\n')}`);
    }
  }

  /** A refusal in the one error shape, with the status it announces and no stack trace. */
  errorShape(status: number, text: string, json: unknown): void {
    if (/\n\s+at |\\n\s+at |"stack"/.test(text)) this.fail(`the answer carries a stack trace: ${clip(text)}`);
    const parsed = errorResponse.strict().safeParse(json);
    if (!parsed.success) {
      this.fail(`a ${status} not in the one error shape: ${clip(text)}`);
      return;
    }
    if (parsed.data.error.status !== status) {
      this.fail(`answered ${status} with an error body saying ${parsed.data.error.status}`);
    }
  }

  /** Nothing of another tenant or of a channel the caller cannot read. */
  noSecrets(what: string, text: string, secrets: readonly string[]): void {
    const leaked = secrets.filter((secret) => text.includes(secret));
    if (leaked.length > 0) this.fail(`${what} shows data the caller may not read: ${clip(text)}`);
  }

  /** A refused input wrote nothing. `allowed` tables may change by design (see the caller). */
  unchanged(before: Digest, after: Digest, allowed: readonly string[] = []): void {
    const changed = changedTables(before, after).filter((table) => !allowed.includes(table));
    if (changed.length > 0) this.fail(`refused, yet the application's rows changed in ${changed.join(', ')}`);
  }

  logs(problems: string[]): void {
    for (const problem of problems) this.fail(problem);
  }

  /** Accepted text is stored and returned exactly as sent. */
  echoed(field: string, sent: unknown, returned: unknown): void {
    if (isDeepStrictEqual(normalize(sent), normalize(returned))) return;
    this.fail(`${field} was accepted but came back changed: sent ${show(sent)}, got ${show(returned)}`);
  }
}

/** JSON as stored: key order is not kept by jsonb, and -0 is written as 0. */
function normalize(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null));
}

export const clip = (text: string, max = 400) =>
  text.length > max ? `${text.slice(0, max)}…(${text.length})` : text;
const show = (value: unknown) => clip(JSON.stringify(value) ?? String(value), 200);

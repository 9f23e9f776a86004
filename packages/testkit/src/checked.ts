import type { z } from 'zod';

/**
 * The kit produced something the protocol's schemas refuse: a bug in the kit (or a fixture the
 * protocol cannot carry), never the app's fault. It names the schema's complaint and the value.
 */
export class TestkitProtocolError extends Error {
  constructor(
    what: string,
    readonly issues: readonly { path: PropertyKey[]; message: string }[],
    readonly value: unknown,
  ) {
    const list = issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
    super(`@chat/testkit produced an invalid ${what}: ${list}`);
    this.name = 'TestkitProtocolError';
  }
}

/**
 * Returns `value` as `schema` parses it, or throws `TestkitProtocolError`. Everything the kit
 * sends goes through here, so a kit that drifts from the protocol fails the test that saw it.
 */
export function checked<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new TestkitProtocolError(what, result.error.issues, value);
  return result.data;
}

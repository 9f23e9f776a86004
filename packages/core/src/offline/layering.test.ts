import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The offline layer depends on small interfaces (`SyncedChannel`, `ChannelSync`), never on the
 * channel handle or the client: no import cycle runs through it (channel → writes → offline →
 * channel was one).
 */
describe('the offline layer', () => {
  it('imports neither the Channel class, its writes, nor the client', () => {
    const dir = import.meta.dirname;
    const offenders = readdirSync(dir)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .flatMap((file) =>
        [
          ...readFileSync(join(dir, file), 'utf8').matchAll(
            /from '(\.\.\/(?:channel|channel-writes|channels|client))'/g,
          ),
        ].map((match) => `${file} imports ${match[1]}`),
      );
    expect(offenders).toEqual([]);
  });
});

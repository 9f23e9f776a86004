// @vitest-environment node
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PUBLIC_API = [
  'ChatProvider',
  'useChannel',
  'useChannelMute',
  'useChannels',
  'useChat',
  'useConnectionState',
  'useMessages',
  'usePresence',
  'usePushPreferences',
  'useStore',
  'useThread',
  'useTyping',
  'useUnreadCount',
];

/** Browser globals an SSR or React Native host lacks: importing must read none of them. */
const BROWSER_GLOBALS = ['window', 'document', 'navigator', 'location', 'self', 'localStorage', 'indexedDB'];

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('importing @chat/react', () => {
  it('exports exactly the public API from the source entry', async () => {
    const entry = await import('./index');
    expect(Object.keys(entry).sort()).toEqual(PUBLIC_API);
  });

  it('reads no browser global: the built package imports in a fresh Node whose browser globals throw', () => {
    // A fresh process: modules this test run already loaded cannot hide an import-time read.
    expect(
      existsSync(`${packageDir}dist/index.js`),
      'build first: npx turbo run build --filter=@chat/react',
    ).toBe(true);
    const script = `
      for (const name of ${JSON.stringify(BROWSER_GLOBALS)}) {
        Object.defineProperty(globalThis, name, {
          configurable: true,
          get() { throw new Error('read ' + name + ' at import'); },
        });
      }
      const entry = await import('@chat/react');
      console.log(Object.keys(entry).sort().join(','));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '--eval', script], {
      cwd: packageDir,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(PUBLIC_API.join(','));
  });
});

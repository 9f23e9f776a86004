import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, createChatServer } from '../src/startup/server';
import { getTestStore } from './harness';

let server: ChatServer;
/** An inline bootstrap script of the kind some builds (Angular's) put in index.html. */
const BOOT = '<script>document.title = "booted"</script>';
const root = mkdtempSync(join(tmpdir(), 'chat-web-root-'));

beforeAll(async () => {
  writeFileSync(
    join(root, 'index.html'),
    `<!doctype html><title>chat</title>${BOOT}<script src="app.js"></script>`,
  );
  writeFileSync(join(root, 'app.js'), 'console.log(1)');
  server = await createChatServer({
    store: await getTestStore(),
    port: 0,
    seedDemo: false,
    logLevel: 'silent',
    webRoot: root,
  });
});

afterAll(() => server?.close());

const get = (path: string) => fetch(`${server.url}${path}`);

describe('serving a web app from the same origin (webRoot)', () => {
  it('serves its files and index.html at /', async () => {
    expect(await (await get('/')).text()).toContain('<title>chat</title>');
    const script = await get('/app.js');
    expect(script.headers.get('content-type')).toMatch(/javascript/);
  });

  it("answers the app's own page paths with index.html, so they survive a reload", async () => {
    const page = await get('/channels/team/general');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>chat</title>');
  });

  it('keeps API, missing files and traversal as JSON 404s', async () => {
    for (const path of ['/v1/nothing-here', '/missing.js', '/..%2f..%2fpackage.json', '/../package.json']) {
      const reply = await get(path);
      expect(reply.status, path).toBe(404);
      expect(((await reply.json()) as any).error.code, path).toBe('not_found');
    }
    expect((await get('/v1/openapi.json')).status).toBe(200);
    // A traversal that looks like a page path gets the app's page, never the file.
    expect(await (await get('/..%2f..%2fetc%2fpasswd')).text()).toContain('<title>chat</title>');
  });

  it("allows the page's own inline scripts by hash, and no other inline script", async () => {
    const csp = (await get('/')).headers.get('content-security-policy') ?? '';
    const hash = createHash('sha256').update('document.title = "booted"').digest('base64');
    expect(csp).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('refuses to start on a web root without index.html', async () => {
    await expect(
      createChatServer({
        store: await getTestStore(),
        port: 0,
        seedDemo: false,
        logLevel: 'silent',
        webRoot: tmpdir(),
      }),
    ).rejects.toThrow(/no index.html/);
  });
});

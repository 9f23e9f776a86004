import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineScriptsOf } from '../src/http/security-headers';
import { getTestServer } from './api';

/**
 * The documentation pages: `/v1/docs` (the OpenAPI document through Redoc) and
 * `/v1/docs/socket` (the AsyncAPI document through the AsyncAPI component), served from the
 * packages' own files with a content security policy of their own; and, in Debian's Chromium,
 * both pages render the operations and messages of their documents with no console error and no
 * request to another origin (the server works offline).
 */

const require = createRequire(import.meta.url);
let base: string;

beforeAll(async () => {
  base = (await getTestServer()).url;
});

/** The files of the packages the pages load, and what the server changes in them. */
const ASSETS: Record<string, { file: string; replace?: [string, string] }> = {
  // Redoc's one outside URL (the logo of its "API docs by Redocly" link) becomes an empty image.
  'redoc.standalone.js': {
    file: 'redoc/bundles/redoc.standalone.js',
    replace: ['https://cdn.redoc.ly/redoc/logo-mini.svg', 'data:,'],
  },
  'asyncapi.standalone.js': { file: '@asyncapi/react-component/browser/standalone/index.js' },
  'asyncapi.css': { file: '@asyncapi/react-component/styles/default.min.css' },
};

describe('the documentation pages over HTTP', () => {
  it('are HTML pages with no inline script, loading their viewer from this origin', async () => {
    for (const [path, scripts] of [
      ['/v1/docs', ['redoc.standalone.js', 'rest.js']],
      ['/v1/docs/socket', ['asyncapi.standalone.js', 'socket.js']],
    ] as const) {
      const reply = await fetch(`${base}${path}`);
      expect(reply.status, path).toBe(200);
      expect(reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await reply.text();
      expect(inlineScriptsOf(html)).toEqual([]);
      for (const script of scripts)
        expect(html).toContain(`<script src="/v1/docs/assets/${script}"></script>`);
      // No CDN: every URL the page names is on this origin.
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
  });

  it('serve the bundles as the packages ship them, gzipped when accepted, 304 when unchanged', async () => {
    for (const [name, { file, replace }] of Object.entries(ASSETS)) {
      const url = `${base}/v1/docs/assets/${name}`;
      let expected = readFileSync(require.resolve(file));
      if (replace) {
        const text = expected.toString('utf8');
        expect(text, `${file} no longer has ${replace[0]}`).toContain(replace[0]);
        expected = Buffer.from(text.replaceAll(replace[0], replace[1]));
      }
      const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
      expect(plain.status, name).toBe(200);
      expect(plain.headers.get('content-type')).toMatch(
        name.endsWith('.css') ? /^text\/css/ : /^text\/javascript/,
      );
      const body = Buffer.from(await plain.arrayBuffer());
      expect(body.equals(expected), name).toBe(true);
      expect(body.toString('utf8')).not.toContain('cdn.redoc.ly');

      // fetch() would decompress by itself: read the raw bytes through node:http instead.
      const { request } = await import('node:http');
      const gzipped = await new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
        request(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }),
          );
        })
          .on('error', reject)
          .end();
      });
      expect(gzipped.encoding).toBe('gzip');
      expect(gunzipSync(gzipped.body).equals(expected)).toBe(true);
      expect(gzipped.body.length).toBeLessThan(expected.length / 2);

      const etag = plain.headers.get('etag')!;
      expect(etag).toMatch(/^".+"$/);
      expect((await fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(304);
    }
  });

  it('serve nothing but the files the pages load', async () => {
    for (const name of ['package.json', '..%2F..%2Fpackage.json', 'redoc.standalone.js.map', 'toString']) {
      const reply = await fetch(`${base}/v1/docs/assets/${name}`);
      expect(reply.status, name).toBe(404);
      expect(((await reply.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });

  it('have a policy of their own, each only what its viewer needs; the rest keeps the strict one', async () => {
    const policies = {
      '/v1/docs': { script: "script-src 'self';", worker: "worker-src 'self' blob:" },
      '/v1/docs/socket': { script: "script-src 'self' 'unsafe-eval';", worker: "worker-src 'self'" },
    };
    for (const [path, expected] of Object.entries(policies)) {
      const reply = await fetch(`${base}${path}`);
      const csp = `${reply.headers.get('content-security-policy') ?? ''};`;
      expect(csp, path).toContain("default-src 'self';");
      expect(csp).toContain(expected.script);
      expect(csp).toContain(`${expected.worker};`);
      expect(csp).toContain("connect-src 'self';");
      expect(csp).toContain("style-src 'self' 'unsafe-inline';");
      expect(csp).toContain("frame-ancestors 'self';");
      expect(csp).toContain("object-src 'none';");
      expect(csp).toContain("script-src-attr 'none';");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(csp).not.toContain('https:');
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    }
    for (const path of ['/v1/openapi.json', '/healthz', '/v1/no-such-route', '/v1/docs/assets/rest.js']) {
      const csp = (await fetch(`${base}${path}`)).headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self';");
      expect(csp).not.toContain('unsafe-eval');
      expect(csp).not.toContain('worker-src');
    }
  });
});

/** Where Debian's Chromium lives; `.ci/run` installs it. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run installs it`);
  console.warn(
    `Documentation pages browser check skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`,
  );
  return false;
}

describe.runIf(browserAvailable())('the documentation pages in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens `path`; returns the page and what went wrong in it (errors, requests elsewhere). */
  async function open(path: string) {
    // Wide enough for both viewers to show their sidebars.
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) =>
      problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`),
    );
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:'))
        problems.push(`request to another origin: ${url}`);
    });
    await page.goto(`${base}${path}`);
    return { context, page, problems };
  }

  it('/v1/docs renders the REST operations', { timeout: 60_000 }, async () => {
    const { context, page, problems } = await open('/v1/docs');
    try {
      await page.getByRole('heading', { name: /^Chat REST API \(/ }).waitFor({ timeout: 30_000 });
      for (const summary of [
        'Send a message (idempotent by client_msg_id)',
        'Log in with username and password',
      ]) {
        await page.getByRole('heading', { name: summary }).waitFor({ timeout: 15_000 });
      }
      // Every operation of the document has its section, and the sidebar lists the tags.
      expect(await page.locator('[data-section-id^="operation/"]').count()).toBeGreaterThan(40);
      await page.getByRole('menuitem', { name: 'Messages' }).first().waitFor();
      // The page links to the other one.
      expect(await page.locator('a[href="/v1/docs/socket"]').count()).toBeGreaterThan(0);
      await page.waitForTimeout(500);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  // The component parses and validates the document in the browser: about 10 s on a 2-core machine.
  it('/v1/docs/socket renders the WebSocket operations and messages', { timeout: 120_000 }, async () => {
    const { context, page, problems } = await open('/v1/docs/socket');
    try {
      // Rendered only once the component has fetched, parsed and validated the document.
      await page
        .getByRole('heading', { name: /^Chat WebSocket protocol / })
        .first()
        .waitFor({ timeout: 30_000 });
      for (const operation of ['sendAuth', 'sendMessageSend', 'receiveMessageNew', 'receiveConnectionOk']) {
        await page.getByText(operation, { exact: true }).first().waitFor({ timeout: 15_000 });
      }
      // The loading note is gone once the component rendered.
      expect(await page.locator('#loading').isVisible()).toBe(false);
      for (const message of ['message.send', 'message.new']) {
        expect(await page.getByText(message, { exact: true }).count(), message).toBeGreaterThan(0);
      }
      await page.waitForTimeout(500);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

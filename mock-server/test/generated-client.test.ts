import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openApiToTypeScript } from '@chat/openapi-typegen';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, newTestApp } from './api';

/**
 * A client generated from the served OpenAPI document compiles and works: openapi-typescript
 * turns `/v1/openapi.json` of a running server into types, the repository's TypeScript compiles
 * `generated-client/send-message.ts` (openapi-fetch over those types) against them, a call the
 * document forbids does not compile, and the same code then registers, creates a channel, sends a
 * message and reads it back from that server.
 */

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const script = join(here, 'generated-client/send-message.ts');

/**
 * What the test needs of the script at run time. It is loaded by a dynamic import: a static one
 * would pull it into the package's own `tsc`, where its generated `chat-api` types do not exist.
 */
interface Script {
  sendAndReadBack(options: {
    baseUrl: string;
    apiKey: string;
    username: string;
    channelId: string;
    text: string;
  }): Promise<{
    userId: string;
    sent: { id: string; text: string };
    messages: { id: string; text: string; user_id: string }[];
  }>;
}

/** Calls the document does not allow: each must fail to compile, naming what is wrong. */
const WRONG_CALLS: Record<string, { source: string; error: RegExp }> = {
  'missing-body-field.ts': {
    // `client_msg_id` is required: a message without it does not compile.
    source: `void client.POST('/v1/channels/{type}/{id}/messages', {
  params: { path: { type: 'messaging', id: 'general' } },
  body: { text: 'hello' },
});`,
    error: /Property 'client_msg_id' is missing/,
  },
  'unknown-path.ts': {
    source: `void client.GET('/v1/no-such-route', {});`,
    error: /no-such-route/,
  },
  'wrong-channel-type.ts': {
    source: `void client.GET('/v1/channels/{type}/{id}/messages', {
  params: { path: { type: 'no-such-type', id: 'general' } },
});`,
    error: /no-such-type/,
  },
};

let dir: string;
let generated: string;

beforeAll(async () => {
  const server = await getTestServer();
  const response = await fetch(`${server.url}/v1/openapi.json`);
  expect(response.status).toBe(200);
  generated = await openApiToTypeScript((await response.json()) as object);
  // Inside the package's node_modules (ignored by git and Biome), so that `openapi-fetch`
  // resolves from the copies as it does from the original.
  const cache = join(packageDir, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  dir = mkdtempSync(join(cache, 'generated-client-'));
  writeFileSync(join(dir, 'chat-api.d.ts'), generated);
  copyFileSync(script, join(dir, 'send-message.ts'));
  for (const [file, wrong] of Object.entries(WRONG_CALLS)) {
    writeFileSync(
      join(dir, file),
      `import createClient from 'openapi-fetch';\nimport type { paths } from './chat-api';\n\n` +
        `const client = createClient<paths>({ baseUrl: 'http://127.0.0.1' });\n${wrong.source}\n`,
    );
  }
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The compiler's errors per file, with the server's own compiler options (tsconfig.json). */
function compile(files: string[]): Map<string, string[]> {
  const config = ts.readConfigFile(join(packageDir, 'tsconfig.json'), ts.sys.readFile);
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, packageDir);
  const program = ts.createProgram(files, { ...options, noEmit: true });
  const errors = new Map<string, string[]>();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file ? relative(dir, diagnostic.file.fileName) : '(global)';
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    errors.set(file, [...(errors.get(file) ?? []), message]);
  }
  return errors;
}

describe('a client generated from /v1/openapi.json', () => {
  it('has the operations of the document as typed paths', () => {
    expect(generated).toContain('export interface paths');
    expect(generated).toContain('"/v1/channels/{type}/{id}/messages"');
    expect(generated).toMatch(/sendMessage: \{/);
    expect(generated).toContain('SendMessageBody');
  });

  it('compiles the typed script, and refuses calls the document does not allow', { timeout: 60_000 }, () => {
    const files = ['send-message.ts', ...Object.keys(WRONG_CALLS)];
    const errors = compile(files.map((file) => join(dir, file)));
    // The script and the generated types compile with no error at all.
    expect(errors.get('send-message.ts') ?? []).toEqual([]);
    expect(errors.get('chat-api.d.ts') ?? []).toEqual([]);
    expect(errors.get('(global)') ?? []).toEqual([]);
    for (const [file, wrong] of Object.entries(WRONG_CALLS)) {
      const messages = errors.get(file) ?? [];
      expect(messages.length, `${file} compiled, but the document does not allow it`).toBeGreaterThan(0);
      expect(messages.join('\n'), file).toMatch(wrong.error);
    }
  });

  it('registers, creates a channel, sends a message and reads it back from the server', async () => {
    const server = await getTestServer();
    // An application that lets users sign themselves up (the default is closed).
    const t = await newTestApp({ allow_registration: true });
    const text = `Hello from a generated client ${crypto.randomUUID()}`;
    const { sendAndReadBack } = (await import(/* @vite-ignore */ pathToFileURL(script).href)) as Script;
    const result = await sendAndReadBack({
      baseUrl: server.url,
      apiKey: t.app.api_key,
      username: 'generated-client',
      channelId: 'generated-client',
      text,
    });
    expect(result.userId).toBe('generated-client');
    expect(result.sent.text).toBe(text);
    const readBack = result.messages.find((m) => m.id === result.sent.id);
    expect(readBack, 'the sent message is in the channel').toBeDefined();
    expect(readBack?.text).toBe(text);
    expect(readBack?.user_id).toBe('generated-client');
  });
});

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createUserToken, verifyToken } from '../src/domain/auth/index';
import { lockDataDir } from '../src/store/data-dir-lock';
import { openStore } from '../src/store/database';
import { Api, clientId } from './api';
import { testDatabase } from './harness';
import { crash, type ServerNode, startNode, stopNodes } from './multi-node-cluster';

/**
 * One PGlite data directory, several real processes (the built `chat-server`): a second server
 * is refused with the holder's pid and the first loses nothing; `create-app` and `token` while
 * the server runs go through its admin path, so what they print exists for that server; a server
 * killed outright leaves a lock the next one takes over at once.
 */

// The processes bring their own PGlite data directory: one project is enough.
const runs = testDatabase === 'pglite';
if (!runs) console.info('data directory lock suite runs in the pglite project');

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const SLOW = 120_000;

const dirs: string[] = [];
const nodes: ServerNode[] = [];

afterEach(async () => {
  await stopNodes(nodes.splice(0));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chat-data-'));
  dirs.push(dir);
  return dir;
}

function env(dataDir: string): Record<string, string> {
  return {
    CHAT_DATA_DIR: dataDir,
    DATABASE_URL: '',
    CHAT_DATABASE_SCHEMA: '',
    REDIS_URL: '',
    CHAT_SEED_DEMO: '0',
    LOG_LEVEL: 'warn',
  };
}

async function startServer(dataDir: string, timeoutMs?: number): Promise<ServerNode> {
  const node = await startNode(`server-${nodes.length + 1}`, env(dataDir), timeoutMs);
  nodes.push(node);
  return node;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `chat-server ARGS` to its end (a server that starts listening is stopped and reported). */
function runCli(dataDir: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env(dataDir) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chat-server ${args.join(' ')} did not end within 60 s:\n${stdout}${stderr}`));
    }, 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('listening on')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface CreatedApp {
  id: string;
  name: string;
  api_key: string;
  api_secret: string;
}

async function createAppWithCli(dataDir: string, name: string): Promise<CreatedApp> {
  const run = await runCli(dataDir, ['create-app', '--name', name]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout.slice(0, run.stdout.lastIndexOf('}') + 1)) as CreatedApp;
}

async function userApi(server: ServerNode, app: CreatedApp, userId: string): Promise<Api> {
  return new Api(server.url, app.api_key, await createUserToken(app.api_secret, userId));
}

async function openChannel(api: Api, id: string): Promise<string> {
  const reply = await api.post('/v1/channels', { type: 'messaging', id, members: ['alice'] });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return `/v1/channels/messaging/${id}`;
}

/** Sends each text and returns it once the server acknowledged it (201: stored). */
async function sendAll(api: Api, channel: string, texts: string[]): Promise<void> {
  for (const text of texts) {
    const reply = await api.post(`${channel}/messages`, { client_msg_id: clientId(), text });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  }
}

async function storedTexts(api: Api, channel: string): Promise<string[]> {
  const reply = await api.get(`${channel}/messages?limit=100`);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return (reply.body.messages as { text: string }[]).map((message) => message.text);
}

const texts = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix} ${i + 1}`);

describe.skipIf(!runs)('one process per PGlite data directory', () => {
  it(
    'refuses a second server on a live data directory, naming the holder, and the first loses nothing',
    async () => {
      const dataDir = tempDataDir();
      const app = await createAppWithCli(dataDir, 'Two servers');
      const first = await startServer(dataDir);
      const alice = await userApi(first, app, 'alice');
      const channel = await openChannel(alice, 'two-servers');
      await sendAll(alice, channel, texts('before', 5));

      const second = await runCli(dataDir, ['start']);
      expect(second.stdout).not.toContain('listening on');
      expect(second.code).not.toBe(0);
      expect(second.stderr).toContain(
        `the data directory ${dataDir} is in use by process ${first.child.pid} on host`,
      );
      expect(second.stderr).toContain(`chat-server listening on ${first.url}`);

      await sendAll(alice, channel, texts('after', 5));
      await stopNodes(nodes.splice(0));
      const restarted = await startServer(dataDir);
      expect(await storedTexts(await userApi(restarted, app, 'alice'), channel)).toEqual([
        ...texts('before', 5),
        ...texts('after', 5),
      ]);
    },
    SLOW,
  );

  it(
    'runs create-app and token through the running server, whose app and tokens then work',
    async () => {
      const dataDir = tempDataDir();
      const server = await startServer(dataDir);

      const app = await createAppWithCli(dataDir, 'Made while running');
      expect(app.name).toBe('Made while running');
      const userToken = await runCli(dataDir, ['token', '--api-key', app.api_key, '--user', 'alice']);
      expect(userToken.code, userToken.stderr).toBe(0);
      const alice = new Api(server.url, app.api_key, userToken.stdout.trim());
      const channel = await openChannel(alice, 'made-while-running');
      await sendAll(alice, channel, ['hello']);
      expect(await storedTexts(alice, channel)).toEqual(['hello']);

      const serverToken = await runCli(dataDir, ['token', '--api-key', app.api_key, '--server']);
      expect(serverToken.code, serverToken.stderr).toBe(0);
      expect(await verifyToken(app.api_secret, serverToken.stdout.trim())).toMatchObject({ server: true });

      const unknown = await runCli(dataDir, ['token', '--api-key', 'no-such-key', '--server']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('No application has this api key');
    },
    SLOW,
  );

  it(
    'bootstraps the portal from the command line: create-customer, then create-app --team, while the server runs',
    async () => {
      const dataDir = tempDataDir();
      const server = await startServer(dataDir);
      const made = await runCli(dataDir, [
        'create-customer',
        '--email',
        'Founder@Example.com',
        '--password',
        'a long passphrase',
        '--team',
        'Founders',
      ]);
      expect(made.code, made.stderr).toBe(0);
      const customer = JSON.parse(made.stdout.slice(0, made.stdout.lastIndexOf('}') + 1));
      expect(customer).toMatchObject({ email: 'founder@example.com', team: 'Founders' });
      const app = await runCli(dataDir, ['create-app', '--name', 'Owned', '--team', customer.team_id]);
      expect(app.code, app.stderr).toBe(0);

      const login = await fetch(`${server.url}/portal/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'founder@example.com', password: 'a long passphrase' }),
      });
      expect(login.status).toBe(200);
      const { access_token } = (await login.json()) as { access_token: string };
      const apps = await fetch(`${server.url}/portal/v1/teams/${customer.team_id}/apps`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      const { applications } = (await apps.json()) as { applications: { name: string; status: string }[] };
      expect(applications).toEqual([expect.objectContaining({ name: 'Owned', status: 'active' })]);

      // Refused, saying why, and nothing made: a taken email, a short password, an unknown team.
      const again = await runCli(dataDir, [
        'create-customer',
        '--email',
        'founder@example.com',
        '--password',
        'x'.repeat(12),
      ]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('A customer with this email exists');
      const short = await runCli(dataDir, [
        'create-customer',
        '--email',
        'new@example.com',
        '--password',
        'short',
      ]);
      expect(short.code).toBe(1);
      expect(short.stderr).toContain('password');
      const orphan = await runCli(dataDir, [
        'create-app',
        '--name',
        'Orphan',
        '--team',
        '00000000-0000-4000-8000-000000000000',
      ]);
      expect(orphan.code).toBe(1);
      expect(orphan.stderr).toContain('No team has this id');
    },
    SLOW,
  );

  it(
    'starts a new server at once after the last one was killed outright, with every acknowledged message',
    async () => {
      const dataDir = tempDataDir();
      const first = await startServer(dataDir);
      const app = await createAppWithCli(dataDir, 'Killed');
      const alice = await userApi(first, app, 'alice');
      const channel = await openChannel(alice, 'killed');
      await sendAll(alice, channel, texts('acknowledged', 20));
      await crash(first);
      nodes.splice(0);

      // Far sooner than the 60 s after which a lock nobody refreshes counts as abandoned.
      const next = await startServer(dataDir, 20_000);
      expect(await storedTexts(await userApi(next, app, 'alice'), channel)).toEqual(
        texts('acknowledged', 20),
      );
      const owner = JSON.parse(readFileSync(join(dataDir, 'chat-server.lock.json'), 'utf8'));
      expect(owner).toMatchObject({ pid: next.child.pid, url: next.url });
    },
    SLOW,
  );

  it(
    'runs create-app on the data directory itself when no server holds it',
    async () => {
      const dataDir = tempDataDir();
      const app = await createAppWithCli(dataDir, 'Made while stopped');
      expect(existsSync(join(dataDir, 'chat-server.lock'))).toBe(false);
      const server = await startServer(dataDir);
      const alice = await userApi(server, app, 'alice');
      await openChannel(alice, 'made-while-stopped');
    },
    SLOW,
  );

  it(
    'refuses create-app on a data directory held by a process with no admin path, naming it',
    async () => {
      const dataDir = tempDataDir();
      const lock = await lockDataDir(dataDir);
      let run: Run;
      try {
        run = await runCli(dataDir, ['create-app', '--name', 'Refused']);
      } finally {
        await lock.release();
      }
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`is in use by process ${process.pid}`);
      expect(run.stderr).toContain('it has no admin path');

      const store = await openStore({ dataDir });
      try {
        const apps = await store.db.selectFrom('applications').select('name').execute();
        expect(apps.map((row) => row.name)).not.toContain('Refused');
      } finally {
        await store.close();
      }
    },
    SLOW,
  );

  it(
    'answers the admin path only with its token, refuses bad bodies, and changes nothing then',
    async () => {
      const dataDir = tempDataDir();
      const server = await startServer(dataDir);
      const adminPath = join(dataDir, 'admin.json');
      expect(statSync(adminPath).mode & 0o777).toBe(0o600);
      const admin = JSON.parse(readFileSync(adminPath, 'utf8'));
      expect(admin).toMatchObject({ url: server.url, pid: server.child.pid });

      const post = async (path: string, body: unknown, token?: string) => {
        const response = await fetch(server.url + path, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token !== undefined && { authorization: `Bearer ${token}` }),
          },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        });
        return { status: response.status, body: (await response.json()) as any };
      };
      const expectError = (reply: { status: number; body: any }, status: number, code: string) => {
        expect(reply.status, JSON.stringify(reply.body)).toBe(status);
        expect(reply.body.error).toMatchObject({ code, status });
        expect(typeof reply.body.error.retryable).toBe('boolean');
      };

      expectError(await post('/admin/v1/apps', { name: 'refused 1' }), 401, 'unauthenticated');
      expectError(await post('/admin/v1/apps', { name: 'refused 2' }, 'wrong'), 401, 'unauthenticated');
      expectError(
        await post('/admin/v1/apps', { name: 'refused 3' }, `${admin.token}x`),
        401,
        'unauthenticated',
      );
      expectError(
        await post('/admin/v1/tokens', { api_key: 'x', server: true }, 'wrong'),
        401,
        'unauthenticated',
      );
      expectError(await post('/admin/v1/apps', {}, admin.token), 400, 'validation_failed');
      expectError(await post('/admin/v1/apps', { name: '  ' }, admin.token), 400, 'validation_failed');
      expectError(
        await post('/admin/v1/apps', { name: 'refused 4', extra: 1 }, admin.token),
        400,
        'validation_failed',
      );
      expectError(await post('/admin/v1/apps', '{"name":', admin.token), 400, 'validation_failed');

      const made = await post('/admin/v1/apps', { name: 'accepted' }, admin.token);
      expect(made.status).toBe(201);
      const apiKey = made.body.api_key as string;
      expectError(await post('/admin/v1/tokens', { api_key: apiKey }, admin.token), 400, 'validation_failed');
      expectError(
        await post('/admin/v1/tokens', { api_key: apiKey, user_id: 'alice', server: true }, admin.token),
        400,
        'validation_failed',
      );
      expectError(
        await post('/admin/v1/tokens', { api_key: apiKey, server: true, expires_in: 'forever' }, admin.token),
        400,
        'validation_failed',
      );
      // Longer than the server accepts (a day by default): it would be refused when used.
      expectError(
        await post('/admin/v1/tokens', { api_key: apiKey, user_id: 'alice', expires_in: '30d' }, admin.token),
        400,
        'validation_failed',
      );
      expectError(
        await post('/admin/v1/tokens', { api_key: 'no-such-key', server: true }, admin.token),
        404,
        'not_found',
      );
      const minted = await post('/admin/v1/tokens', { api_key: apiKey, user_id: 'alice' }, admin.token);
      expect(minted.status).toBe(200);
      expect(await verifyToken(made.body.api_secret, minted.body.token)).toMatchObject({ userId: 'alice' });

      await stopNodes(nodes.splice(0));
      expect(existsSync(adminPath)).toBe(false);
      expect(existsSync(join(dataDir, 'chat-server.lock'))).toBe(false);
      const store = await openStore({ dataDir });
      try {
        const apps = await store.db.selectFrom('applications').select('name').execute();
        expect(apps.map((row) => row.name)).toEqual(['accepted']);
      } finally {
        await store.close();
      }
    },
    SLOW,
  );
});

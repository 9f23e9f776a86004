import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Runs `chat-server` until it prints its banner, then stops it. */
function startCli(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli], {
      env: {
        ...process.env,
        PORT: '0',
        CHAT_DATA_DIR: 'memory',
        LOG_LEVEL: 'silent',
        DATABASE_URL: '',
        ...env,
      },
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no banner within 60 s:\n${out}`));
    }, 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Demo channel') || (env.NODE_ENV === 'production' && out.includes('openapi.json'))) {
        clearTimeout(timer);
        child.kill('SIGTERM');
        child.once('exit', () => resolve(out));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!out.includes('listening')) reject(new Error(`exited with ${code}:\n${out}`));
    });
  });
}

describe('chat-server CLI', () => {
  it('is built', () => {
    expect(existsSync(cli)).toBe(true);
  });

  it('starts on embedded PostgreSQL and prints where it listens and the demo credentials', async () => {
    const out = await startCli({});
    expect(out).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toContain('api key "demo"');
    expect(out).toContain('alice, bob, carol, dave');
    expect(out).toContain('password "chat-demo"');
    expect(out).toContain('team:general');
    expect(out).toContain('Portal API (/portal/v1): demo@chat.local — password "chat-demo-portal"');
  });

  it('seeds nothing in production', async () => {
    const out = await startCli({ NODE_ENV: 'production', HOST: '127.0.0.1' });
    expect(out).toContain('listening on');
    expect(out).not.toContain('Demo application');
  });

  it('links the REST and WebSocket docs pages from its banner', async () => {
    const out = await startCli({});
    expect(out).toMatch(/REST API docs: http:\/\/127\.0\.0\.1:\d+\/v1\/docs /);
    expect(out).toMatch(/WebSocket docs: http:\/\/127\.0\.0\.1:\d+\/v1\/docs\/socket /);
  });

  it('refuses an unknown role, and a split role on the embedded database, saying why, before opening anything', async () => {
    const bogus = await runCli(['start', '--role', 'frontend'], {});
    expect(bogus.code).toBe(1);
    expect(bogus.out).toContain('--role must be one of all, api, realtime, worker; got "frontend"');
    const fromEnv = await runCli(['start'], { CHAT_ROLE: 'everything' });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.out).toContain('CHAT_ROLE must be one of all, api, realtime, worker');
    const embedded = await runCli(['start', '--role', 'worker'], { REDIS_URL: '' });
    expect(embedded.code).toBe(1);
    expect(embedded.out).toContain('role "worker" needs PostgreSQL and Redis');
    expect(embedded.out).toContain('DATABASE_URL and REDIS_URL');
    expect(embedded.out).not.toContain('listening');
  });
});

/** Runs `chat-server` to its end; resolves with its exit code and everything it printed. */
function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: {
        ...process.env,
        PORT: '0',
        CHAT_DATA_DIR: 'memory',
        LOG_LEVEL: 'silent',
        DATABASE_URL: '',
        ...env,
      },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

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
  });

  it('seeds nothing in production', async () => {
    const out = await startCli({ NODE_ENV: 'production', HOST: '127.0.0.1' });
    expect(out).toContain('listening on');
    expect(out).not.toContain('Demo application');
  });
});

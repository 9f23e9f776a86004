import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real S3-compatible server (s3rver) in a child process of its own, on a free loopback port,
 * storing in a temp directory, with one bucket. It accepts only its built-in key pair (below).
 * What it does and does not enforce (it ignores POST policies and does not verify SigV4
 * signatures) is spelled out in the server's test/storage-s3.test.ts.
 */
export interface S3Server {
  /** `http://127.0.0.1:<port>`: path-style only (`forcePathStyle: true`). */
  endpoint: string;
  port: number;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

export interface S3ServerOptions {
  /** Default `chat-test`. */
  bucket?: string;
}

// s3rver's hard-coded account (lib/models/account.js): any other access key id is refused.
const ACCESS_KEY_ID = 'S3RVER';
const SECRET_ACCESS_KEY = 'S3RVER';
const STARTUP_TIMEOUT_MS = 15_000;

const cleanups = new Set<() => void>();
// A process that dies (or a run that is interrupted) must not leave s3rver or its files behind.
process.once('exit', () => {
  for (const cleanup of cleanups) cleanup();
});

/**
 * Starts s3rver whose CLI is `bin` (`s3rver/bin/s3rver.js`, resolved by the caller so this
 * package depends on nothing); throws (never skips) when it cannot, with what the process printed.
 */
export async function startS3Server(bin: string, options: S3ServerOptions = {}): Promise<S3Server> {
  const bucket = options.bucket ?? 'chat-test';
  const directory = await mkdtemp(join(tmpdir(), 'chat-s3rver-'));
  // Port 0: the OS picks a free port and s3rver prints it, so there is no probe-then-bind race.
  const child = spawn(
    process.execPath,
    [
      bin,
      ...['--directory', directory, '--address', '127.0.0.1', '--port', '0'],
      '--silent',
      '--no-vhost-buckets',
      ...['--configure-bucket', bucket],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const cleanup = () => {
    child.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
  };
  cleanups.add(cleanup);
  const stop = async () => {
    cleanups.delete(cleanup);
    await stopProcess(child);
    await rm(directory, { recursive: true, force: true });
  };
  try {
    const port = await waitForListening(child);
    return {
      endpoint: `http://127.0.0.1:${port}`,
      port,
      bucket,
      region: 'us-east-1',
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Resolves with the port from s3rver's `S3rver listening on <address>:<port>` line. */
function waitForListening(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (reason: string) => {
      clearTimeout(timer);
      reject(new Error(`s3rver did not start: ${reason}\n--- its output ---\n${output}`));
    };
    const timer = setTimeout(
      () => fail(`no "listening" line within ${STARTUP_TIMEOUT_MS} ms`),
      STARTUP_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /S3rver listening on .*:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(Number(match[1]));
      }
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(`exited (code ${code}, signal ${signal})`);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', (error) => fail(error.message));
    child.once('exit', onExit);
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(killTimer);
}

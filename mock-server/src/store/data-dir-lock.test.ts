import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, type DataDirLock, lockDataDir } from './data-dir-lock';
import type { DataDirOwner } from './data-dir-owner';

/**
 * The lock on a PGlite data directory, in this process, against lock files as other processes
 * leave them: a live holder keeps it however old its lock, a dead one loses it at once, and a
 * holder that cannot be asked (another host) loses it only once its lock is stale. The real
 * processes (two servers, the CLI, a SIGKILL) are in test/data-dir-lock.test.ts.
 */

const dirs: string[] = [];
const locks: DataDirLock[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(locks.splice(0).map((lock) => lock.release()));
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chat-lock-'));
  dirs.push(dir);
  return dir;
}

async function take(dir: string, options: Parameters<typeof lockDataDir>[1] = {}): Promise<DataDirLock> {
  const lock = await lockDataDir(dir, options);
  locks.push(lock);
  return lock;
}

/** Leaves a lock as another process would: the lock directory, aged, and its owner record. */
function leaveLock(dir: string, owner: DataDirOwner | undefined, ageMs = 0): void {
  const lockPath = join(dir, 'chat-server.lock');
  mkdirSync(lockPath);
  if (owner) writeFileSync(join(dir, 'chat-server.lock.json'), JSON.stringify(owner));
  const mtime = new Date(Date.now() - ageMs);
  utimesSync(lockPath, mtime, mtime);
}

function ownerRecord(pid: number, extra: Partial<DataDirOwner> = {}): DataDirOwner {
  return { pid, hostname: hostname(), since: new Date().toISOString(), ...extra };
}

/** A process that runs until the test ends. */
function liveProcess(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

async function refusal(
  dir: string,
  options: Parameters<typeof lockDataDir>[1] = {},
): Promise<DataDirInUseError> {
  const error = await lockDataDir(dir, options).then(
    (lock) => {
      locks.push(lock);
      throw new Error('the lock was taken, but should have been refused');
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(DataDirInUseError);
  return error as DataDirInUseError;
}

describe('data directory lock', () => {
  it('holds the directory until released, refusing a second opener in this process meanwhile', async () => {
    const dir = tempDataDir();
    const lock = await take(dir);
    expect((await refusal(dir)).message).toContain('is already open in this process');
    await lock.release();
    expect(existsSync(join(dir, 'chat-server.lock'))).toBe(false);
    expect(existsSync(join(dir, 'chat-server.lock.json'))).toBe(false);
    await take(dir);
  });

  it('creates a data directory that does not exist yet', async () => {
    const dir = join(tempDataDir(), 'nested', 'data');
    await take(dir);
    expect(existsSync(join(dir, 'chat-server.lock'))).toBe(true);
  });

  it('refuses while the holder runs on this host, however long ago it refreshed its lock', async () => {
    const dir = tempDataDir();
    const pid = liveProcess();
    leaveLock(dir, ownerRecord(pid, { url: 'http://127.0.0.1:8123' }), 3_600_000);
    const error = await refusal(dir, { staleMs: 2_000 });
    expect(error.owner?.pid).toBe(pid);
    expect(error.message).toContain(`is in use by process ${pid} on host ${hostname()}`);
    expect(error.message).toContain('chat-server listening on http://127.0.0.1:8123');
    expect(error.message).toContain('Stop it first, or use another CHAT_DATA_DIR.');
  });

  it('takes over at once the fresh lock of a holder that is gone (killed outright)', async () => {
    const dir = tempDataDir();
    leaveLock(dir, ownerRecord(await deadPid()));
    await take(dir);
  });

  it.skipIf(!existsSync('/proc/self/stat'))(
    'takes over a lock whose pid now belongs to another process',
    async () => {
      const dir = tempDataDir();
      leaveLock(dir, ownerRecord(liveProcess(), { processStart: '1' }));
      await take(dir);
    },
  );

  it('honours the lock of a holder on another host until it is stale', async () => {
    const dir = tempDataDir();
    leaveLock(dir, ownerRecord(await deadPid(), { hostname: 'elsewhere' }));
    expect((await refusal(dir, { staleMs: 2_000 })).message).toContain('on host elsewhere');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'chat-server.lock'), old, old);
    await take(dir, { staleMs: 2_000 });
  });

  it('honours a lock with no owner record until it is stale', async () => {
    const dir = tempDataDir();
    leaveLock(dir, undefined);
    expect((await refusal(dir, { staleMs: 2_000 })).message).toContain('left no owner record');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'chat-server.lock'), old, old);
    await take(dir, { staleMs: 2_000 });
  });

  it('ignores an owner record whose lock was removed when its holder exited', async () => {
    const dir = tempDataDir();
    writeFileSync(join(dir, 'chat-server.lock.json'), JSON.stringify(ownerRecord(liveProcess())));
    await take(dir);
  });

  it('reports a lock taken away while held, instead of carrying on', async () => {
    const dir = tempDataDir();
    let compromised: (error: Error) => void = () => {};
    const lost = new Promise<Error>((resolve) => {
      compromised = resolve;
    });
    await take(dir, { updateMs: 1_000, staleMs: 2_000, onCompromised: (error) => compromised(error) });
    rmSync(join(dir, 'chat-server.lock'), { recursive: true });
    expect((await lost).message).toBeTruthy();
  });
});

import { existsSync, rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { lock } from 'proper-lockfile';
import {
  currentOwner,
  type DataDirOwner,
  describeOwner,
  ownerStatus,
  readOwner,
  writeOwner,
} from './data-dir-owner';

/**
 * One process at a time on a PGlite data directory: two PGlites on one directory each believe
 * they own its files, and acknowledged writes vanish or indexes corrupt. The lock is a directory
 * that proper-lockfile creates atomically inside the data directory and keeps fresh; beside it,
 * an owner record (pid, host, start time, URL once listening) names the holder in the refusal
 * and settles whether a lock is stale. The record is not inside the lock: writing there would
 * change the lock's mtime, which proper-lockfile takes for another process taking it over.
 */

const LOCK_NAME = 'chat-server.lock';
const OWNER_NAME = 'chat-server.lock.json';
/** Serializes acquisitions, so two processes replacing one dead holder's lock cannot both win. */
const GATE_NAME = 'chat-server.lock-gate';

/**
 * The holder refreshes its lock's mtime every UPDATE_MS. A lock whose holder cannot be asked
 * (another host, or no owner record) counts as abandoned once STALE_MS old. A holder on this
 * host is asked by pid instead, so PGlite blocking the event loop for seconds, or a laptop
 * asleep for hours, never lets another process in while the holder lives.
 */
const UPDATE_MS = 5_000;
const STALE_MS = 60_000;
/** The gate is held for a few file operations; one left by a crash there is stale soon. */
const GATE_STALE_MS = 5_000;
const GATE_RETRIES = { retries: 60, minTimeout: 50, maxTimeout: 200 };

/** Data directories locked by this process (a second PGlite here would corrupt just the same). */
const held = new Set<string>();

export const DATA_DIR_IN_USE_ADVICE = 'Stop it first, or use another CHAT_DATA_DIR.';

/** Another process (or this one) has the data directory open. */
export class DataDirInUseError extends Error {
  /** The message without the advice: "the data directory /x is in use by process 12 on host h (…)". */
  readonly situation: string;

  constructor(
    readonly dataDir: string,
    /** The holder, when its lock says who it is. */
    readonly owner: DataDirOwner | undefined,
    reason = owner
      ? `is in use by ${describeOwner(owner)}`
      : `is locked by a process that left no owner record (a lock it stops refreshing expires after ${STALE_MS / 1000} s)`,
  ) {
    const situation = `the data directory ${dataDir} ${reason}`;
    super(`${situation}. ${DATA_DIR_IN_USE_ADVICE}`);
    this.name = 'DataDirInUseError';
    this.situation = situation;
  }
}

export interface DataDirLock {
  /** The locked directory, absolute. */
  readonly dataDir: string;
  /** Records where the holder listens, for the message that refuses the next opener. */
  announce(url: string): void;
  /** Safe to call twice. */
  release(): Promise<void>;
}

export interface DataDirLockOptions {
  /**
   * Called when the lock is taken away while held (its directory removed or replaced): another
   * process may be writing to the directory now. The default prints why and ends the process at
   * once, so that this one writes nothing more.
   */
  onCompromised?: (error: Error) => void;
  /** Tests shorten these. */
  updateMs?: number;
  staleMs?: number;
}

/**
 * Takes the data directory's lock (creating the directory if needed), or throws
 * `DataDirInUseError` naming the process that holds it.
 */
export async function lockDataDir(dir: string, options: DataDirLockOptions = {}): Promise<DataDirLock> {
  const dataDir = resolve(dir);
  if (held.has(dataDir)) {
    throw new DataDirInUseError(
      dataDir,
      readOwner(join(dataDir, OWNER_NAME)),
      'is already open in this process',
    );
  }
  held.add(dataDir);
  try {
    return await acquire(dataDir, options);
  } catch (error) {
    held.delete(dataDir);
    throw error;
  }
}

async function acquire(dataDir: string, options: DataDirLockOptions): Promise<DataDirLock> {
  const lockPath = join(dataDir, LOCK_NAME);
  const ownerPath = join(dataDir, OWNER_NAME);
  await mkdir(dataDir, { recursive: true });
  const owner = currentOwner();
  // proper-lockfile keys what it holds by the path locked, so each lock names its own.
  const gatePath = join(dataDir, GATE_NAME);
  const releaseGate = await lock(gatePath, {
    lockfilePath: gatePath,
    realpath: false,
    stale: GATE_STALE_MS,
    retries: GATE_RETRIES,
    // Only the lock below guards the data; the gate merely orders the processes taking it.
    onCompromised: () => {},
  });
  let unlock: () => Promise<void>;
  try {
    // A record without its lock was left by a holder whose lock was removed at its exit.
    const previous = existsSync(lockPath) ? readOwner(ownerPath) : undefined;
    const status = ownerStatus(previous);
    if (status === 'alive') throw new DataDirInUseError(dataDir, previous);
    if (status === 'gone') await rm(lockPath, { recursive: true, force: true });
    unlock = await lock(lockPath, {
      lockfilePath: lockPath,
      realpath: false,
      update: options.updateMs ?? UPDATE_MS,
      stale: options.staleMs ?? STALE_MS,
      onCompromised: options.onCompromised ?? exitBeforeWritingMore(dataDir, ownerPath),
    }).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ELOCKED' ? new DataDirInUseError(dataDir, previous) : error;
    });
    try {
      writeOwner(ownerPath, owner);
    } catch (error) {
      await unlock();
      throw error;
    }
  } finally {
    // A gate taken over after a stall is released already; the lock itself is what counts.
    await releaseGate().catch(() => {});
  }

  let releasing: Promise<void> | undefined;
  return {
    dataDir,
    announce(url) {
      owner.url = url;
      writeOwner(ownerPath, owner);
    },
    release() {
      releasing ??= (async () => {
        try {
          // The record goes first: once the lock is gone, the record there may be the next holder's.
          const recorded = readOwner(ownerPath);
          if (recorded?.pid === owner.pid && recorded.since === owner.since)
            rmSync(ownerPath, { force: true });
          await unlock();
        } catch (error) {
          // Released already: it was compromised, and onCompromised has said so.
          if ((error as NodeJS.ErrnoException).code !== 'ERELEASED') throw error;
        } finally {
          held.delete(dataDir);
        }
      })();
      return releasing;
    },
  };
}

function exitBeforeWritingMore(dataDir: string, ownerPath: string) {
  return (error: Error) => {
    const now = readOwner(ownerPath);
    process.stderr.write(
      `chat-server: lost the lock on the data directory ${dataDir} (${error.message})` +
        `${now && now.pid !== process.pid ? `; it is now held by ${describeOwner(now)}` : ''}. ` +
        'Stopping at once so that this process writes nothing more to it.\n',
    );
    process.exit(1);
  };
}

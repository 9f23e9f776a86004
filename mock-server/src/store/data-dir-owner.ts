import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who holds a data directory's lock: written beside the lock when it is taken. */
export interface DataDirOwner {
  pid: number;
  hostname: string;
  /** When the lock was taken (ISO 8601). */
  since: string;
  /**
   * Linux: when the process started, in clock ticks since boot. Tells the holder apart from a
   * later process that got the same pid (a restarted container numbers its processes alike).
   */
  processStart?: string;
  /** Where the holder serves, once it listens. */
  url?: string;
}

export function currentOwner(): DataDirOwner {
  const processStart = processStartTime(process.pid);
  return {
    pid: process.pid,
    hostname: hostname(),
    since: new Date().toISOString(),
    ...(processStart !== undefined && { processStart }),
  };
}

/** The owner recorded in the file at `path`, if there is one that can be read. */
export function readOwner(path: string): DataDirOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as DataDirOwner;
    return typeof owner.pid === 'number' && typeof owner.hostname === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Replaces the record in one step, so a reader never sees half of one. Synchronous: a server
 * records its URL from a listen hook that must finish before its banner says it listens.
 */
export function writeOwner(path: string, owner: DataDirOwner): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(owner)}\n`);
  renameSync(temporary, path);
}

/**
 * `alive`: the recorded process still runs on this host, so it holds the lock however long its
 * event loop has been too busy to refresh it. `gone`: it ended (killed, crashed), so its lock can
 * be taken over at once. `unknown`: no record, or a process of another host that cannot be
 * asked; only the lock's age can tell then.
 */
export function ownerStatus(owner: DataDirOwner | undefined): 'alive' | 'gone' | 'unknown' {
  if (!owner || owner.hostname !== hostname()) return 'unknown';
  // Our own pid in a lock this process does not hold is an earlier process's (a restarted container).
  if (owner.pid === process.pid || !processExists(owner.pid)) return 'gone';
  const start = owner.processStart === undefined ? undefined : processStartTime(owner.pid);
  if (start !== undefined && start !== owner.processStart) return 'gone';
  return 'alive';
}

/** "process 1234 on host X (chat-server listening on http://…, since 10:02)" */
export function describeOwner(owner: DataDirOwner): string {
  const doing = owner.url ? `chat-server listening on ${owner.url}` : 'not listening on any URL';
  return `process ${owner.pid} on host ${owner.hostname} (${doing}, since ${formatSince(owner.since)})`;
}

function formatSince(iso: string): string {
  const since = new Date(iso);
  if (Number.isNaN(since.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(since.getHours())}:${pad(since.getMinutes())}`;
  const day = `${since.getFullYear()}-${pad(since.getMonth() + 1)}-${pad(since.getDate())}`;
  return since.toDateString() === new Date().toDateString() ? time : `${day} ${time}`;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat; undefined where there is no /proc. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

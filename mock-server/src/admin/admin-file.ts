import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * How a CLI reaches the server that holds a PGlite data directory: its URL and a random admin
 * token, in the data directory, readable only by the server's user (who can read the whole
 * database anyway). It exists while the server listens.
 */
export interface AdminFile {
  url: string;
  token: string;
  pid: number;
}

const ADMIN_FILE = 'admin.json';

/** Synchronous, so that the file is there by the time the server's banner says it listens. */
export function writeAdminFile(dataDir: string, file: AdminFile): void {
  const temporary = join(dataDir, `${ADMIN_FILE}.${process.pid}.tmp`);
  rmSync(temporary, { force: true });
  writeFileSync(temporary, `${JSON.stringify(file)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(temporary, join(dataDir, ADMIN_FILE));
}

/** The admin file, if there is one. */
export async function readAdminFile(dataDir: string): Promise<AdminFile | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, ADMIN_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const file = JSON.parse(text) as Partial<AdminFile>;
  if (typeof file.url !== 'string' || typeof file.token !== 'string' || typeof file.pid !== 'number') {
    throw new Error(`${join(dataDir, ADMIN_FILE)} is not a chat-server admin file`);
  }
  return file as AdminFile;
}

/** Removes the file if it is still the one this server wrote. */
export function removeAdminFile(dataDir: string, token: string): void {
  const path = join(dataDir, ADMIN_FILE);
  try {
    if ((JSON.parse(readFileSync(path, 'utf8')) as AdminFile).token === token) rmSync(path);
  } catch {
    // Gone already, or not ours: nothing to remove.
  }
}

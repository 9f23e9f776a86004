import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * scrypt cost: N = 2^15, r = 8, p = 1 uses 32 MiB and tens of milliseconds per hash, slow enough to
 * make offline guessing expensive while a login stays quick. Parameters are stored in each hash,
 * so raising them later keeps old hashes verifiable.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const PREFIX = 'scrypt';

/**
 * Bounds on parameters read back from a stored hash: a corrupted or planted row must not make one
 * login burn gigabytes of memory or seconds of CPU. 128 MiB still admits N = 2^17, r = 8.
 */
const MAX_MEMORY_BYTES = 128 * 1024 * 1024;
const MAX_P = 4;

/**
 * Hashes a password for storage as `scrypt$N$r$p$salt$hash` (salt and hash in base64url).
 *
 * @example
 * const hash = await hashPassword('correct horse battery staple');
 */
export async function hashPassword(password: string): Promise<string> {
  if (typeof password !== 'string') throw new TypeError('password must be a string');
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(normalize(password), salt, KEY_BYTES, PARAMS);
  return [PREFIX, PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/**
 * True when `password` matches `hash`. A malformed hash is simply a mismatch: it never throws, so a
 * damaged row cannot turn a login into a server error.
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (typeof password !== 'string') return false;
  const parsed = parseHash(hash);
  if (!parsed) return false;
  try {
    const key = await derive(normalize(password), parsed.salt, parsed.key.length, parsed.params);
    return timingSafeEqual(key, parsed.key);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time of a real `verifyPassword` and returns false. Call it when the user does not
 * exist (or has no password), so response times do not reveal which usernames are taken.
 */
export async function dummyVerifyPassword(password: string): Promise<false> {
  // Made lazily (not at import) so loading the module costs nothing; same parameters as real hashes.
  dummyHash ??= hashPassword('dummy password that is never stored');
  await verifyPassword(password, await dummyHash);
  return false;
}

interface ParsedHash {
  params: { N: number; r: number; p: number };
  salt: Buffer;
  key: Buffer;
}

function parseHash(hash: unknown): ParsedHash | null {
  if (typeof hash !== 'string' || hash.length > 512) return null;
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return null;
  const [, n, r, p, salt, key] = parts as [string, string, string, string, string, string];
  const params = { N: toInt(n), r: toInt(r), p: toInt(p) };
  if (!isPowerOfTwo(params.N) || params.N < 2 || params.r < 1 || params.p < 1 || params.p > MAX_P)
    return null;
  if (128 * params.N * params.r > MAX_MEMORY_BYTES) return null;
  const base64url = /^[A-Za-z0-9_-]+$/;
  if (!base64url.test(salt) || !base64url.test(key)) return null;
  const saltBytes = Buffer.from(salt, 'base64url');
  const keyBytes = Buffer.from(key, 'base64url');
  if (saltBytes.length < SALT_BYTES || keyBytes.length < 16 || keyBytes.length > 64) return null;
  return { params, salt: saltBytes, key: keyBytes };
}

function toInt(text: string): number {
  return /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : Number.NaN;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && Number.isInteger(Math.log2(n));
}

/** The same password typed on different systems can arrive in different Unicode forms. */
function normalize(password: string): string {
  return password.normalize('NFC');
}

function derive(
  password: string,
  salt: Buffer,
  length: number,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  const options: ScryptOptions = {
    ...params,
    // Node's default cap (32 MiB) sits exactly at 128·N·r for our parameters; allow what they need.
    maxmem: 256 * params.N * params.r,
  };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

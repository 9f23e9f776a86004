import { describe, expect, it } from 'vitest';
import { dummyVerifyPassword, hashPassword, verifyPassword } from './passwords';

describe('passwords', () => {
  it('round-trips: the right password verifies', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    await expect(verifyPassword('correct horse battery staple', hash)).resolves.toBe(true);
  });

  it('rejects a wrong password', async () => {
    const hash = await hashPassword('correct horse battery staple');
    await expect(verifyPassword('correct horse battery stapler', hash)).resolves.toBe(false);
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).not.toBe(b);
  });

  it('treats the composed and decomposed forms of a character as the same password', async () => {
    const hash = await hashPassword('caf\u00e9-password');
    await expect(verifyPassword('cafe\u0301-password', hash)).resolves.toBe(true);
  });

  it('returns false (never throws) for a malformed hash', async () => {
    const good = await hashPassword('secret password');
    const [, n, r, p, salt, key] = good.split('$');
    for (const bad of [
      '',
      'not a hash',
      'bcrypt$2b$10$abc',
      `scrypt$${n}$${r}$${p}$${salt}`,
      `scrypt$${n}$${r}$${p}$${salt}$${key}$extra`,
      `scrypt$1000$${r}$${p}$${salt}$${key}`, // N not a power of two
      `scrypt$${2 ** 30}$${r}$${p}$${salt}$${key}`, // memory bomb
      `scrypt$${n}$0$${p}$${salt}$${key}`,
      `scrypt$${n}$${r}$99$${salt}$${key}`,
      `scrypt$${n}$${r}$${p}$c2FsdA$${key}`, // salt too short
      `scrypt$${n}$${r}$${p}$${salt}$!!!`,
      `scrypt$-1$${r}$${p}$${salt}$${key}`,
      `scrypt$${n}$${r}$${p}$${salt}$${key}`.replace('scrypt', 'SCRYPT'),
    ]) {
      await expect(verifyPassword('secret password', bad)).resolves.toBe(false);
    }
    await expect(verifyPassword('secret password', null as unknown as string)).resolves.toBe(false);
  });

  it('detects a hash whose stored key was changed', async () => {
    const hash = await hashPassword('secret password');
    const parts = hash.split('$');
    const key = Buffer.from(parts[5]!, 'base64url');
    key[0] = key[0]! ^ 1;
    parts[5] = key.toString('base64url');
    await expect(verifyPassword('secret password', parts.join('$'))).resolves.toBe(false);
  });

  it('dummyVerifyPassword always says no', async () => {
    await expect(dummyVerifyPassword('anything')).resolves.toBe(false);
    await expect(dummyVerifyPassword('dummy password that is never stored')).resolves.toBe(false);
  });
});

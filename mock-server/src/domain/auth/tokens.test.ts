import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ChatError } from '../../kernel/errors';
import { createServerToken, createUserToken, verifyToken } from './tokens';

const SECRET = 'app-a-secret-0123456789abcdef0123456789';
const OTHER_APP_SECRET = 'app-b-secret-0123456789abcdef0123456789';
const key = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs arbitrary claims with the app secret, bypassing createUserToken's own checks. */
function signRaw(claims: Record<string, unknown>, alg = 'HS256', secret: Uint8Array = key): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg }).sign(secret);
}

async function rejection(promise: Promise<unknown>): Promise<ChatError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the token to be rejected');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChatError);
  return error as ChatError;
}

async function expectRejected(token: string, code = 'unauthenticated', secret = SECRET): Promise<ChatError> {
  const error = await rejection(verifyToken(secret, token));
  expect(error.body.code).toBe(code);
  expect(error.status).toBe(401);
  // The message must never repeat the credential (it ends up in logs and responses).
  if (typeof token === 'string' && token.length > 8) expect(error.message).not.toContain(token);
  return error;
}

describe('valid tokens', () => {
  it('accepts a user token and returns its user id', async () => {
    const token = await createUserToken(SECRET, 'alice');
    await expect(verifyToken(SECRET, token)).resolves.toEqual({ userId: 'alice', server: false });
  });

  it('accepts a server token', async () => {
    const token = await createServerToken(SECRET);
    await expect(verifyToken(SECRET, token)).resolves.toEqual({ userId: null, server: true });
  });

  it('accepts a server token acting for a user', async () => {
    const token = await signRaw({ server: true, user_id: 'bob', iat: now(), exp: now() + 60 });
    await expect(verifyToken(SECRET, token)).resolves.toEqual({ userId: 'bob', server: true });
  });

  it('sets iat and a one-hour exp by default', async () => {
    const token = await createUserToken(SECRET, 'alice');
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(payload.user_id).toBe('alice');
    expect(payload.exp - payload.iat).toBe(3600);
    expect(Math.abs(payload.iat - now())).toBeLessThanOrEqual(1);
  });

  it('honours expiresIn as seconds or as a duration string', async () => {
    for (const [expiresIn, seconds] of [
      [900, 900],
      ['2h', 7200],
    ] as const) {
      const token = await createUserToken(SECRET, 'alice', { expiresIn });
      const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
      expect(payload.exp - payload.iat).toBe(seconds);
    }
  });

  it('tolerates a little clock skew on exp', async () => {
    const token = await signRaw({ user_id: 'alice', iat: now() - 100, exp: now() - 5 });
    await expect(verifyToken(SECRET, token)).resolves.toEqual({ userId: 'alice', server: false });
  });

  it('refuses to mint a token for an invalid user id or lifetime', async () => {
    await expect(createUserToken(SECRET, '')).rejects.toThrow(TypeError);
    await expect(createUserToken(SECRET, 'has space')).rejects.toThrow(TypeError);
    await expect(createUserToken(SECRET, 'alice', { expiresIn: 0 })).rejects.toThrow(TypeError);
    await expect(createUserToken(SECRET, 'alice', { expiresIn: Number.NaN })).rejects.toThrow(TypeError);
    await expect(createUserToken('', 'alice')).rejects.toThrow(TypeError);
  });
});

describe('rejected tokens', () => {
  it('rejects alg "none" (an unsigned token)', async () => {
    const claims = { user_id: 'alice', iat: now(), exp: now() + 3600 };
    await expectRejected(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`);
    await expectRejected(`${b64url({ alg: 'none' })}.${b64url(claims)}`);
  });

  it('rejects HS512 and HS384 signed with the same secret', async () => {
    const claims = { user_id: 'alice', iat: now(), exp: now() + 3600 };
    const hs512 = await expectRejected(await signRaw(claims, 'HS512'));
    expect(hs512.message).toMatch(/algorithm/i);
    await expectRejected(await signRaw(claims, 'HS384'));
  });

  it('rejects an RS256 token signed with a key pair', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ user_id: 'alice' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    await expectRejected(token);
  });

  it('rejects a token signed with the wrong secret', async () => {
    const token = await createUserToken('not-the-secret', 'alice');
    const error = await expectRejected(token);
    expect(error.message).toMatch(/signature/i);
  });

  it("rejects another app's token", async () => {
    const token = await createUserToken(OTHER_APP_SECRET, 'alice');
    await expectRejected(token);
    // ...while the other app accepts it.
    await expect(verifyToken(OTHER_APP_SECRET, token)).resolves.toMatchObject({ userId: 'alice' });
  });

  it('rejects a tampered payload that keeps the original signature', async () => {
    const token = await createUserToken(SECRET, 'alice');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${header}.${b64url({ ...claims, user_id: 'admin' })}.${signature}`;
    await expectRejected(forged);
    const promoted = `${header}.${b64url({ ...claims, server: true })}.${signature}`;
    await expectRejected(promoted);
  });

  it('rejects an expired token with token_expired', async () => {
    const token = await signRaw({ user_id: 'alice', iat: now() - 7200, exp: now() - 3600 });
    const error = await expectRejected(token, 'token_expired');
    expect(error.body.retryable).toBe(true);
  });

  it('reports a forged expired token as unauthenticated, not expired', async () => {
    const token = await signRaw(
      { user_id: 'alice', iat: now() - 7200, exp: now() - 3600 },
      'HS256',
      new TextEncoder().encode('wrong'),
    );
    await expectRejected(token, 'unauthenticated');
  });

  it('rejects a token that is not valid yet (nbf in the future)', async () => {
    const token = await signRaw({ user_id: 'alice', iat: now(), nbf: now() + 600, exp: now() + 3600 });
    const error = await expectRejected(token);
    expect(error.message).toContain('nbf');
  });

  it('rejects a token issued far in the future', async () => {
    const token = await signRaw({ user_id: 'alice', iat: now() + 86_400, exp: now() + 90_000 });
    const error = await expectRejected(token);
    expect(error.message).toContain('iat');
  });

  it('rejects a token without exp', async () => {
    const error = await expectRejected(await signRaw({ user_id: 'alice', iat: now() }));
    expect(error.message).toContain('exp');
  });

  it('rejects a token without iat', async () => {
    await expectRejected(await signRaw({ user_id: 'alice', exp: now() + 60 }));
  });

  it('rejects non-numeric exp', async () => {
    await expectRejected(await signRaw({ user_id: 'alice', iat: now(), exp: 'tomorrow' }));
  });

  it('rejects missing, empty, non-string and malformed user_id', async () => {
    const times = { iat: now(), exp: now() + 3600 };
    for (const claims of [
      {},
      { user_id: '' },
      { user_id: 42 },
      { user_id: ['alice'] },
      { user_id: null },
      { user_id: 'has space' },
      { user_id: 'x'.repeat(129) },
      { user_id: 'alice', server: 'true' },
      { server: false },
    ]) {
      const error = await expectRejected(await signRaw({ ...claims, ...times }));
      expect(error.message).toMatch(/user_id|server/);
    }
  });

  it('rejects an oversize token before parsing it', async () => {
    const token = await signRaw({ user_id: 'alice', pad: 'x'.repeat(5000), iat: now(), exp: now() + 60 });
    const error = await expectRejected(token);
    expect(error.message).toMatch(/too long/);
  });

  it('rejects garbage', async () => {
    for (const garbage of [
      '',
      'garbage',
      'a.b.c',
      '...',
      'Bearer abc',
      `${b64url({ alg: 'HS256' })}.not-json.sig`,
      `${b64url({ alg: 'HS256' })}.${b64url('string payload')}.sig`,
      `${b64url([1, 2])}.${b64url({})}.sig`,
      '\u0000\uD800',
    ]) {
      await expectRejected(garbage);
    }
    await expectRejected(undefined as unknown as string);
    await expectRejected({} as unknown as string);
  });
});

describe('token lifetime cap', () => {
  it('refuses a token minted to live longer than a day, and takes one that lives exactly a day', async () => {
    const day = 24 * 3600;
    await expect(
      verifyToken(SECRET, await createUserToken(SECRET, 'alice', { expiresIn: day })),
    ).resolves.toEqual({
      userId: 'alice',
      server: false,
    });
    for (const token of [
      await createUserToken(SECRET, 'alice', { expiresIn: day + 1 }),
      await createServerToken(SECRET, { expiresIn: '30d' }),
      await signRaw({ user_id: 'alice', iat: now(), exp: now() + 100 * 365 * day }),
    ]) {
      const error = await expectRejected(token);
      expect(error.message).toMatch(/lifetime/);
    }
  });

  it('takes the cap from the caller: shorter or longer', async () => {
    const hour = await createUserToken(SECRET, 'alice', { expiresIn: '1h' });
    await expect(rejection(verifyToken(SECRET, hour, { maxLifetimeSeconds: 600 }))).resolves.toMatchObject({
      body: { code: 'unauthenticated' },
    });
    const week = await createUserToken(SECRET, 'alice', { expiresIn: '7d' });
    await expect(verifyToken(SECRET, week, { maxLifetimeSeconds: 7 * 24 * 3600 })).resolves.toMatchObject({
      userId: 'alice',
    });
  });
});

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring tokens for URLs this server answers without a login (a browser's `<img src>`,
 * a direct upload): the payload and its expiry, HMAC-SHA256 with the server's storage key.
 * Not secret (the payload is readable), but unforgeable and short-lived.
 */
export interface UrlSigner {
  sign(payload: Record<string, string | number>, ttlSeconds: number): { token: string; expiresAt: Date };
  /** As `sign`, valid until `expiresAt` (whole seconds): the same payload and time give the same token. */
  signUntil(payload: Record<string, string | number>, expiresAt: Date): { token: string; expiresAt: Date };
  /** The payload, or why the token is refused. */
  verify(token: string): { payload: Record<string, string | number> } | { refused: 'expired' | 'forged' };
}

export function createUrlSigner(key: string, now: () => number = Date.now): UrlSigner {
  const mac = (data: string) => createHmac('sha256', key).update(data).digest();
  const signUntil: UrlSigner['signUntil'] = (payload, expiresAt) => {
    const body = Buffer.from(
      JSON.stringify({ ...payload, exp: Math.floor(expiresAt.getTime() / 1000) }),
    ).toString('base64url');
    return { token: `${body}.${mac(body).toString('base64url')}`, expiresAt };
  };
  return {
    sign: (payload, ttlSeconds) => signUntil(payload, new Date(now() + ttlSeconds * 1000)),
    signUntil,
    verify(token) {
      const [body, signature, ...rest] = token.split('.');
      if (!body || !signature || rest.length > 0) return { refused: 'forged' };
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { refused: 'forged' };
      let payload: Record<string, string | number>;
      try {
        payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        return { refused: 'forged' };
      }
      if (typeof payload.exp !== 'number' || payload.exp * 1000 < now()) return { refused: 'expired' };
      return { payload };
    },
  };
}

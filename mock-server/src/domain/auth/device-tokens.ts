import { createHmac, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

/**
 * Device tokens: proof that a device logged in as a user before (OWASP's "device cookie"). Login
 * limiting counts failures per account for unknown devices, and per device for known ones, so
 * someone guessing a password from elsewhere slows down without locking the real user out.
 *
 * Signed with a key derived from the app secret for this purpose only: a device token can never
 * pass as an access token (and an access token never as a device token).
 */
const DEVICE_TOKEN_DAYS = 90;
const PURPOSE = 'chat device token v1';

function deviceKey(secret: string): Uint8Array {
  return createHmac('sha256', secret).update(PURPOSE).digest();
}

/** A device token for `username`, keeping the device's id when it had one. */
export function createDeviceToken(secret: string, username: string, deviceId: string = randomUUID()) {
  return new SignJWT({ dev: deviceId })
    .setProtectedHeader({ alg: 'HS256', typ: 'device+jwt' })
    .setSubject(username)
    .setIssuedAt()
    .setExpirationTime(`${DEVICE_TOKEN_DAYS}d`)
    .sign(deviceKey(secret));
}

/** The device id of a valid device token of `username`, or null for anything else. */
export async function verifyDeviceToken(
  secret: string,
  username: string,
  token: string,
): Promise<string | null> {
  try {
    const { payload } = await jwtVerify(token, deviceKey(secret), {
      algorithms: ['HS256'],
      typ: 'device+jwt',
      subject: username,
      requiredClaims: ['exp'],
    });
    return typeof payload.dev === 'string' && payload.dev.length <= 64 ? payload.dev : null;
  } catch {
    return null;
  }
}

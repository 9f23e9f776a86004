import { createHash } from 'node:crypto';
import type { TokenResponse } from '@chat/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { REFRESH_TOKEN_TTL_SECONDS } from '../domain/auth/index';
import { ChatError } from '../kernel/errors';

/** Only the auth endpoints receive the cookie: no other request carries the secret. */
const COOKIE_PATH = '/v1/auth';

/**
 * The refresh token of a browser session (`session: 'cookie'`), kept where page scripts cannot
 * read it: httpOnly, SameSite=Strict (another site's page cannot make the browser send it), on
 * the auth path only, Secure over HTTPS. One cookie per application: its name is derived from
 * the api key, so two apps on one site keep separate sessions.
 */
export class SessionCookie {
  private readonly name: string;

  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    apiKey: string,
  ) {
    this.name = `chat_session_${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
  }

  /** The refresh token the browser sent, if any. */
  read(): string | undefined {
    const value = this.request.cookies?.[this.name];
    return value ? value : undefined;
  }

  /** The token the request names, else the cookie's; refuses a request with neither. */
  tokenOf(bodyToken: string | undefined): { token: string; fromCookie: boolean } {
    if (bodyToken) return { token: bodyToken, fromCookie: false };
    const token = this.read();
    if (!token) {
      throw new ChatError(
        'unauthenticated',
        'No refresh token: send refresh_token, or log in with session "cookie"',
      );
    }
    return { token, fromCookie: true };
  }

  /** Hands the tokens out: in the answer, or (`cookie`) with the refresh token in the cookie only. */
  deliver(tokens: TokenResponse, cookie: boolean): TokenResponse {
    if (!cookie || !tokens.refresh_token) return tokens;
    const { refresh_token, ...rest } = tokens;
    this.reply.setCookie(this.name, refresh_token, {
      ...this.attributes(),
      maxAge: REFRESH_TOKEN_TTL_SECONDS,
    });
    return rest;
  }

  /** Tells the browser to drop the cookie (logout, or a token the server no longer accepts). */
  end(): void {
    if (this.read() !== undefined) this.reply.clearCookie(this.name, this.attributes());
  }

  private attributes() {
    return {
      path: COOKIE_PATH,
      httpOnly: true,
      sameSite: 'strict' as const,
      secure: this.request.protocol === 'https',
    };
  }
}

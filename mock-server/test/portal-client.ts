import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Reply } from './api';
import { assertDocumentedResponse } from './openapi-contract';

/**
 * A client of the portal API for tests: JSON in, JSON out, never throws on 4xx, every answer held
 * to the OpenAPI document. No api key: the portal is above applications.
 */
export class Portal {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  as(token: string | undefined): Portal {
    return new Portal(this.baseUrl, token);
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...(this.token && { authorization: `Bearer ${this.token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    const reply: Reply<T> = {
      status: response.status,
      body: text ? JSON.parse(text) : null,
      headers: response.headers,
    };
    assertDocumentedResponse(method, path, reply.status, reply.body);
    return reply;
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', `/portal/v1${path}`);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', `/portal/v1${path}`, body);
  }
  patch<T = any>(path: string, body: unknown) {
    return this.request<T>('PATCH', `/portal/v1${path}`, body);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', `/portal/v1${path}`);
  }
}

export const PASSWORD = 'correct horse battery';

/** A unique email for this run. */
export const email = (name: string) => `${name}-${randomBytes(4).toString('hex')}@example.com`;

export interface Customer {
  id: string;
  email: string;
  api: Portal;
  refreshToken: string;
}

/** Signs a new customer up; `api` carries the access token. */
export async function signUp(baseUrl: string, name: string): Promise<Customer> {
  const anonymous = new Portal(baseUrl);
  const address = email(name);
  const reply = await anonymous.post('/auth/signup', {
    email: address,
    password: PASSWORD,
    display_name: name,
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return {
    id: reply.body.customer.id,
    email: address,
    api: anonymous.as(reply.body.access_token),
    refreshToken: reply.body.refresh_token,
  };
}

/** A team owned by `owner`. */
export async function newTeam(owner: Customer, name = 'Acme'): Promise<string> {
  const reply = await owner.api.post('/teams', { name });
  expect(reply.status).toBe(201);
  return reply.body.team.id;
}

/** Invites `who` into the team with `role` and has them accept. */
export async function join(inviter: Customer, teamId: string, who: Customer, role: string): Promise<void> {
  const invite = await inviter.api.post(`/teams/${teamId}/invites`, { role });
  expect(invite.status, JSON.stringify(invite.body)).toBe(201);
  const accepted = await who.api.post('/invites/accept', { token: invite.body.token });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
}

export function expectPortalError(reply: Reply, status: number, code: string): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.body.error.code).toBe(code);
}

import { describe, expect, it } from 'vitest';
import { getTestServer, newTestApp } from './api';

/** Every response carries the standard security headers, API errors and probes included. */
describe('security headers', () => {
  it('API answers, errors and probes send nosniff, a frame ban and a content security policy', async () => {
    const server = await getTestServer();
    const t = await newTestApp();
    const replies = [
      await fetch(`${server.url}/healthz`),
      await fetch(`${server.url}/v1/openapi.json`),
      await fetch(`${server.url}/v1/users/me`, { headers: { 'x-api-key': t.app.api_key } }),
      await fetch(`${server.url}/v1/no-such-route`),
    ];
    for (const reply of replies) {
      expect(reply.headers.get('x-content-type-options'), reply.url).toBe('nosniff');
      expect(reply.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(reply.headers.get('referrer-policy')).toBe('no-referrer');
      expect(reply.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      const csp = reply.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).not.toContain('upgrade-insecure-requests');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { deliverWebhook } from '../webhooks/deliver';
import { retryAfterMs } from './post';
import { createTargetGuard, TargetRefused } from './target-guard';

const guard = createTargetGuard();

describe('webhook target guard', () => {
  it.each([
    'http://127.0.0.1/',
    'http://127.1.2.3:8080/x',
    'http://10.0.0.5/',
    'http://172.16.9.9/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'http://224.0.0.1/',
  ])('refuses %s', (url) => {
    expect(() => guard.checkUrl(url)).toThrow(TargetRefused);
  });

  it.each([
    'ftp://example.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'https://user:pass@example.com/',
    'not a url',
    `https://example.com/${'a'.repeat(2100)}`,
  ])('refuses a URL no webhook may have: %s', (url) => {
    expect(() => guard.checkUrl(url)).toThrow(TargetRefused);
  });

  it('accepts public addresses and names (names are judged when resolved)', () => {
    expect(guard.checkUrl('https://93.184.216.34/hook').hostname).toBe('93.184.216.34');
    expect(guard.checkUrl('https://hooks.example.com/x').hostname).toBe('hooks.example.com');
    expect(guard.allows('2606:4700:4700::1111')).toBe(true);
  });

  it('lets the configured ranges through, and only those', () => {
    const local = createTargetGuard(['127.0.0.1/32', '10.1.0.0/16']);
    expect(local.allows('127.0.0.1')).toBe(true);
    expect(local.allows('::ffff:127.0.0.1')).toBe(true);
    expect(local.allows('127.0.0.2')).toBe(false);
    expect(local.allows('10.1.200.3')).toBe(true);
    expect(local.allows('10.2.0.1')).toBe(false);
    expect(() => createTargetGuard(['not-a-range'])).toThrow('not an address range');
  });

  it('refuses a name that resolves to a refused address, when connecting', async () => {
    // The socket's own lookup: what a name resolves to when connecting is judged then.
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      guard.lookup('localhost', { all: true }, (failure) => resolve(failure)),
    );
    expect(error?.code).toBe('ETARGETREFUSED');
    expect(error?.message).toMatch(/localhost resolves to .* which webhooks may not reach/);
  });

  it('refuses localhost by name before any lookup, and sends nothing', async () => {
    expect(() => guard.checkUrl('http://localhost:9/hook')).toThrow(TargetRefused);
    expect(() => guard.checkUrl('http://api.localhost/hook')).toThrow(TargetRefused);
    const outcome = await deliverWebhook(
      {
        url: 'http://localhost:9/hook',
        secrets: [`whsec_${Buffer.from('x'.repeat(24)).toString('base64')}`],
        messageId: 'msg_1',
        body: '{}',
      },
      { guard, timeoutMs: 2_000, userAgent: 'test' },
    );
    expect(outcome).toMatchObject({ kind: 'failed', latencyMs: 0 });
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, ignores garbage, and caps it', () => {
    expect(retryAfterMs('120')).toBe(120_000);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs('999999999')).toBe(24 * 3600 * 1000);
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(retryAfterMs(inAMinute)).toBeGreaterThan(50_000);
  });
});

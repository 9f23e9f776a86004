import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { missingHaproxy } from './haproxy';
import { type HaproxyConfigInput, haproxyConfig } from './haproxy-config';

const input: HaproxyConfigInput = {
  host: '127.0.0.1',
  port: 8080,
  api: [{ name: 'api', address: '127.0.0.1:4001' }],
  realtime: [
    { name: 'realtime-1', address: '127.0.0.1:4002' },
    { name: 'realtime-2', address: '127.0.0.1:4003' },
  ],
  storage: { address: '127.0.0.1:4004', bucket: 'chat-media' },
};

const missing = await missingHaproxy();
if (missing && process.env.CHAT_REQUIRE_SERVICES === '1')
  throw new Error(`CHAT_REQUIRE_SERVICES=1 but ${missing}`);

describe('the balancer configuration', () => {
  it('sends sockets to the realtime nodes, the bucket to s3rver, the rest to the API, each checked', () => {
    const config = haproxyConfig(input);
    expect(config).toContain('use_backend realtime if websocket');
    expect(config).toContain('acl websocket path /v1/ws');
    expect(config).toContain('use_backend storage if storage');
    expect(config).toContain('default_backend api');
    expect(config).toContain('server realtime-2 127.0.0.1:4003 check');
    expect(config).toContain('http-check send meth GET uri /readyz');
  });

  it.skipIf(missing !== null)('is a configuration HAProxy accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chat-haproxy-config-'));
    try {
      writeFileSync(join(dir, 'haproxy.cfg'), haproxyConfig(input));
      const { stderr } = await promisify(execFile)('haproxy', ['-c', '-f', join(dir, 'haproxy.cfg')], {
        env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin` },
      });
      expect(stderr).not.toMatch(/WARNING|ALERT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what would make a broken or surprising file', () => {
    expect(() => haproxyConfig({ ...input, port: 70000 })).toThrow(/port must be 1-65535/);
    expect(() => haproxyConfig({ ...input, realtime: [] })).toThrow(/at least one API and one realtime/);
    expect(() => haproxyConfig({ ...input, api: [{ name: 'a b', address: '127.0.0.1:1' }] })).toThrow(
      /not a usable server name/,
    );
    expect(() => haproxyConfig({ ...input, api: [{ name: 'api', address: '127.0.0.1' }] })).toThrow(
      /not a host:port address/,
    );
    expect(() => haproxyConfig({ ...input, storage: { ...input.storage, bucket: 'Bad_Bucket' } })).toThrow(
      /not an S3 bucket name/,
    );
  });
});

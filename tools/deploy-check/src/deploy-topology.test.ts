import { describe, expect, it } from 'vitest';
import { balancerProblems, type ComposeFile, composeProblems } from './compose-topology.ts';
import { durationMs, readHaproxyConfig, unexpectedWarnings } from './haproxy-config.ts';

const secrets = {
  POSTGRES_PASSWORD: 'pg',
  REDIS_PASSWORD: 'rd',
  CHAT_SECRET_KEY: 'k'.repeat(32),
  CHAT_METRICS_TOKEN: 'm'.repeat(16),
};
const healthy = { condition: 'service_healthy' };
function server(role: string) {
  return {
    environment: {
      CHAT_ROLE: role,
      DATABASE_URL: 'postgres://chat:pg@postgres:5432/chat',
      REDIS_URL: 'redis://:rd@redis:6379',
      CHAT_SECRET_KEY: secrets.CHAT_SECRET_KEY,
      CHAT_METRICS_TOKEN: secrets.CHAT_METRICS_TOKEN,
    },
    depends_on: { postgres: healthy, redis: healthy, s3: healthy },
  };
}
function topology(): ComposeFile {
  const check = { test: ['CMD', 'true'] };
  return {
    services: {
      lb: { healthcheck: check, depends_on: { api: healthy, 'realtime-1': healthy, 'realtime-2': healthy } },
      api: server('api'),
      'realtime-1': server('realtime'),
      'realtime-2': server('realtime'),
      worker: server('worker'),
      postgres: { healthcheck: check },
      redis: { healthcheck: check },
      s3: {},
    },
  };
}
const haproxy = `defaults
  timeout tunnel 1h  # WebSockets
backend api
  server api-1 api:8080
backend realtime
  server realtime-1 realtime-1:8080
  server realtime-2 realtime-2:8080
`;

describe('composeProblems', () => {
  it('passes the topology, and names a wrong role, a missing wait, a foreign secret, a missing service', () => {
    expect(composeProblems(topology(), secrets)).toEqual([]);
    const compose = topology();
    compose.services['realtime-2']!.environment!.CHAT_ROLE = 'api';
    delete compose.services.worker!.depends_on!.redis;
    compose.services.api!.environment!.CHAT_SECRET_KEY = 'another';
    delete compose.services.postgres!.healthcheck;
    delete compose.services.s3;
    expect(composeProblems(compose, secrets)).toEqual([
      'no s3 service',
      "api: CHAT_SECRET_KEY is not the env file's",
      'realtime-2: CHAT_ROLE is api, not realtime',
      'worker: does not wait for redis to be healthy',
      'postgres: no healthcheck',
    ]);
  });
});

describe('balancerProblems', () => {
  it('passes when each backend lists exactly the nodes of its role', () => {
    expect(balancerProblems(readHaproxyConfig(haproxy), topology())).toEqual([]);
  });

  it('names a node in the wrong backend, one left out, an unknown host and a short tunnel timeout', () => {
    const config = haproxy
      .replace('server realtime-2 realtime-2:8080', 'server x worker:8080\n  server y cache:6379')
      .replace('1h', '20s');
    expect(balancerProblems(readHaproxyConfig(config), topology())).toEqual([
      'haproxy backend realtime lists worker, whose role is worker',
      'haproxy server y: no compose service cache',
      'haproxy backend realtime lists cache, whose role is none',
      'the realtime backend does not list realtime-2',
      'timeout tunnel must be longer than the server heartbeat (25 s) for WebSockets',
    ]);
  });
});

describe('haproxy-config', () => {
  it("reads HAProxy's durations", () => {
    expect([durationMs('1500'), durationMs('10s'), durationMs('1h')]).toEqual([1500, 10_000, 3_600_000]);
    expect(() => durationMs('ten')).toThrow('not an HAProxy duration: ten');
  });

  it('lets only the unresolved compose names through', () => {
    const output = `[WARNING]  (1) : config : [h.cfg:58] : 'server api/api-1' : could not resolve address 'api', disabling server.
[WARNING]  (1) : config : parsing [h.cfg:9] : 'option httplog' not usable with proxy 'stats' (needs 'mode http').`;
    expect(unexpectedWarnings(output)).toEqual([output.split('\n')[1]]);
  });
});

import type { HaproxyFacts } from './haproxy-config.ts';

/** The part of `docker-compose config`'s output the checks read. */
export interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: unknown };
}
export interface ComposeFile {
  services: Record<string, ComposeService>;
}

/** The services the topology must have, and the server role each chat-server service runs. */
export const SERVER_ROLES: Record<string, string> = {
  api: 'api',
  'realtime-1': 'realtime',
  'realtime-2': 'realtime',
  worker: 'worker',
};
const BACKING = ['postgres', 'redis', 's3'];
/** Built from a Dockerfile whose HEALTHCHECK the Dockerfile rules hold: no compose healthcheck needed. */
const HEALTH_FROM_IMAGE = [...Object.keys(SERVER_ROLES), 's3'];

/**
 * The compose file describes the production topology: a balancer in front of 1 api + 2 realtime
 * nodes, a worker, PostgreSQL, Redis and S3, each started only once what it needs is healthy,
 * every secret from the env file.
 */
export function composeProblems(compose: ComposeFile, secrets: Record<string, string>): string[] {
  const problems: string[] = [];
  const services = compose.services ?? {};
  for (const name of ['lb', ...Object.keys(SERVER_ROLES), ...BACKING])
    if (!services[name]) problems.push(`no ${name} service`);

  for (const [name, role] of Object.entries(SERVER_ROLES)) {
    const service = services[name];
    if (!service) continue;
    const env = service.environment ?? {};
    if (env.CHAT_ROLE !== role) problems.push(`${name}: CHAT_ROLE is ${env.CHAT_ROLE}, not ${role}`);
    for (const dependency of BACKING)
      if (service.depends_on?.[dependency]?.condition !== 'service_healthy')
        problems.push(`${name}: does not wait for ${dependency} to be healthy`);
    for (const variable of ['CHAT_SECRET_KEY', 'CHAT_METRICS_TOKEN'])
      if (env[variable] !== secrets[variable]) problems.push(`${name}: ${variable} is not the env file's`);
    if (!env.DATABASE_URL?.includes(`:${secrets.POSTGRES_PASSWORD}@`))
      problems.push(`${name}: DATABASE_URL does not carry the env file's POSTGRES_PASSWORD`);
    if (!env.REDIS_URL?.includes(`:${secrets.REDIS_PASSWORD}@`))
      problems.push(`${name}: REDIS_URL does not carry the env file's REDIS_PASSWORD`);
  }
  for (const [name, service] of Object.entries(services)) {
    if (!service.healthcheck?.test && !HEALTH_FROM_IMAGE.includes(name))
      problems.push(`${name}: no healthcheck`);
  }
  for (const upstream of ['api', 'realtime-1', 'realtime-2'])
    if (services.lb?.depends_on?.[upstream]?.condition !== 'service_healthy')
      problems.push(`lb: does not wait for ${upstream} to be healthy`);
  return problems;
}

/**
 * The balancer's servers are the compose services of the right role (their CHAT_ROLE): the api
 * backend every api node and only those, the same for realtime, and nothing compose does not run.
 */
export function balancerProblems(haproxy: HaproxyFacts, compose: ComposeFile): string[] {
  const problems: string[] = [];
  const services = compose.services ?? {};
  for (const server of haproxy.servers) {
    if (!services[server.host])
      problems.push(`haproxy server ${server.name}: no compose service ${server.host}`);
    const role = services[server.host]?.environment?.CHAT_ROLE ?? undefined;
    if ((server.backend === 'api' || server.backend === 'realtime') && role !== server.backend)
      problems.push(
        `haproxy backend ${server.backend} lists ${server.host}, whose role is ${role ?? 'none'}`,
      );
  }
  for (const [name, service] of Object.entries(services)) {
    const role = service.environment?.CHAT_ROLE;
    if (role !== 'api' && role !== 'realtime') continue;
    if (!haproxy.servers.some((server) => server.host === name && server.backend === role))
      problems.push(`the ${role} backend does not list ${name}`);
  }
  // The server sends a heartbeat every 25 s: a shorter idle timeout would cut healthy sockets.
  const tunnel = haproxy.defaultTimeouts.tunnel;
  if (tunnel === undefined || tunnel <= 25_000)
    problems.push('timeout tunnel must be longer than the server heartbeat (25 s) for WebSockets');
  return problems;
}

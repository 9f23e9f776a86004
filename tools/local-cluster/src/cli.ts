import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Cluster, startCluster } from './cluster';
import { STATS_PATH } from './haproxy-config';

const HELP = `npm run cluster [-- options]

Starts HAProxy in front of 2 realtime + 1 API + 1 worker chat-server processes, with their own
PostgreSQL, Redis and s3rver, serving the React example. Ctrl-C stops everything.

Options:
  --port N        the balancer's port (default 8080; 0: any free port)
  --realtime N    realtime nodes (default 2)
  --log-level L   the nodes' log level (default warn)
  --no-web        serve no web app (API only)

Environment:
  DATABASE_URL    use this PostgreSQL instead of starting one
  REDIS_URL       use this Redis instead of starting one
  CHAT_WEB_ROOT   serve this built web app instead of the React example
`;

const require = createRequire(import.meta.url);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function options() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      realtime: { type: 'string', default: '2' },
      'log-level': { type: 'string', default: 'warn' },
      'no-web': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number, got ${JSON.stringify(values.port)}`);
  const realtime = Number(values.realtime);
  if (!Number.isInteger(realtime) || realtime < 1 || realtime > 16)
    throw new Error(`--realtime must be a whole number from 1 to 16, got ${JSON.stringify(values.realtime)}`);
  let webRoot: string | undefined;
  if (!values['no-web']) {
    webRoot = resolve(process.env.CHAT_WEB_ROOT || join(ROOT, 'examples/react-chat/dist'));
    if (!existsSync(join(webRoot, 'index.html')))
      throw new Error(
        `${webRoot} has no index.html: build the app first (npm run cluster builds the React example)`,
      );
  }
  return { port, realtime, logLevel: values['log-level'], webRoot };
}

function describe(cluster: Cluster): string {
  const row = (what: string, where: string, note = '') =>
    `  ${what.padEnd(11)} ${where}${note && `  ${note}`}`;
  const { services } = cluster;
  return [
    '',
    `  Chat cluster ready: open ${cluster.url}`,
    '',
    row('balancer', `HAProxy on ${cluster.haproxy.url}`, `stats: ${cluster.url}${STATS_PATH}`),
    row('api', cluster.api.url, 'REST, the web app (/)'),
    ...cluster.realtime.map((node) => row(node.name, node.url, 'WebSocket (/v1/ws)')),
    row('worker', cluster.worker.url, 'jobs: webhooks, push, media, retention'),
    row('PostgreSQL', services.databaseUrl),
    row('Redis', services.redisUrl),
    row(
      's3rver',
      services.s3.endpoint,
      `bucket ${services.s3.bucket}, reached at ${cluster.url}/${services.s3.bucket}`,
    ),
    '',
    '  Demo users: alice, bob, carol, dave — password "chat-demo" (api key "demo")',
    '  Ctrl-C stops everything.',
    '',
  ].join('\n');
}

async function main() {
  const { port, realtime, logLevel, webRoot } = options();
  const serverCli = join(dirname(require.resolve('@chat/server/package.json')), 'dist/cli.js');
  if (!existsSync(serverCli))
    throw new Error(`${serverCli} is missing: build the server first (npm run build)`);
  const cluster = await startCluster({
    serverCli,
    s3rverBin: require.resolve('s3rver/bin/s3rver.js'),
    port,
    realtimeNodes: realtime,
    logLevel,
    webRoot,
    databaseUrl: process.env.DATABASE_URL || undefined,
    redisUrl: process.env.REDIS_URL || undefined,
  });
  process.stdout.write(describe(cluster));

  let stopping = false;
  const stop = (signal: string) => {
    // A second Ctrl-C does not wait: the exit handlers kill whatever is left.
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`\n${signal}: stopping the cluster…`);
    cluster.stop().then(
      () => {
        console.log('stopped: every process ended, temp directories removed');
        process.exit(0);
      },
      (error: Error) => {
        console.error(error.message);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
}

main().catch((error: unknown) => {
  console.error(`cluster: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

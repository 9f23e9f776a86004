import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  missingTools,
  type ServerNode,
  startNode,
  startPostgres,
  startRedis,
  startS3Server,
  stopNodes,
} from '@chat/fault-kit';
import { type Haproxy, missingHaproxy, startHaproxy } from './haproxy';

/**
 * The production shape on one machine: HAProxy in front of 2 realtime + 1 API + 1 worker server
 * processes that share a PostgreSQL, a Redis and an S3-compatible store (s3rver). Each piece is
 * a child process of this one; `stop()` ends them all and removes their temp directories.
 */
export interface ClusterOptions {
  /** The server's CLI (`@chat/server`'s `dist/cli.js`). */
  serverCli: string;
  /** s3rver's CLI (`s3rver/bin/s3rver.js`). */
  s3rverBin: string;
  /** The balancer's port (default 8080; 0: a free one). */
  port?: number;
  /** Where the balancer listens (default 127.0.0.1). */
  host?: string;
  /** A PostgreSQL to use instead of starting one (then nothing in it is removed). */
  databaseUrl?: string | undefined;
  /** A Redis to use instead of starting one. */
  redisUrl?: string | undefined;
  /** A built web app the API node serves at `/` (the React example). */
  webRoot?: string | undefined;
  /** Realtime nodes behind the balancer (default 2). */
  realtimeNodes?: number;
  /** The nodes' pino level (default `warn`). */
  logLevel?: string;
  /** Variables for every node (on top of this process's environment), e.g. limits. */
  env?: Record<string, string>;
  /** Where the balancer's and the nodes' output lines go, prefixed with who said them. */
  log?: (line: string) => void;
}

export interface Cluster {
  /** The front door, as a browser opens it: `http://localhost:<port>`. */
  url: string;
  port: number;
  api: ServerNode;
  realtime: ServerNode[];
  worker: ServerNode;
  /** Every node, in start order. */
  nodes: ServerNode[];
  haproxy: Haproxy;
  services: { databaseUrl: string; redisUrl: string; s3: { endpoint: string; bucket: string } };
  /** Stops everything it started (balancer first, then the nodes, then the services). */
  stop(): Promise<void>;
}

const BUCKET = 'chat-media';

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const log = options.log ?? ((line: string) => console.log(line));
  const realtimeCount = options.realtimeNodes ?? 2;
  if (!Number.isInteger(realtimeCount) || realtimeCount < 1)
    throw new Error(`realtime nodes must be a whole number of at least 1, got ${realtimeCount}`);
  const host = options.host ?? '127.0.0.1';
  // What is not installed is said before anything starts.
  const missing = [
    await missingHaproxy(),
    !options.databaseUrl || !options.redisUrl ? missingTools() : null,
  ].filter(Boolean);
  if (missing.length > 0)
    throw new Error(`${missing.join('; ')} (DATABASE_URL and REDIS_URL use running services instead)`);
  // Undone in reverse order by stop(), and by a start that fails half way.
  const undo: { what: string; run: () => Promise<void> | void }[] = [];
  const stop = async () => {
    const failures: string[] = [];
    for (const step of undo.splice(0).reverse()) {
      try {
        await step.run();
      } catch (error) {
        failures.push(`${step.what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (failures.length > 0) throw new Error(`the cluster did not stop cleanly:\n${failures.join('\n')}`);
  };

  try {
    const dir = mkdtempSync(join(tmpdir(), 'chat-cluster-'));
    // Also when this process exits without stopping (a second Ctrl-C, a crash).
    const removeDir = () => rmSync(dir, { recursive: true, force: true });
    process.once('exit', removeDir);
    undo.push({
      what: `removing ${dir}`,
      run: () => {
        process.off('exit', removeDir);
        removeDir();
      },
    });
    const port = options.port === 0 ? await freePort() : (options.port ?? 8080);
    // Found out now, not after a minute of starting everything else.
    await assertPortFree(host, port);
    const url = `http://localhost:${port}`;

    log(`starting PostgreSQL, Redis and s3rver…`);
    const [databaseUrl, redisUrl, s3] = await Promise.all([
      options.databaseUrl ??
        startPostgres().then((pg) => {
          undo.push({ what: 'stopping PostgreSQL', run: () => pg.destroy() });
          return pg.url;
        }),
      options.redisUrl ??
        startRedis().then((redis) => {
          undo.push({ what: 'stopping Redis', run: () => redis.stop() });
          return redis.url;
        }),
      // No CORS rules: the web app reaches the bucket through the balancer, on its own origin.
      startS3Server(options.s3rverBin, { bucket: BUCKET }).then((server) => {
        undo.push({ what: 'stopping s3rver', run: () => server.stop() });
        return server;
      }),
    ]);

    const nodes: ServerNode[] = [];
    undo.push({ what: 'stopping the nodes', run: () => stopNodes(nodes) });
    const common: Record<string, string> = {
      ...options.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      LOG_LEVEL: options.logLevel ?? 'warn',
      // One key on every node: uploads' signatures and sealed push credentials hold across them.
      CHAT_SECRET_KEY: process.env.CHAT_SECRET_KEY || randomBytes(32).toString('base64url'),
      CHAT_S3_BUCKET: BUCKET,
      CHAT_S3_REGION: s3.region,
      CHAT_S3_ACCESS_KEY_ID: s3.accessKeyId,
      CHAT_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      CHAT_S3_ENDPOINT: s3.endpoint,
      CHAT_S3_FORCE_PATH_STYLE: '1',
      // Browsers reach the bucket through the balancer; URLs are signed for that host.
      CHAT_S3_PUBLIC_ENDPOINT: url,
      // Only the balancer's X-Forwarded-For is believed.
      CHAT_TRUST_PROXY: '127.0.0.1',
    };
    const start = async (name: string, role: string, env: Record<string, string> = {}) => {
      const dataDir = join(dir, name);
      mkdirSync(dataDir);
      const node = await startNode(options.serverCli, name, {
        ...common,
        CHAT_ROLE: role,
        CHAT_DATA_DIR: dataDir,
        CHAT_SEED_DEMO: '0',
        CHAT_WEB_ROOT: '',
        ...env,
      });
      nodes.push(node);
      for (const stream of [node.child.stdout!, node.child.stderr!])
        stream.on('data', (chunk: Buffer) => {
          for (const line of chunk.toString().split('\n')) if (line.trim()) log(`[${name}] ${line}`);
        });
      void node.exited.then((how) => log(`[${name}] exited (${how})`));
      return node;
    };

    // The API node first: it migrates the database and seeds the demo app, so the others start
    // on a ready schema instead of racing to create it.
    log(`starting the API node, then ${realtimeCount} realtime nodes and a worker…`);
    const api = await start('api', 'api', {
      CHAT_SEED_DEMO: '1',
      ...(options.webRoot && { CHAT_WEB_ROOT: options.webRoot }),
    });
    const [worker, ...realtime] = await Promise.all([
      start('worker', 'worker'),
      ...Array.from({ length: realtimeCount }, (_, i) => start(`realtime-${i + 1}`, 'realtime')),
    ]);

    const address = (node: ServerNode) => new URL(node.url).host;
    const haproxy = await startHaproxy(
      dir,
      {
        host,
        port,
        api: [{ name: 'api', address: address(api) }],
        realtime: realtime.map((node) => ({ name: node.name, address: address(node) })),
        storage: { address: new URL(s3.endpoint).host, bucket: BUCKET },
      },
      (line) => log(`[haproxy] ${line}`),
    );
    undo.push({ what: 'stopping HAProxy', run: () => haproxy.stop() });

    return {
      url,
      port,
      api,
      realtime,
      worker: worker!,
      nodes: [api, ...realtime, worker!],
      haproxy,
      services: { databaseUrl, redisUrl, s3: { endpoint: s3.endpoint, bucket: BUCKET } },
      stop,
    };
  } catch (error) {
    await stop().catch((failure: Error) => log(failure.message));
    throw error;
  }
}

async function assertPortFree(host: string, port: number): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `port ${port} on ${host} is in use: stop what holds it or pass another (--port N, 0 for any)`
        : `cannot listen on ${host}:${port}: ${(error as Error).message}`,
    );
  }
  await new Promise((resolve) => server.close(resolve));
}

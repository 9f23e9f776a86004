import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { faultSuiteRuns } from '@chat/fault-kit';
import { type ClusterOptions, startCluster } from '../src/cluster';
import { missingHaproxy } from '../src/haproxy';

const require = createRequire(import.meta.url);

/** The React example's build (turbo builds it before this package's tests: a devDependency). */
export const REACT_APP = join(dirname(require.resolve('@chat/example-react-chat/package.json')), 'dist');

/**
 * Whether the cluster can start here (HAProxy, redis-server, initdb/pg_ctl): without them the
 * suite skips, and fails under `CHAT_REQUIRE_SERVICES=1` (CI).
 */
export async function clusterSuiteRuns(): Promise<boolean> {
  if (!faultSuiteRuns()) return false;
  const missing = await missingHaproxy();
  if (!missing) return true;
  const skipped = `cluster suite skipped: ${missing}`;
  if (process.env.CHAT_REQUIRE_SERVICES === '1') throw new Error(`CHAT_REQUIRE_SERVICES=1 but ${skipped}`);
  console.warn(skipped);
  return false;
}

/**
 * A cluster of its own for a suite: every service started here (never the machine's shared
 * PostgreSQL or Redis, whatever DATABASE_URL and REDIS_URL say), the balancer on a free port,
 * the nodes' output kept for failure reports.
 */
export async function startTestCluster(output: string[], options: Partial<ClusterOptions> = {}) {
  return startCluster({
    serverCli: join(dirname(require.resolve('@chat/server/package.json')), 'dist/cli.js'),
    s3rverBin: require.resolve('s3rver/bin/s3rver.js'),
    port: 0,
    log: (line) => output.push(line),
    // The suite's own schema and prefix are not wanted here: the services are fresh.
    env: { CHAT_DATABASE_SCHEMA: '', CHAT_REDIS_PREFIX: '' },
    ...options,
  });
}

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { type ChatServer, type ChatServerOptions, createChatServer } from '../src/startup/server';
import { openStore, type Store } from '../src/store/database';
import { newTestSchema, testDatabase, testDatabaseUrl } from './harness';

/**
 * Two in-process nodes of the server sharing one PostgreSQL schema and one Redis, for the suites
 * that check what crosses from one node to the other. Only the postgres project runs them (PGlite
 * has no database two nodes can share); there, a missing REDIS_URL skips them with a warning, or
 * fails when CHAT_REQUIRE_SERVICES=1 (CI).
 */

export const redisUrl = process.env.REDIS_URL || undefined;

/** Whether this project runs the two-node suite named `what`; says why when it does not. */
export function twoNodesRun(what: string): boolean {
  if (testDatabase !== 'postgres') return false;
  if (redisUrl) return true;
  const skipped = `${what} two-node suite skipped: DATABASE_URL and REDIS_URL are needed`;
  if (process.env.CHAT_REQUIRE_SERVICES === '1') throw new Error(`CHAT_REQUIRE_SERVICES=1 but ${skipped}`);
  console.warn(skipped);
  return false;
}

/**
 * Starts two nodes before the suite's tests and stops them after; `nodes` fills in `beforeAll`.
 * `options` (a function: it may need what another `beforeAll` set up) go to both nodes.
 */
export function useTwoNodes(
  prefix: string,
  options: () => Partial<ChatServerOptions> = () => ({}),
): { nodes: ChatServer[] } {
  const nodes: ChatServer[] = [];
  let store: Store | undefined;
  beforeAll(async () => {
    store = await openStore({ databaseUrl: testDatabaseUrl(), schema: newTestSchema(), poolSize: 8 });
    const redisPrefix = `${prefix}:${randomBytes(4).toString('hex')}:`;
    for (let i = 0; i < 2; i++) {
      nodes.push(
        await createChatServer({
          store,
          port: 0,
          seedDemo: false,
          logLevel: 'silent',
          redisUrl,
          redisPrefix,
          ...options(),
        }),
      );
    }
  }, 60_000);
  afterAll(async () => {
    for (const node of nodes) await node.close();
    await store?.close();
  });
  return { nodes };
}

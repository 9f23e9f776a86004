// This server for the push scenario: the same as targets/chat.mjs (createChatServer with
// loadConfig's environment, one application for the bench, BENCH_READY on stdout, gc/profile
// over IPC, SIGTERM to stop), plus two IPC commands the push scenario needs on the embedded
// database, which lives inside this process and cannot be reached from outside:
//  - `analyze`: ANALYZE the store's tables (what autovacuum does on a PostgreSQL server; PGlite
//    runs none, so without it the planner has no statistics at all);
//  - `query`: a read-only look (e.g. the push job's row in pg-boss's table), `{ text, params }`;
//  - `stalls`: the times the event loop was held up (a 10 ms timer firing ≥ 50 ms late) since
//    the last call: when, and for how long (a REST request arriving then waits as long).
// Started by startPushServer() in push-fake.mjs.
import { pathToFileURL } from 'node:url';
import { announce, serveControl } from './targets/common.mjs';

// BENCH_PUSH_SERVER_MODULE: another build of the server (a path to its dist/index.js), to try a
// change (e.g. to the push worker) against the same workload without touching the built package.
const { createChatServer, loadConfig } = await import(
  process.env.BENCH_PUSH_SERVER_MODULE
    ? pathToFileURL(process.env.BENCH_PUSH_SERVER_MODULE).href
    : '@chat/server'
);

const STALL_MS = 50;
let stalls = [];
let expected = performance.timeOrigin + performance.now() + 10;
setInterval(() => {
  const now = performance.timeOrigin + performance.now();
  const late = now - expected;
  if (late >= STALL_MS && stalls.length < 10_000) stalls.push({ at: now - late, ms: late });
  expected = now + 10;
}, 10).unref();

const config = loadConfig(process.env);
const startedAt = performance.now();
const server = await createChatServer({
  ...config,
  port: Number(process.env.PORT ?? 0),
  seedDemo: false,
  logLevel: process.env.LOG_LEVEL ?? 'warn',
});
await server.store.db
  .insertInto('applications')
  .values({
    name: 'bench',
    api_key: process.env.BENCH_API_KEY,
    api_secret: process.env.BENCH_API_SECRET,
    allow_registration: false,
  })
  .onConflict((oc) => oc.column('api_key').doNothing())
  .execute();

/** Runs SQL on the store: PGlite directly, PostgreSQL through a pool client of the store. */
async function runSql(text, params = []) {
  const { store } = server;
  if (store.pglite) return (await store.pglite.query(text, params)).rows;
  const { sql } = await import('kysely');
  const raw = sql.raw(text);
  if (params.length) throw new Error('parameters are for PGlite only here');
  return (await raw.execute(store.db)).rows;
}

process.on('message', (message) => {
  if (message?.type !== 'push-sql') return;
  const { id, action, text, params } = message;
  if (action === 'stalls') {
    process.send?.({ type: 'push-sql', id, ok: true, result: stalls });
    stalls = [];
    return;
  }
  const work =
    action === 'analyze'
      ? (async () => {
          const schema = server.store.schema ?? 'public';
          const tables = await runSql(
            `select tablename from pg_tables where schemaname = '${schema.replaceAll("'", "''")}'`,
          );
          for (const { tablename } of tables) await runSql(`analyze "${schema}"."${tablename}"`);
          return tables.length;
        })()
      : runSql(text, params);
  work.then(
    (result) => process.send?.({ type: 'push-sql', id, ok: true, result }),
    (error) => process.send?.({ type: 'push-sql', id, ok: false, error: String(error?.message ?? error) }),
  );
});

const { port } = new URL(server.url);
announce({
  port: Number(port),
  url: server.url,
  store: server.store.kind,
  schema: server.store.schema ?? null,
  startMs: Math.round(performance.now() - startedAt),
});
serveControl(() => server.close());

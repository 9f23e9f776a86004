// This server, as its CLI runs it (createChatServer with loadConfig's environment: PORT,
// DATABASE_URL, CHAT_DATABASE_SCHEMA, REDIS_URL, CHAT_REDIS_PREFIX, CHAT_WS_* …), plus one
// application for the bench (BENCH_API_KEY / BENCH_API_SECRET), created if missing, so every node
// and every restart share it.
import { createChatServer, loadConfig } from '@chat/server';
import { announce, serveControl } from './common.mjs';

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
const { port } = new URL(server.url);
announce({
  port: Number(port),
  url: server.url,
  store: server.store.kind,
  startMs: Math.round(performance.now() - startedAt),
});
serveControl(() => server.close());

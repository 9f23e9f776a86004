// This server for the media scenario: the same as targets/chat.mjs (createChatServer with
// loadConfig's environment, one application for the bench, BENCH_READY on stdout, gc/profile
// over IPC, SIGTERM to stop), but on a store it opens itself with a statement counter in it (a
// Kysely plugin, as mock-server/test/ws-statement-budget.test.ts counts them), so the scenario
// can ask how many SQL statements one request took:
//  - `{ type: 'media-stmts', action: 'reset' }` zeroes the count;
//  - `{ type: 'media-stmts', action: 'take' }` answers `{ count, kinds }` since the last reset
//    (every statement of the process: the server's background work counts too, which is why the
//    scenario takes the fewest of several sends).
// Started by the media scenario through proc.mjs's startTarget('media').
import { createChatServer, loadConfig, openStore } from '@chat/server';
import { announce, serveControl } from './targets/common.mjs';

class StatementCounter {
  kinds = [];
  transformQuery(args) {
    this.kinds.push(args.node.kind);
    return args.node;
  }
  async transformResult(args) {
    return args.result;
  }
  take() {
    const kinds = this.kinds;
    this.kinds = [];
    return kinds;
  }
}

const counter = new StatementCounter();
const config = loadConfig(process.env);
const startedAt = performance.now();
const store = await openStore({
  databaseUrl: config.databaseUrl,
  dataDir: config.dataDir,
  ...(config.databaseSchema !== undefined && { schema: config.databaseSchema }),
  ...(config.databasePoolSize !== undefined && { poolSize: config.databasePoolSize }),
});
const server = await createChatServer({
  ...config,
  store: { ...store, db: store.db.withPlugin(counter) },
  port: Number(process.env.PORT ?? 0),
  seedDemo: false,
  logLevel: process.env.LOG_LEVEL ?? 'warn',
});
await store.db
  .insertInto('applications')
  .values({
    name: 'bench',
    api_key: process.env.BENCH_API_KEY,
    api_secret: process.env.BENCH_API_SECRET,
    allow_registration: false,
  })
  .onConflict((oc) => oc.column('api_key').doNothing())
  .execute();

process.on('message', (message) => {
  if (message?.type !== 'media-stmts') return;
  const kinds = counter.take();
  if (message.action === 'take') {
    const byKind = {};
    for (const kind of kinds) byKind[kind] = (byKind[kind] ?? 0) + 1;
    process.send?.({ type: 'media-stmts', id: message.id, count: kinds.length, kinds: byKind });
  } else process.send?.({ type: 'media-stmts', id: message.id, count: 0 });
});

const { port } = new URL(server.url);
announce({
  port: Number(port),
  url: server.url,
  store: store.kind,
  startMs: Math.round(performance.now() - startedAt),
});
// The server does not own a store it was given: close both.
serveControl(async () => {
  await server.close();
  await store.close();
});

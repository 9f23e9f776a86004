#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createServerToken, createUserToken } from './auth';
import { loadConfig } from './config';
import { createChatServer } from './server';
import { openStore } from './store/database';
import { VERSION } from './version';

const HELP = `chat-server ${VERSION}

Usage:
  chat-server [start] [--web-root DIR]      Start the server (PORT, HOST, DATABASE_URL, CHAT_DATA_DIR, REDIS_URL);
                                            --web-root (or CHAT_WEB_ROOT): a built web app to serve at /
  chat-server create-app --name NAME [--allow-registration] [--origin URL ...]
                                            Create an application and print its api key and secret
  chat-server token --api-key KEY (--user ID | --server) [--expires-in 1h]
                                            Print a token signed with the application's secret

With embedded PGlite (no DATABASE_URL) only one process may open the data directory:
run create-app and token while the server is stopped.
`;

async function main(argv: string[]): Promise<void> {
  const [command = 'start', ...rest] = argv;
  const config = loadConfig();
  const storeOptions = {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    ...(config.databaseSchema !== undefined && { schema: config.databaseSchema }),
  };
  if (command === 'start') return start(rest);
  if (command === 'create-app') return createApp(rest);
  if (command === 'token') return token(rest);
  process.stdout.write(HELP);
  if (command !== 'help' && command !== '--help') process.exitCode = 2;

  async function start(args: string[]) {
    const { values } = parseArgs({ args, options: { 'web-root': { type: 'string' } } });
    if (values['web-root']) config.webRoot = values['web-root'];
    const startedAt = performance.now();
    const server = await createChatServer(config);
    const ms = Math.round(performance.now() - startedAt);
    const storage = config.databaseUrl ? 'PostgreSQL' : `embedded PostgreSQL (${config.dataDir})`;
    const lines = [
      ``,
      `  chat-server ${VERSION} listening on ${server.url} (${storage}, started in ${ms} ms)`,
    ];
    if (config.webRoot) lines.push(`  Open ${server.url.replace('127.0.0.1', 'localhost')} in a browser`);
    lines.push(`  REST API docs: ${server.url}/v1/openapi.json`);
    if (server.demo) {
      lines.push(
        `  Demo application: api key "${server.demo.apiKey}"`,
        `  Demo users: ${server.demo.users.join(', ')} — password "${server.demo.password}"`,
        `  Demo channel: ${server.demo.channel}`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n\n`);
    const stop = async () => {
      await server.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }

  async function createApp(args: string[]) {
    const { values } = parseArgs({
      args,
      options: {
        name: { type: 'string' },
        'allow-registration': { type: 'boolean', default: false },
        origin: { type: 'string', multiple: true, default: [] },
      },
    });
    if (!values.name) throw new Error('create-app needs --name');
    const store = await openStore(storeOptions);
    try {
      const app = await store.db
        .insertInto('applications')
        .values({
          name: values.name,
          api_key: randomBytes(12).toString('base64url'),
          api_secret: randomBytes(32).toString('base64url'),
          allow_registration: values['allow-registration'],
          allowed_origins: values.origin,
        })
        .returning(['id', 'name', 'api_key', 'api_secret'])
        .executeTakeFirstOrThrow();
      process.stdout.write(`${JSON.stringify(app, null, 2)}\nKeep api_secret on your backend only.\n`);
    } finally {
      await store.close();
    }
  }

  async function token(args: string[]) {
    const { values } = parseArgs({
      args,
      options: {
        'api-key': { type: 'string' },
        user: { type: 'string' },
        server: { type: 'boolean', default: false },
        'expires-in': { type: 'string', default: '1h' },
      },
    });
    if (!values['api-key'] || (!values.user && !values.server))
      throw new Error('token needs --api-key and --user or --server');
    const store = await openStore(storeOptions);
    try {
      const app = await store.db
        .selectFrom('applications')
        .select('api_secret')
        .where('api_key', '=', values['api-key'])
        .executeTakeFirst();
      if (!app) throw new Error('No application has this api key');
      const expiresIn = values['expires-in'];
      const jwt = values.server
        ? await createServerToken(app.api_secret, { expiresIn })
        : await createUserToken(app.api_secret, values.user!, { expiresIn });
      process.stdout.write(`${jwt}\n`);
    } finally {
      await store.close();
    }
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`chat-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

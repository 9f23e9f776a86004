#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createAppOperation, createCustomerOperation, mintTokenOperation } from '../admin/admin-operations';
import { describeAdminError, runAdminOperation } from '../admin/run-admin-operation';
import { VERSION } from '../kernel/version';
import { loadConfig } from './config';
import { parseRole } from './roles';
import { createChatServer } from './server';

const HELP = `chat-server ${VERSION}

Usage:
  chat-server [start] [--web-root DIR] [--role all|api|realtime|worker]
                                            Start the server (PORT, HOST, DATABASE_URL, CHAT_DATA_DIR, REDIS_URL);
                                            --web-root (or CHAT_WEB_ROOT): a built web app to serve at /;
                                            --role (or CHAT_ROLE): what this process does, default all
                                            (api, realtime and worker need DATABASE_URL and REDIS_URL)
  chat-server create-app --name NAME [--allow-registration] [--origin URL ...] [--team TEAM_ID]
                                            Create an application and print its api key and secret
                                            (--team: the portal team that owns it)
  chat-server create-customer --email EMAIL --password PASSWORD [--name NAME] [--team TEAM]
                                            Create a portal account and a team it owns (the first
                                            customer of a self-hosted install); prints the team id
  chat-server token --api-key KEY (--user ID | --server) [--expires-in 1h]
                                            Print a token signed with the application's secret

With embedded PGlite (no DATABASE_URL) only one process may open the data directory. While a
server runs on it, create-app and token ask that server (through the admin token it keeps in
the data directory); a second server, or anything else, is refused with the holder's pid.
`;

async function main(argv: string[]): Promise<void> {
  const [command = 'start', ...rest] = argv;
  const config = loadConfig();
  const storeOptions = {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    ...(config.databaseSchema !== undefined && { schema: config.databaseSchema }),
  };
  const adminSettings = { maxTokenLifetimeSeconds: config.maxTokenLifetimeSeconds };
  if (command === 'start') return start(rest);
  if (command === 'create-app') return createApp(rest);
  if (command === 'create-customer') return createCustomer(rest);
  if (command === 'token') return token(rest);
  process.stdout.write(HELP);
  if (command !== 'help' && command !== '--help') process.exitCode = 2;

  async function start(args: string[]) {
    const { values } = parseArgs({
      args,
      options: { 'web-root': { type: 'string' }, role: { type: 'string' } },
    });
    if (values['web-root']) config.webRoot = values['web-root'];
    if (values.role !== undefined) config.role = parseRole(values.role, '--role');
    const startedAt = performance.now();
    const server = await createChatServer(config);
    const ms = Math.round(performance.now() - startedAt);
    const storage = config.databaseUrl ? 'PostgreSQL' : `embedded PostgreSQL (${config.dataDir})`;
    const lines = [
      ``,
      `  chat-server ${VERSION} listening on ${server.url} (${storage}, started in ${ms} ms)`,
    ];
    if (config.role !== 'all') lines.push(`  Role: ${config.role}`);
    if (config.webRoot) lines.push(`  Open ${server.url.replace('127.0.0.1', 'localhost')} in a browser`);
    lines.push(
      `  REST API docs: ${server.url}/v1/docs (OpenAPI: /v1/openapi.json)`,
      `  WebSocket docs: ${server.url}/v1/docs/socket (AsyncAPI: /v1/asyncapi.json)`,
    );
    if (server.demo) {
      lines.push(
        `  Demo application: api key "${server.demo.apiKey}"`,
        `  Demo users: ${server.demo.users.join(', ')} — password "${server.demo.password}"`,
        `  Demo channel: ${server.demo.channel}`,
        `  Portal API (/portal/v1): ${server.demo.customer.email} — password "${server.demo.customer.password}"`,
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
        team: { type: 'string' },
      },
    });
    if (!values.name) throw new Error('create-app needs --name');
    const app = await runAdminOperation(
      storeOptions,
      createAppOperation,
      {
        name: values.name,
        allow_registration: values['allow-registration'],
        allowed_origins: values.origin,
        ...(values.team !== undefined && { team_id: values.team }),
      },
      adminSettings,
    );
    process.stdout.write(`${JSON.stringify(app, null, 2)}\nKeep api_secret on your backend only.\n`);
  }

  async function createCustomer(args: string[]) {
    const { values } = parseArgs({
      args,
      options: {
        email: { type: 'string' },
        password: { type: 'string' },
        name: { type: 'string' },
        team: { type: 'string' },
      },
    });
    if (!values.email || !values.password) throw new Error('create-customer needs --email and --password');
    const customer = await runAdminOperation(
      storeOptions,
      createCustomerOperation,
      {
        email: values.email,
        password: values.password,
        ...(values.name !== undefined && { display_name: values.name }),
        ...(values.team !== undefined && { team: values.team }),
      },
      adminSettings,
    );
    process.stdout.write(
      `${JSON.stringify(customer, null, 2)}\nLog in to the portal API at /portal/v1/auth/login with this email and password.\n`,
    );
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
    const { token } = await runAdminOperation(
      storeOptions,
      mintTokenOperation,
      {
        api_key: values['api-key'],
        ...(values.server ? { server: true as const } : { user_id: values.user }),
        expires_in: values['expires-in'],
      },
      adminSettings,
    );
    process.stdout.write(`${token}\n`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`chat-server: ${describeAdminError(error)}\n`);
  process.exit(1);
});

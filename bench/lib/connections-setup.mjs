// Shared by the connection scenarios: an undo stack per run, and a target started with a fresh
// application and its users' tokens.
import { appEnv, newCredentials, restClient, userTokens } from './chat-app.mjs';
import { unwind } from './cleanup.mjs';
import { startTarget } from './proc.mjs';
import { runNamespace } from './services.mjs';

/** Runs `fn(stack)`, then undoes what it pushed in reverse order; a failure becomes `{ error }`. */
export async function withStack(fn) {
  const stack = [];
  try {
    return await fn(stack);
  } catch (error) {
    return { error: error?.message ?? String(error) };
  } finally {
    await unwind(stack);
  }
}

/** Starts a target (with a fresh app for this server) and mints the users' tokens. */
export async function prepare(def, stack, count, extraEnv = {}) {
  const env = { ...def.env, ...extraEnv };
  let ns = null;
  if (def.services) {
    ns = runNamespace(`conn_${def.id}`);
    Object.assign(env, ns.env);
    stack.push(() => ns.cleanup());
  }
  const credentials = def.kind === 'chat' ? newCredentials() : null;
  if (credentials) Object.assign(env, appEnv(credentials));
  const server = await startTarget(def.kind, { env, name: `conn-${def.id}` });
  stack.push(() => server.stop());
  const ids = Array.from({ length: count }, (_, i) => `u${i}`);
  let tokens = [];
  let rest = null;
  if (credentials) {
    rest = await restClient(server.url, credentials);
    await rest.upsertUsers(ids);
    tokens = await userTokens(credentials.apiSecret, ids);
  }
  const target = { kind: def.kind, host: '127.0.0.1', port: server.port, apiKey: credentials?.apiKey };
  return { env, ns, server, ids, tokens, rest, target, credentials };
}

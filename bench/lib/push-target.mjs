// Starts push-server.mjs (this server, as targets/chat.mjs runs it, plus `analyze`, `stalls` and
// `query` over IPC) through proc.mjs's startTarget: its handle, and those three commands.
import { startTarget } from './proc.mjs';

export async function startPushServer({ env = {}, name = 'push-server', timeoutMs = 90_000 } = {}) {
  const target = await startTarget('push', { env, name, timeoutMs });
  const sql = async (message, ms) => {
    const reply = await target.request({ type: 'push-sql', ...message }, ms);
    if (!reply) throw new Error(`${name}: no answer to ${message.action}`);
    if (!reply.ok) throw new Error(`${name}: ${reply.error}`);
    return reply.result;
  };
  return {
    ...target,
    /** ANALYZE every table of the store's schema; resolves to how many. */
    analyze: () => sql({ action: 'analyze' }, 120_000),
    /** `[{ at, ms }]`: when the event loop was held up ≥ 50 ms since the last call, and how long. */
    stalls: () => sql({ action: 'stalls' }, 30_000),
    /** Rows of a query on the store (parameters on PGlite only). */
    query: (text, params = []) => sql({ action: 'query', text, params }, 30_000),
  };
}

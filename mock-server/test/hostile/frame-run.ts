import { isDeepStrictEqual } from 'node:util';
import { CLOSE_CODES, clientFrame, errorFrame, LIMITS, type ServerFrame } from '@chat/protocol';
import { WsClient } from '../ws-client';
import type { FrameCase, FrameEncoding, FrameMutation } from './frame-mutations';
import { CANARY, materialize } from './hostile-values';
import { idOf } from './id-kinds';
import { deleteAt, getAt, setAt, unsafeTextPaths } from './json-paths';
import type { RunContext } from './run-context';
import type { Path } from './schema-paths';
import { type Frame, validFrames } from './valid-inputs';
import { clip, Verdict } from './verdict';
import type { ForeignIds, World } from './world';

/**
 * Sends one hostile frame and judges what comes back, as `runRestCase` does for REST: an `error`
 * frame in the one error shape (or a documented close code), never `internal`; unsafe text and
 * schema violations refused with `validation_failed` naming the field; foreign ids answered as
 * missing; nothing written when refused; nothing logged that the client sent.
 */

/** One authenticated socket as alice, reopened when a case closes it. */
export class SocketPool {
  private socket: WsClient | undefined;

  constructor(private readonly w: World) {}

  async authenticated(): Promise<WsClient> {
    if (!this.socket || this.socket.closeCode !== null) {
      this.socket = await WsClient.connect(this.w.server.wsUrl, this.w.a.api_key, this.w.tokens.alice);
    }
    return this.socket;
  }

  async close(): Promise<void> {
    this.socket?.close();
    await this.socket?.waitForClose().catch(() => undefined);
  }
}

type Wire = { data: string | Buffer; binary: boolean };

let fences = 0;

export async function runFrameCase(ctx: RunContext, pool: SocketPool, c: FrameCase): Promise<void> {
  const { w } = ctx;
  const id = `f-${w.next()}`;
  const frame = mutate(w, validFrames[c.type](w, id), c.mutation);
  const wire = encode(frame, c.mutation);
  const verdict = new Verdict();
  const before = await ctx.state.before();
  const mark = w.logs.mark();
  const exchange = await send(ctx, pool, c, wire);

  judgeExchange(verdict, w, exchange);
  judgeFrame(verdict, c, frame, wire, exchange);
  judgeEchoes(verdict, c, frame, exchange);
  if (c.mutation.kind === 'foreign-id') await judgeForeign(ctx, pool, verdict, c, exchange);
  if (exchange.reply?.type === 'ack') ctx.state.invalidate();
  else verdict.unchanged(before, await ctx.state.after());
  verdict.logs(w.logs.problems(mark, [CANARY]));
  verdict.settle(
    `${c.type} frame (${c.mutation.kind}${c.mutation.kind === 'encoding' ? `: ${c.mutation.variant}` : ''}) ${clip(typeof wire.data === 'string' ? wire.data : `<${wire.data.length} bytes>`, 300)} answered ${exchange.reply ? clip(JSON.stringify(exchange.reply), 300) : 'nothing'}${exchange.closeCode !== null ? `, socket closed ${exchange.closeCode}` : ''}`,
  );
}

function mutate(w: World, frame: Frame, m: FrameMutation, fresh?: ForeignIds): unknown {
  switch (m.kind) {
    case 'set':
      return setAt(frame, m.path, materialize(m.value, getAt(frame, m.path), m.path.at(-1)));
    case 'delete':
      return deleteAt(frame, m.path);
    case 'extra-key':
      return setAt(frame, [...m.path, m.key], materialize(m.value));
    case 'foreign-id':
      return setAt(frame, m.path, idOf(w, m.id, fresh ?? m.owner));
    case 'server-only-field':
      return setAt(frame, m.path, m.value);
    case 'encoding':
      return frame;
  }
}

function encode(frame: unknown, m: FrameMutation): Wire {
  const json = JSON.stringify(frame);
  const text = (data: string): Wire => ({ data, binary: false });
  if (m.kind !== 'encoding') return text(json);
  switch (m.variant as FrameEncoding) {
    case 'binary':
      return { data: Buffer.from(json), binary: true };
    case 'binary with invalid UTF-8':
      return {
        data: Buffer.concat([
          Buffer.from(json.slice(0, -2)),
          Buffer.from([0xc3, 0x28, 0xff]),
          Buffer.from('"}'),
        ]),
        binary: true,
      };
    case 'not JSON':
      return text(`hello ${CANARY}`);
    case 'truncated JSON':
      return text(json.slice(0, -1));
    case 'empty':
      return text('');
    case 'over 64 KiB':
      return text(JSON.stringify({ ...(frame as object), pad: 'x'.repeat(LIMITS.FRAME_BYTES) }));
    case 'nested 20,000 deep':
      return text(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    case 'array of the frame':
      return text(`[${json}]`);
    case 'JSON string of the frame':
      return text(JSON.stringify(json));
    case 'byte order mark':
      return text(`\ufeff${json}`);
  }
}

interface Exchange {
  /** The ack or error answering the frame, if one came before the fence. */
  reply: Extract<ServerFrame, { type: 'ack' | 'error' }> | undefined;
  /** Every frame received meanwhile (events included). */
  frames: ServerFrame[];
  closeCode: number | null;
}

/**
 * Sends the frame, then a ping: a socket serves its frames in order, so once the ping is
 * answered (or the socket closed) the frame's answer, if any, has arrived.
 */
async function send(ctx: RunContext, pool: SocketPool, c: FrameCase, wire: Wire): Promise<Exchange> {
  // An auth frame needs a socket that has not authenticated yet.
  const client =
    c.type === 'auth' ? await WsClient.open(ctx.w.server.wsUrl, ctx.w.a.api_key) : await pool.authenticated();
  const from = client.frames.length;
  const fence = `fence-${++fences}`;
  client.sendRaw(wire.data, { binary: wire.binary });
  client.sendRaw(JSON.stringify({ type: 'ping', id: fence }));
  await waitFor(client, (f) => 'id' in f && f.id === fence);
  const frames = client.frames.slice(from);
  const reply = frames.find(
    (f): f is Exchange['reply'] & object => (f.type === 'ack' || f.type === 'error') && f.id !== fence,
  );
  const exchange = { reply, frames, closeCode: client.closeCode };
  if (c.type === 'auth') {
    client.close();
    await client.waitForClose().catch(() => undefined);
  }
  return exchange;
}

function waitFor(
  client: WsClient,
  match: (frame: ServerFrame) => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (client.closeCode !== null || client.frames.some(match)) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve();
      }
    };
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error('no answer to the fence ping'));
    }, timeoutMs);
    const poll = setInterval(check, 2);
    check();
  });
}

const ALLOWED_CLOSES: ReadonlySet<number> = new Set([
  CLOSE_CODES.UNSUPPORTED_DATA,
  CLOSE_CODES.MESSAGE_TOO_BIG,
  CLOSE_CODES.UNAUTHENTICATED,
  CLOSE_CODES.TOKEN_EXPIRED,
]);

function judgeExchange(verdict: Verdict, w: World, exchange: Exchange): void {
  for (const frame of exchange.frames) verdict.noSecrets('a frame', JSON.stringify(frame), w.secrets);
  const { reply, closeCode } = exchange;
  if (closeCode !== null && !ALLOWED_CLOSES.has(closeCode))
    verdict.fail(`the socket was closed with ${closeCode}`);
  if (reply?.type !== 'error') return;
  const text = JSON.stringify(reply);
  if (!errorFrame.strict().safeParse(reply).success)
    verdict.fail(`an error frame not in the one error shape: ${clip(text)}`);
  if (reply.error.status >= 500 || reply.error.code === 'internal')
    verdict.fail(`a server error: ${clip(text)}`);
  if (/\n\s+at |"stack"/.test(text)) verdict.fail(`the error carries a stack trace: ${clip(text)}`);
}

/** The id the server can read back from a frame that fails validation. */
function salvageableId(wire: Wire): string | undefined {
  if (wire.binary || typeof wire.data !== 'string') return undefined;
  try {
    const id = (JSON.parse(wire.data) as { id?: unknown })?.id;
    return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : undefined;
  } catch {
    return undefined;
  }
}

function judgeFrame(verdict: Verdict, c: FrameCase, frame: unknown, wire: Wire, exchange: Exchange): void {
  const { reply, closeCode } = exchange;
  const m = c.mutation;
  const bytes = typeof wire.data === 'string' ? Buffer.byteLength(wire.data) : wire.data.length;
  const code = reply?.type === 'error' ? reply.error.code : undefined;
  const refusedAs = (what: string, ...codes: string[]) => {
    if (code === undefined || !codes.includes(code)) {
      verdict.fail(`${what}, yet answered ${reply ? `${reply.type} ${code ?? ''}` : 'nothing'}`);
    }
  };
  if (!reply && closeCode === null) verdict.fail('no answer, and the socket is still open');
  if (reply) {
    const id = salvageableId(wire);
    if (reply.id !== id) verdict.fail(`the answer carries id ${reply.id}, the frame's was ${id}`);
  }
  if (bytes > LIMITS.FRAME_BYTES) {
    if (closeCode !== CLOSE_CODES.MESSAGE_TOO_BIG && code !== 'payload_too_large') {
      verdict.fail(`a frame over ${LIMITS.FRAME_BYTES} bytes was not refused as too big`);
    }
    return;
  }
  if (m.kind === 'encoding') {
    // The protocol is JSON text: a binary frame closes the socket (1003), unserved.
    if (wire.binary) {
      if (reply || closeCode !== CLOSE_CODES.UNSUPPORTED_DATA) {
        verdict.fail(`a binary frame was answered ${reply?.type ?? 'nothing'}, closed ${closeCode ?? 'not'}`);
      }
      return;
    }
    refusedAs(`a frame encoded as ${m.variant}`, 'invalid_frame', 'validation_failed');
    return;
  }
  const unsafe = unsafeTextPaths(frame);
  if (unsafe.length > 0) {
    refusedAs(`text with NUL or a lone surrogate (${clip(JSON.stringify(unsafe[0]))})`, 'validation_failed');
    if (reply?.type === 'error' && code === 'validation_failed') {
      const paths = (reply.error.details?.issues ?? []).map((issue) => issue.path);
      if (!unsafe.some((u) => paths.some((p) => isDeepStrictEqual(p, u)))) {
        verdict.fail(`the issues do not name the unsafe field ${clip(JSON.stringify(unsafe))}`);
      }
    }
    return;
  }
  if (!clientFrame.safeParse(frame).success) {
    refusedAs('a frame the schema refuses', 'validation_failed');
    return;
  }
  if (m.kind === 'server-only-field') {
    if (reply?.type === 'ack')
      verdict.fail(`a server-only field (${m.path.join('.')}) from a user was accepted`);
  }
  if (reply?.type === 'ack' && c.type === 'message.send') {
    const sender = (reply.result as { message?: { user_id?: string } })?.message?.user_id;
    if (sender !== 'alice') verdict.fail(`alice's socket sent a message as ${sender}`);
  }
}

/** Where accepted text comes back in the ack: sent path → acked path. */
export const FRAME_ECHOES: Partial<Record<FrameCase['type'], [Path, Path][]>> = {
  'message.send': [
    [
      ['message', 'text'],
      ['message', 'text'],
    ],
    [
      ['message', 'custom'],
      ['message', 'custom'],
    ],
  ],
  'message.update': [
    [
      ['message', 'text'],
      ['message', 'text'],
    ],
    [
      ['message', 'custom'],
      ['message', 'custom'],
    ],
  ],
};

function judgeEchoes(verdict: Verdict, c: FrameCase, frame: unknown, exchange: Exchange): void {
  const m = c.mutation;
  if (exchange.reply?.type !== 'ack' || m.kind !== 'set') return;
  for (const [sent, acked] of FRAME_ECHOES[c.type] ?? []) {
    if (!sent.every((step, i) => m.path[i] === undefined || m.path[i] === step)) continue;
    verdict.echoed(sent.join('.'), getAt(frame, sent), getAt(exchange.reply.result, acked));
  }
}

async function judgeForeign(
  ctx: RunContext,
  pool: SocketPool,
  verdict: Verdict,
  c: FrameCase,
  exchange: Exchange,
): Promise<void> {
  const m = c.mutation;
  if (m.kind !== 'foreign-id') return;
  const answer = exchange.reply;
  const code = answer?.type === 'error' ? answer.error.code : undefined;
  if (code === 'not_found') return;
  const twinFrame = mutate(ctx.w, validFrames[c.type](ctx.w, `t-${ctx.w.next()}`), m, ctx.w.fresh());
  const twin = (await send(ctx, pool, c, encode(twinFrame, m))).reply;
  ctx.state.invalidate();
  const twinCode = twin?.type === 'error' ? twin.error.code : undefined;
  if (twin?.type === answer?.type && twinCode === code) return;
  verdict.fail(
    `an id of the ${m.owner} (${m.path.join('.')}) answered ${answer?.type} ${code ?? ''}, an id that never existed ${twin?.type} ${twinCode ?? ''}`,
  );
}

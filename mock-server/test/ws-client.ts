import type { ChatEvent, ClientFrame, ServerFrame } from '@chat/protocol';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import { buildAsyncApiDocument } from '../src/http/asyncapi';
import { VERSION } from '../src/kernel/version';

type Outgoing = ClientFrame extends infer F ? (F extends { id: string } ? Omit<F, 'id'> : never) : never;

/**
 * A test WebSocket client: sends request frames and awaits their ack/error, and records every
 * event so tests can wait for one or assert that none arrived.
 *
 * Every frame the server sends is held to the AsyncAPI document (`/v1/asyncapi.json`): an event
 * must be one of its messages and match that message's schema, an ack must match the ack of the
 * request it answers, an error the error frame. A mismatch fails the waits of this client and
 * the test it happened in (see `violations`).
 */
export class WsClient {
  readonly events: ChatEvent[] = [];
  readonly frames: ServerFrame[] = [];
  /** Server frames the AsyncAPI document does not describe, as messages. */
  readonly violations: string[] = [];
  closeCode: number | null = null;
  private nextId = 1;
  /** The types of the requests sent under each id (a raw frame may reuse one). */
  private readonly sent = new Map<string, Set<string>>();
  private readonly waiters = new Set<() => void>();
  private readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      const problem = documented().check(frame, this.sent);
      if (problem) {
        this.violations.push(problem);
        violations.push(problem);
      }
      this.frames.push(frame);
      if (frame.type !== 'ack' && frame.type !== 'error') this.events.push(frame as ChatEvent);
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closeCode = code;
        for (const wake of this.waiters) wake();
        resolve(code);
      }),
    );
  }

  static async open(wsUrl: string, apiKey: string, headers: Record<string, string> = {}): Promise<WsClient> {
    const ws = new WebSocket(`${wsUrl}?api_key=${encodeURIComponent(apiKey)}`, { headers });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return new WsClient(ws);
  }

  /** Opens a socket and authenticates it; resolves once `connection.ok` arrived. */
  static async connect(wsUrl: string, apiKey: string, token: string): Promise<WsClient> {
    const client = await WsClient.open(wsUrl, apiKey);
    const reply = await client.request({ type: 'auth', token });
    if (reply.type !== 'ack') throw new Error(`auth failed: ${JSON.stringify(reply)}`);
    await client.waitFor((e) => e.type === 'connection.ok');
    return client;
  }

  /**
   * Sends raw data (for malformed-frame tests). A frame that parses with a string type and id is
   * remembered, so its ack is checked against that type's ack (a hostile id may reuse one).
   */
  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    try {
      const frame = JSON.parse(data.toString()) as { type?: unknown; id?: unknown };
      if (typeof frame?.type === 'string' && typeof frame.id === 'string')
        this.remember(frame.id, frame.type);
    } catch {
      // Not JSON: nothing it could be acked as.
    }
    this.ws.send(data, { binary: options.binary ?? false });
  }

  /** Sends a request frame and resolves with its `ack` or `error` frame. */
  async request(
    frame: Outgoing,
    timeoutMs = 10_000,
  ): Promise<Extract<ServerFrame, { type: 'ack' | 'error' }>> {
    const id = String(this.nextId++);
    this.remember(id, frame.type);
    this.ws.send(JSON.stringify({ ...frame, id }));
    const reply = await this.until(
      () => this.frames.find((f) => (f.type === 'ack' || f.type === 'error') && f.id === id),
      timeoutMs,
      `reply to ${frame.type}`,
    );
    return reply as Extract<ServerFrame, { type: 'ack' | 'error' }>;
  }

  /** Resolves with the ack result, or throws with the error. */
  async ok<T = any>(frame: Outgoing): Promise<T> {
    const reply = await this.request(frame);
    if (reply.type === 'error') throw new Error(`${frame.type} failed: ${JSON.stringify(reply.error)}`);
    return reply.result as T;
  }

  waitFor<E extends ChatEvent = ChatEvent>(
    match: (event: ChatEvent) => boolean,
    timeoutMs = 10_000,
  ): Promise<E> {
    return this.until(() => this.events.find(match) as E | undefined, timeoutMs, 'event');
  }

  waitForClose(timeoutMs = 10_000): Promise<number> {
    return Promise.race([
      this.closed,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error('socket did not close')), timeoutMs),
      ),
    ]);
  }

  close(): void {
    this.ws.close();
  }

  private remember(id: string, type: string): void {
    const types = this.sent.get(id) ?? new Set<string>();
    types.add(type);
    this.sent.set(id, types);
  }

  private until<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    if (this.violations.length > 0) return Promise.reject(new Error(this.violations[0]));
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const check = () => {
        if (this.violations.length > 0) {
          clearTimeout(timer);
          this.waiters.delete(check);
          reject(new Error(this.violations[0]));
          return;
        }
        const value = find();
        if (value === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      this.waiters.add(check);
    });
  }
}

/** Violations seen since the current test started, by any client. */
const violations: string[] = [];

// A frame the document does not describe fails the test it arrived in, even when no wait of
// that client was pending (e.g. an event nobody waited for).
afterEach(() => {
  const seen = violations.splice(0);
  if (seen.length > 0)
    throw new Error(`${seen.length} server frame(s) not in the AsyncAPI document:\n${seen.join('\n')}`);
});

type Json = Record<string, any>;

/**
 * The server messages of the AsyncAPI document, as validators, compiled once per process: an
 * event by its `type`, the ack of each request type, and the error frame. All are read from the
 * document's operations (`receive` for events, a `send`'s reply for acks and errors), so what
 * is checked is what the document promises a client. Its schemas are JSON Schema draft-07
 * (AsyncAPI's default schema format), hence Ajv's draft-07 build.
 */
class DocumentedFrames {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly events = new Map<string, ValidateFunction>();
  private readonly acks = new Map<string, ValidateFunction>();
  private readonly errors: ValidateFunction[] = [];

  constructor(document: Json) {
    addFormats.default(this.ajv);
    this.ajv.addSchema(document, 'asyncapi.json');
    const messageOf = (ref: Json): [string, Json] => {
      const pointer = (ref.$ref as string).slice(1);
      const channelMessage = resolve(document, pointer);
      const key = (channelMessage.$ref as string).split('/').at(-1)!;
      return [key, document.components.messages[key]];
    };
    const payloadType = (message: Json): string | undefined => {
      const payload = message.payload.$ref
        ? resolve(document, message.payload.$ref.slice(1))
        : message.payload;
      return payload.properties?.type?.const;
    };
    const validatorOf = (key: string) =>
      this.ajv.compile({ $ref: `asyncapi.json#/components/messages/${key}/payload` });
    for (const operation of Object.values(document.operations as Record<string, Json>)) {
      const [requestKey, request] = messageOf(operation.messages[0]);
      const type = payloadType(request);
      if (!type) throw new Error(`AsyncAPI: the message ${requestKey} has no type`);
      if (operation.action === 'receive') {
        if (type !== 'error') this.events.set(type, validatorOf(requestKey));
        continue;
      }
      for (const ref of operation.reply?.messages ?? []) {
        const [key, reply] = messageOf(ref);
        const replyType = payloadType(reply);
        if (replyType === 'ack') this.acks.set(type, validatorOf(key));
        else if (replyType === 'error' && this.errors.length === 0) this.errors.push(validatorOf(key));
      }
    }
  }

  /** What is wrong with a server frame, or undefined when the document describes it. */
  check(frame: unknown, sent: ReadonlyMap<string, ReadonlySet<string>>): string | undefined {
    const text = () => JSON.stringify(frame).slice(0, 500);
    if (!frame || typeof frame !== 'object' || typeof (frame as Json).type !== 'string')
      return `AsyncAPI: a server frame with no type: ${text()}`;
    const { type, id } = frame as Json;
    let candidates: ValidateFunction[];
    let what: string;
    if (type === 'ack') {
      const types = typeof id === 'string' ? sent.get(id) : undefined;
      // An ack of a frame sent around this client (ws.send) may answer any request type.
      candidates = types ? [...types].flatMap((t) => this.acks.get(t) ?? []) : [...this.acks.values()];
      what = `ack of ${types ? [...types].join(' or ') : 'an unknown request'}`;
      if (candidates.length === 0) return `AsyncAPI: an ${what}, which has no documented ack: ${text()}`;
    } else if (type === 'error') {
      candidates = this.errors;
      what = 'error';
    } else {
      const validate = this.events.get(type);
      if (!validate) return `AsyncAPI: the server sent an event the document does not list: ${type}`;
      candidates = [validate];
      what = `event ${type}`;
    }
    if (candidates.some((validate) => validate(frame))) return undefined;
    const reasons = candidates.map((validate) => this.ajv.errorsText(validate.errors)).join('; ');
    return `AsyncAPI: a server frame does not match the ${what}: ${reasons}\n${text()}`;
  }
}

function resolve(document: Json, pointer: string): Json {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((node: Json, segment) => node[segment], document);
}

let frames: DocumentedFrames | undefined;
function documented(): DocumentedFrames {
  frames ??= new DocumentedFrames(buildAsyncApiDocument(VERSION));
  return frames;
}

import type { ChatEvent, ClientFrame, ServerFrame } from '@chat/protocol';
import WebSocket from 'ws';

type Outgoing = ClientFrame extends infer F ? (F extends { id: string } ? Omit<F, 'id'> : never) : never;

/**
 * A test WebSocket client: sends request frames and awaits their ack/error, and records every
 * event so tests can wait for one or assert that none arrived.
 */
export class WsClient {
  readonly events: ChatEvent[] = [];
  readonly frames: ServerFrame[] = [];
  closeCode: number | null = null;
  private nextId = 1;
  private readonly waiters = new Set<() => void>();
  private readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
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

  /** Sends raw text (for malformed-frame tests). */
  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Sends a request frame and resolves with its `ack` or `error` frame. */
  async request(
    frame: Outgoing,
    timeoutMs = 10_000,
  ): Promise<Extract<ServerFrame, { type: 'ack' | 'error' }>> {
    const id = String(this.nextId++);
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

  private until<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const check = () => {
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

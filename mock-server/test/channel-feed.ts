import type { AckResult, EventOf } from '@chat/protocol';
import type { WsClient } from './ws-client';

type Message = EventOf<'message.new'>['message'];
/** A channel event as it travels: its type, the channel it belongs to and the seq it produced. */
type Sequenced = { type: string; cid: string; seq: number; message?: Message };

/**
 * What a client following one channel ends up holding, built the way the protocol asks clients
 * to: channel events are applied in seq order; one whose seq is already held is a duplicate and
 * is dropped; one that skips a seq reveals a gap, answered (like a reconnect) by watching again
 * with `since` = the last seq held. So a loss anywhere shows up as a failed recovery or a missing
 * message, and a duplicate as a message held twice.
 */
export class ChannelFeed {
  /** The channel's messages, in the order this client applied them. */
  readonly messages: Message[] = [];
  /** The seq of the last event applied; -1 before the first watch. */
  lastSeq = -1;
  /** Events dropped because their seq was already held (the watch boundary can repeat some). */
  duplicates = 0;
  /** Watches with `since` sent because a live event skipped a seq. */
  gapResyncs = 0;
  /** Events received through `since` replays. */
  replayed = 0;
  /** Set when recovery failed; `settled` throws it. */
  error: Error | undefined;
  private socket: WsClient | undefined;
  /** Live events held while a watch is in flight (null when none is). */
  private buffer: Sequenced[] | null = null;

  constructor(readonly cid: string) {}

  /**
   * Follows the channel on `socket`. The first call loads the channel's state; a later one (on
   * a new socket, after the old one dropped) recovers what was missed with `since`.
   */
  async follow(socket: WsClient): Promise<void> {
    this.socket = socket;
    socket.ws.on('message', (data: Buffer) => {
      if (this.socket !== socket) return;
      const event = JSON.parse(data.toString()) as Partial<Sequenced>;
      if (event.cid !== this.cid || typeof event.seq !== 'number' || typeof event.type !== 'string') return;
      // Typing is never stored (its seq only says where the channel was) and notifications are
      // for members who do not watch: neither belongs to the channel's log.
      if (event.type.startsWith('typing.') || event.type.startsWith('notification.')) return;
      this.receive(event as Sequenced);
    });
    await this.watch(socket);
  }

  /** Resolves once this client holds every event up to `seq` (and no watch is in flight). */
  async settled(seq: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.error && (this.buffer !== null || this.lastSeq < seq)) {
      if (Date.now() > deadline)
        throw new Error(
          `${this.cid}: holds events up to seq ${this.lastSeq}, not ${seq}, after ${timeoutMs} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (this.error) throw this.error;
  }

  private receive(event: Sequenced): void {
    if (this.buffer) {
      this.buffer.push(event);
      return;
    }
    if (event.seq <= this.lastSeq) {
      this.duplicates++;
      return;
    }
    if (event.seq > this.lastSeq + 1) {
      this.gapResyncs++;
      this.buffer = [event];
      void this.watch(this.socket!);
      return;
    }
    this.apply(event);
  }

  private apply(event: Sequenced): void {
    this.lastSeq = event.seq;
    if (event.type === 'message.new' && event.message) this.messages.push(event.message);
  }

  private async watch(socket: WsClient): Promise<void> {
    this.buffer ??= [];
    const since = this.lastSeq >= 0 ? this.lastSeq : undefined;
    let result: AckResult<'channel.watch'>;
    try {
      result = await socket.ok<AckResult<'channel.watch'>>({
        type: 'channel.watch',
        cid: this.cid,
        ...(since !== undefined && { since }),
      });
    } catch (error) {
      // A socket that dropped meanwhile gets replaced through `follow`; anything else is a failure.
      if (socket === this.socket && socket.closeCode === null) this.error = error as Error;
      return;
    }
    if (socket !== this.socket) return;
    if (since === undefined) {
      this.lastSeq = result.state.channel.seq;
      this.messages.push(...[...result.state.messages].sort((a, b) => a.seq - b.seq));
    } else {
      if (!result.recovered) {
        this.error = new Error(`${this.cid}: watch with since ${since} did not recover`);
        return;
      }
      for (const event of result.events as Sequenced[]) {
        if (event.seq !== this.lastSeq + 1) {
          this.error = new Error(
            `${this.cid}: replay after ${since} jumps from ${this.lastSeq} to ${event.seq}`,
          );
          return;
        }
        this.apply(event);
        this.replayed++;
      }
    }
    const buffered = this.buffer ?? [];
    this.buffer = null;
    for (let i = 0; i < buffered.length; i++) {
      // A gap found while draining started a new watch: it takes the rest.
      if (this.buffer) {
        (this.buffer as Sequenced[]).push(...buffered.slice(i));
        break;
      }
      this.receive(buffered[i]!);
    }
  }
}

import type { PublishedEvent } from '../events/published-event';

/**
 * The bus wire format of an event: a small JSON header, a newline, then the event's JSON.
 * The event is serialized once by the node that publishes it; receivers forward that text to
 * sockets as it is. (JSON text never contains a raw newline, so the first one splits safely.)
 */
export interface Envelope {
  /** The node that published it (it delivers its own events without the bus). */
  origin: string | undefined;
  appId: string;
  channelId: string | null;
  userIds?: string[];
  membersOf?: { channelIds: string[]; except: string };
  /** Only this user may see it; the others get `event.hidden` (see `PublishedEvent.visibleTo`). */
  visibleTo?: string;
  /** For the nodes only (see `PublishedEvent.standing`). */
  standing?: { shadowBanned: boolean };
  /** For the nodes only (see `PublishedEvent.appClosed`). */
  appClosed?: true;
  /** For the nodes only (see `PublishedEvent.appPermissions`). */
  appPermissions?: PublishedEvent['appPermissions'];
  /** The event's type, so receivers need not parse the event to route it. */
  type: string;
  /** The channel seq the event carries, when it is about a channel. */
  seq?: number;
  /** The event, parsed lazily by the receivers that need its fields. */
  event: PublishedEvent['event'];
  /** The event's JSON text. */
  json: string;
  /**
   * The same text as UTF-8 bytes, encoded once for every socket it goes to (a string handed to
   * `ws` is encoded again for each socket).
   */
  readonly bytes: Buffer;
}

export function encodeEnvelope(published: PublishedEvent, origin?: string): string {
  const seq = 'seq' in published.event ? published.event.seq : undefined;
  const header = {
    o: origin,
    a: published.appId,
    c: published.channelId,
    u: published.userIds,
    m: published.membersOf,
    v: published.visibleTo,
    st: published.standing,
    ac: published.appClosed,
    ap: published.appPermissions,
    t: published.event.type,
    s: seq,
  };
  return `${JSON.stringify(header)}\n${JSON.stringify(published.event)}`;
}

export function decodeEnvelope(payload: string): Envelope {
  const split = payload.indexOf('\n');
  const header = JSON.parse(payload.slice(0, split)) as {
    o?: string;
    a: string;
    c: string | null;
    u?: string[];
    m?: { channelIds: string[]; except: string };
    v?: string;
    st?: { shadowBanned: boolean };
    ac?: true;
    ap?: PublishedEvent['appPermissions'];
    t: string;
    s?: number;
  };
  const json = payload.slice(split + 1);
  let parsed: PublishedEvent['event'] | undefined;
  let bytes: Buffer | undefined;
  return {
    origin: header.o,
    appId: header.a,
    channelId: header.c,
    ...(header.u && { userIds: header.u }),
    ...(header.m && { membersOf: header.m }),
    ...(header.v && { visibleTo: header.v }),
    ...(header.st && { standing: header.st }),
    ...(header.ac && { appClosed: true as const }),
    ...(header.ap && { appPermissions: header.ap }),
    type: header.t,
    ...(header.s !== undefined && { seq: header.s }),
    json,
    get event() {
      parsed ??= JSON.parse(json) as PublishedEvent['event'];
      return parsed;
    },
    get bytes() {
      bytes ??= Buffer.from(json);
      return bytes;
    },
  };
}

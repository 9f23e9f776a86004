import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { databaseStatus, failureLevel, redisStatus, reportDependencies } from './dependency-status';

/** What the process logged, as (level, msg) pairs. */
function captureLogs(): { level: number; msg: string }[] {
  const lines: { level: number; msg: string }[] = [];
  reportDependencies(
    pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as never) }),
  );
  return lines;
}

const target = () => `10.0.0.1:${randomBytes(2).readUInt16BE()}`;

describe('dependency status', () => {
  it('says once that a Redis is gone, whichever of a node’s connections notice, and once that it is back when all are', () => {
    const lines = captureLogs();
    const at = target();
    const status = redisStatus(at);
    const [bus, subscriber, presence] = [{}, {}, {}];
    for (const connection of [bus, subscriber, presence, bus]) status.connectionLost(connection);
    expect(lines.map((l) => l.msg)).toEqual([`waiting for Redis at ${at}`]);

    status.connectionRestored(bus);
    status.connectionRestored(presence);
    expect(lines).toHaveLength(1);
    status.connectionRestored(subscriber);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, `waiting for Redis at ${at}`],
      [40, `Redis is back at ${at}`],
    ]);
    // A connection that was never lost coming up says nothing.
    status.connectionRestored({});
    expect(lines).toHaveLength(2);
  });

  it('a connection closed for good during an outage no longer holds it open', () => {
    const lines = captureLogs();
    const at = target();
    const status = databaseStatus(at);
    const [pool, closing] = [{}, {}];
    status.connectionLost(pool);
    status.connectionLost(closing);
    status.connectionClosed(closing);
    status.connectionRestored(pool);
    expect(lines.map((l) => l.msg)).toEqual([
      `database unavailable at ${at}: waiting for it`,
      `database is back at ${at}`,
    ]);
  });

  it('failures are logged at debug while a dependency is down, at their own level otherwise', () => {
    captureLogs();
    const status = redisStatus(target());
    const connection = {};
    expect(failureLevel('error')).toBe('error');
    status.connectionLost(connection);
    expect(failureLevel('error')).toBe('debug');
    expect(failureLevel('warn')).toBe('debug');
    status.connectionRestored(connection);
    expect(failureLevel('warn')).toBe('warn');
  });
});

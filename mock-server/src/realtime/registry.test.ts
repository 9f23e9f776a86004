import { describe, expect, it } from 'vitest';
import type { Connection } from './connection';
import { Registry } from './registry';

/** What the registry reads of a socket. */
const socketOf = (userId: string) =>
  ({ userId, closed: false, watching: new Map() }) as unknown as Connection;

describe('Registry', () => {
  it('counts the users watching a channel, whatever number of their sockets watch it', () => {
    const registry = new Registry();
    const [phone, laptop, other] = [socketOf('u1'), socketOf('u1'), socketOf('u2')];
    for (const conn of [phone, laptop, other]) registry.add(conn);
    registry.watch(phone, 'c1', 'messaging:c1');
    registry.watch(phone, 'c1', 'messaging:c1'); // a repeated watch changes nothing
    registry.watch(laptop, 'c1', 'messaging:c1');
    expect(registry.watchingUserCount('c1')).toBe(1);
    expect(registry.userCount).toBe(2);
    registry.watch(other, 'c1', 'messaging:c1');
    expect(registry.watchingUserCount('c1')).toBe(2);
    registry.unwatch(phone, 'c1');
    expect(registry.watchingUserCount('c1')).toBe(2);
    registry.remove(laptop);
    expect(registry.watchingUserCount('c1')).toBe(1);
    registry.unwatchChannel('c1');
    expect(registry.watchingUserCount('c1')).toBe(0);
    expect(registry.watchers('c1').size).toBe(0);
  });
});

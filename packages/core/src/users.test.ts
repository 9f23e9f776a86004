import { describe, expect, it } from 'vitest';
import type { HttpClient } from './http-client';
import { Users } from './users';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
const users = () => new Users({} as HttpClient);

describe('presence', () => {
  it('keeps the latest of refs that arrive out of order', () => {
    const u = users();
    u.seen([{ id: 'dave', online: true, last_active_at: at(1) }]);
    u.handleEvent({
      type: 'user.presence.changed',
      user: { id: 'dave', name: null, image: null, online: false, last_active_at: at(5) },
      created_at: at(5),
    });
    // A channel page read before dave left, answered after the event: ignored.
    u.seen([{ id: 'dave', online: true, last_active_at: at(3) }]);
    expect(u.isOnline('dave')).toBe(false);
    expect(u.lastActiveAt('dave')).toBe(at(5));
    // dave coming back is newer: taken.
    u.seen([{ id: 'dave', online: true, last_active_at: at(9) }]);
    expect(u.isOnline('dave')).toBe(true);
  });

  it('takes refs without a time (stored before refs had one) and notifies only on a change', () => {
    const u = users();
    let notified = 0;
    u.presence.subscribe(() => notified++);
    u.seen([{ id: 'erin', online: false }]);
    expect(u.isOnline('erin')).toBe(false);
    expect(u.lastActiveAt('erin')).toBeUndefined();
    u.seen([{ id: 'erin', online: false, last_active_at: at(2) }]);
    expect(u.lastActiveAt('erin')).toBe(at(2));
    u.seen([{ id: 'erin', online: true }]);
    expect(u.isOnline('erin')).toBe(true);
    expect(notified).toBe(2);
    expect(u.isOnline('nobody')).toBeUndefined();
  });
});

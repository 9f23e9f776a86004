import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, startServer, until } from '../../test/e2e-harness';

let h: Awaited<ReturnType<typeof startServer>>;
let alice: Awaited<ReturnType<typeof connectClient>>;
let bob: Awaited<ReturnType<typeof connectClient>>;

beforeAll(async () => {
  h = await startServer();
  alice = await connectClient(h, 'alice');
  bob = await connectClient(h, 'bob');
}, 60_000);

afterAll(async () => {
  await alice?.client.disconnect();
  await bob?.client.disconnect();
  await h?.server.close();
});

describe('channel mute, against the reference server', () => {
  it('a muted channel keeps its own count in the list but leaves the unread total', async () => {
    const loud = await bob.client.channels.create({
      type: 'messaging',
      id: 'loud',
      members: ['alice', 'bob'],
    });
    const quiet = await bob.client.channels.create({
      type: 'messaging',
      id: 'quiet',
      members: ['alice', 'bob'],
    });
    await alice.client.channels.query({});
    const total = alice.client.channels.unreadTotal;
    const entry = (cid: string) => alice.client.channels.list.getSnapshot().find((e) => e.cid === cid);

    await loud.sendMessage({ text: 'one' });
    await quiet.sendMessage({ text: 'two' });
    await until(total, (n) => n === 2);

    // Muting (from a handle that is not watched) takes the channel's count out at once.
    await alice.client.channels.channel('messaging', 'quiet').mute();
    expect(total.getSnapshot()).toBe(1);
    expect(entry('messaging:quiet')).toMatchObject({ muted: true, unreadCount: 1 });

    // New messages in it count inside the channel only; the server's notification agrees.
    await quiet.sendMessage({ text: 'three' });
    await until(alice.client.channels.list, () => entry('messaging:quiet')?.unreadCount === 2);
    expect(total.getSnapshot()).toBe(1);
    await loud.sendMessage({ text: 'four' });
    await until(total, (n) => n === 2);

    // The same after a reconnect (the server's total).
    alice.dropSocket();
    await until(alice.client.connection, (c) => c.status === 'reconnecting');
    await until(alice.client.connection, (c) => c.status === 'connected', 10_000);
    await alice.client.channels.resumeAll();
    expect(total.getSnapshot()).toBe(2);

    await alice.client.channels.channel('messaging', 'quiet').unmute();
    expect(total.getSnapshot()).toBe(4);
    expect(entry('messaging:quiet')).toMatchObject({ muted: false, unreadCount: 2 });
  });

  it('mutes and unmutes users, and refuses what the server refuses', async () => {
    expect(await alice.client.users.muted()).toEqual([]);
    const mute = await alice.client.users.mute('bob');
    expect(mute.user.id).toBe('bob');
    expect((await alice.client.users.muted()).map((m) => m.user.id)).toEqual(['bob']);
    await expect(alice.client.users.mute('alice')).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(alice.client.users.mute('nobody')).rejects.toMatchObject({ code: 'not_found' });
    await alice.client.users.unmute('bob');
    expect(await alice.client.users.muted()).toEqual([]);
  });
});

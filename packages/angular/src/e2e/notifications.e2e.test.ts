import { Component, inject, input } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { ChatClient } from '@chat/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectClient, newClient, unique } from '../../test/server-harness';
import { ChannelService } from '../channel.service';
import { NotificationService } from '../notification.service';
import { provideChat } from '../provide-chat';

const run = unique();
const [aliceId, bobId] = [`alice-${run}`, `bob-${run}`];
const [oneId, twoId] = [`one-${run}`, `two-${run}`];
let alice: ChatClient;
let bob: ChatClient;
const clients: ChatClient[] = [];

beforeAll(async () => {
  alice = await connectClient(aliceId);
  bob = await connectClient(bobId);
  clients.push(alice, bob);
  for (const id of [oneId, twoId]) {
    await alice.channels.create({ type: 'messaging', id, members: [aliceId, bobId] });
  }
});

afterAll(() => Promise.all(clients.map((c) => c.disconnect())));

@Component({ selector: 'test-settings', template: '' })
class Settings {
  readonly push = inject(NotificationService).preferences();
}

@Component({ selector: 'test-room', template: '' })
class Room {
  readonly id = input.required<string>();
  readonly watched = inject(ChannelService).watch('messaging', this.id);
  readonly mute = inject(ChannelService).muting(this.watched.channel);
}

describe('NotificationService.preferences', () => {
  it('loads once a user is connected, and again for the next user of the client', async () => {
    const client = newClient();
    clients.push(client);
    const requests = vi.spyOn(client.http, 'request');
    const loads = () => requests.mock.calls.filter(([name]) => name === 'getPushPreferences').length;
    TestBed.configureTestingModule({ providers: [provideChat({ client })] });
    const { push } = TestBed.createComponent(Settings).componentInstance;
    expect(push.preferences()).toBeNull();

    await client.auth.register({ username: `carol-${run}`, password: 'angular-e2e-password' });
    await vi.waitFor(() =>
      expect(push.preferences()).toEqual({ level: 'all', dnd_until: null, channels: [] }),
    );
    expect(loads()).toBe(1);
    await push.update({ level: 'none' });
    expect(push.preferences()?.level).toBe('none');

    await client.disconnect();
    expect(push.preferences()).toBeNull();
    await client.auth.register({ username: `dave-${run}`, password: 'angular-e2e-password' });
    await vi.waitFor(() => expect(push.preferences()?.level).toBe('all'));
    expect(loads()).toBe(2);
  });

  it('updates at once, then as stored, in every consumer; a refusal restores the old value', async () => {
    TestBed.configureTestingModule({ providers: [provideChat({ client: alice })] });
    const first = TestBed.createComponent(Settings).componentInstance.push;
    const second = TestBed.createComponent(Settings).componentInstance.push;
    const levels: (string | undefined)[] = [];
    second.preferences$.subscribe((p) => levels.push(p?.level));
    await vi.waitFor(() => expect(first.preferences()).not.toBeNull());

    const cid = `messaging:${oneId}`;
    const saving = first.update({ level: 'mentions', channels: [{ cid, level: 'none' }] });
    expect(first.preferences()?.level).toBe('mentions');
    await saving;
    expect(second.preferences()).toEqual({
      level: 'mentions',
      dnd_until: null,
      channels: [{ cid, level: 'none' }],
    });
    // Each new object is emitted: the optimistic one, then the server's.
    expect([...new Set(levels)]).toEqual([undefined, 'all', 'mentions']);
    expect(await alice.devices.preferences()).toEqual(second.preferences());

    const until = new Date(Date.now() + 3_600_000);
    await second.update({ dnd_until: until.toISOString(), channels: [{ cid, level: null }] });
    expect(Date.parse(first.preferences()!.dnd_until!)).toBe(until.getTime());

    const before = first.preferences();
    const failure = await first
      .update({ level: 'all', channels: [{ cid: `messaging:nowhere-${run}`, level: 'none' }] })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'not_found' });
    expect(second.error()?.code).toBe('not_found');
    expect(first.preferences()).toEqual(before);

    await first.update({ level: 'all', dnd_until: null });
    expect(first.error()).toBeNull();
  });
});

describe('ChannelService.muting', () => {
  it('mutes and unmutes, follows another device of the user, and re-targets with the input', async () => {
    TestBed.configureTestingModule({ providers: [provideChat({ client: alice })] });
    const fixture = TestBed.createComponent(Room);
    fixture.componentRef.setInput('id', oneId);
    const room = fixture.componentInstance;
    const states: boolean[] = [];
    room.mute.muted$.subscribe((muted) => states.push(muted));
    await vi.waitFor(() => expect(room.watched.state().channel).not.toBeNull());
    expect(room.mute.muted()).toBe(false);

    await room.mute.mute();
    expect(room.mute.muted()).toBe(true);
    await room.mute.toggle();
    expect(room.mute.muted()).toBe(false);
    expect(states).toEqual([false, true, false]);

    const phone = newClient();
    clients.push(phone);
    await phone.auth.login({ username: aliceId, password: 'angular-e2e-password' });
    await phone.channel('messaging', oneId).mute();
    await vi.waitFor(() => expect(room.mute.muted()).toBe(true));

    fixture.componentRef.setInput('id', twoId);
    // The followed store switches in an effect, as for `MessageService.messages`.
    await vi.waitFor(() => expect(room.mute.muted()).toBe(false));
    expect(room.watched.channel().id).toBe(twoId);
    const channels = TestBed.inject(ChannelService);
    await channels.mute(room.watched.channel());
    expect(room.mute.muted()).toBe(true);
    await channels.unmute(room.watched.channel());
    expect(room.mute.muted()).toBe(false);
  });
});

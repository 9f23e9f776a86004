import { Component, inject, input } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { ChatClient } from '@chat/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectClient, unique } from '../../test/server-harness';
import { ChannelService } from '../channel.service';
import { MessageService } from '../message.service';
import { provideChat } from '../provide-chat';

const run = unique();
const [aliceId, firstId, secondId] = [`alice-${run}`, `first-${run}`, `second-${run}`];
let alice: ChatClient;
// Past core's grace period after the last release, before it unwatches.
const UNWATCHED = { timeout: 3_000 };

beforeAll(async () => {
  alice = await connectClient(aliceId);
  for (const id of [firstId, secondId]) {
    await alice.channels.create({ type: 'messaging', id, members: [aliceId] });
    await alice.channel('messaging', id).sendMessage({ text: `hello ${id}` });
  }
});

afterAll(() => alice?.disconnect());

beforeEach(() => TestBed.configureTestingModule({ providers: [provideChat({ client: alice })] }));

@Component({ selector: 'test-fixed-room', template: '' })
class FixedRoom {
  readonly watched = inject(ChannelService).watch('messaging', firstId);
}

@Component({ selector: 'test-routed-room', template: '' })
class RoutedRoom {
  readonly id = input.required<string>();
  readonly watched = inject(ChannelService).watch('messaging', this.id);
  readonly messages = inject(MessageService).messages(this.watched.channel);
}

describe('ChannelService.watch', () => {
  it('watches while a component holds the channel and releases it when the last one is destroyed', async () => {
    const channel = alice.channel('messaging', firstId);
    const first = TestBed.createComponent(FixedRoom);
    const second = TestBed.createComponent(FixedRoom);
    await vi.waitFor(() => expect(first.componentInstance.watched.state().messages).toHaveLength(1));
    expect(channel.isWatching).toBe(true);

    first.destroy();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(channel.isWatching).toBe(true); // the second component still holds it

    second.destroy();
    await vi.waitFor(() => expect(channel.isWatching).toBe(false), UNWATCHED);
  });

  it('follows a signal input: the new channel is retained, the old one released', async () => {
    const fixture = TestBed.createComponent(RoutedRoom);
    fixture.componentRef.setInput('id', firstId);
    await fixture.whenStable();
    const room = fixture.componentInstance;
    const seen: string[] = [];
    room.messages.messages$.subscribe((list) => seen.push(list.map((m) => m.text).join()));
    await vi.waitFor(() => expect(room.messages.messages().map((m) => m.text)).toEqual([`hello ${firstId}`]));
    expect(alice.channel('messaging', firstId).isWatching).toBe(true);

    fixture.componentRef.setInput('id', secondId);
    await fixture.whenStable();

    expect(room.watched.channel()).toBe(alice.channel('messaging', secondId));
    await vi.waitFor(() =>
      expect(room.messages.messages().map((m) => m.text)).toEqual([`hello ${secondId}`]),
    );
    expect(seen.at(-1)).toBe(`hello ${secondId}`);
    expect(alice.channel('messaging', secondId).isWatching).toBe(true);
    await vi.waitFor(() => expect(alice.channel('messaging', firstId).isWatching).toBe(false), UNWATCHED);

    fixture.destroy();
    await vi.waitFor(() => expect(alice.channel('messaging', secondId).isWatching).toBe(false), UNWATCHED);
  });
});

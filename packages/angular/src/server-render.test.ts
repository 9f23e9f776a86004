import { Component, inject, PLATFORM_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { ChatClient } from '@chat/core';
import { describe, expect, it } from 'vitest';
import { ChannelService } from './channel.service';
import { MessageService } from './message.service';
import { NotificationService } from './notification.service';
import { provideChat } from './provide-chat';

@Component({ selector: 'test-server-room', template: '' })
class ServerRoom {
  private readonly channels = inject(ChannelService);
  readonly list = this.channels.list({ sort: { last_message_at: -1 } });
  readonly watched = this.channels.watch('team', 'general');
  readonly thread = inject(MessageService).thread(this.watched.channel(), 'parent-1');
  readonly mute = this.channels.muting(this.watched.channel);
  readonly push = inject(NotificationService).preferences();
}

describe('a server render (Angular SSR)', () => {
  it('shows state but neither watches nor loads: the browser does after hydration', () => {
    // No server listens there: a request would fail the test through the list's `error`.
    const client = new ChatClient({ apiKey: 'key', baseUrl: 'http://127.0.0.1:9' });
    TestBed.configureTestingModule({
      providers: [provideChat({ client }), { provide: PLATFORM_ID, useValue: 'server' }],
    });
    const room = TestBed.createComponent(ServerRoom).componentInstance;
    expect(room.list.loading()).toBe(false);
    expect(room.list.channels()).toEqual([]);
    expect(room.watched.state().cid).toBe('team:general');
    expect(client.channel('team', 'general').isWatching).toBe(false);
    expect(room.thread.replies()).toEqual([]);
    expect(room.mute.muted()).toBe(false);
    expect(room.push.preferences()).toBeNull();
    expect(room.push.loading()).toBe(false);
  });
});

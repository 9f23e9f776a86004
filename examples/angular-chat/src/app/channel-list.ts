import { ChangeDetectionStrategy, Component, inject, model } from '@angular/core';
import { ChannelService } from '@chat/angular';
import { type ChannelListEntry, channelLabel, channelTitle } from '@chat/core';

/** The user's channels, newest activity first, with unread counts; picks the open one. */
@Component({
  selector: 'chat-channel-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <nav class="channels" aria-label="Channels">
      <h2>
        Channels
        @if (total()) {
          <span class="badge">{{ total() }}</span>
        }
      </h2>
      <ul>
        @for (entry of list.channels(); track entry.cid) {
          <li>
            <button type="button" [attr.aria-current]="entry.cid === selected()" (click)="selected.set(entry.cid)">
              {{ titleOf(entry) }}
              @if (entry.unreadCount) {
                <span class="badge" [attr.aria-label]="entry.unreadCount + ' unread'">{{ entry.unreadCount }}</span>
              }
            </button>
          </li>
        }
      </ul>
      @if (list.loading()) {
        <p>Loading…</p>
      }
      @if (list.error(); as error) {
        <p role="alert" class="error">{{ error.message }}</p>
      }
      @if (list.hasMore() && !list.loading()) {
        <button type="button" (click)="list.loadMore()">More channels</button>
      }
    </nav>
  `,
})
export class ChannelList {
  private readonly channels = inject(ChannelService);
  /** The open channel's cid. */
  readonly selected = model<string>();
  protected readonly list = this.channels.list({ sort: { last_message_at: -1 }, limit: 20 });
  protected readonly total = this.channels.unreadCount();
  /** Its name, else the people in it ("Bob", "Bob and Carol"): a direct message has no name. */
  protected titleOf(entry: ChannelListEntry): string {
    return channelTitle(channelLabel(entry.channel, entry.people));
  }
}

import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { ChatService, type ChatUser } from '@chat/angular';
import { ChannelList } from './channel-list';
import { ChannelView } from './channel-view';
import { ConnectionBanner } from './connection-banner';

/** Header, channel list, and the open channel. */
@Component({
  selector: 'chat-layout',
  imports: [ChannelList, ChannelView, ConnectionBanner],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="layout">
      <header>
        <strong>{{ user().name ?? user().id }}</strong>
        <chat-connection-banner />
        <button type="button" (click)="logOut()">Log out</button>
      </header>
      <chat-channel-list [(selected)]="selected" />
      @if (selected(); as cid) {
        <chat-channel-view [cid]="cid" />
      } @else {
        <p class="empty">Pick a channel.</p>
      }
    </div>
  `,
})
export class ChatLayout {
  private readonly chat = inject(ChatService);
  readonly user = input.required<ChatUser>();
  protected readonly selected = signal<string | undefined>(undefined);

  protected logOut() {
    this.chat.logout().catch(() => {});
  }
}

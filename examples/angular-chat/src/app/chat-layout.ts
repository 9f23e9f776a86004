import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { ChatService, type ChatUser, NotificationService, type PushLevel } from '@chat/angular';
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
        <h1>Chat</h1>
        <strong>{{ user().name ?? user().id }}</strong>
        <chat-connection-banner />
        <label class="push-level">
          Notifications
          <select [value]="push.preferences()?.level ?? ''" [disabled]="!push.preferences()" (change)="setLevel($event)">
            <option value="all">All messages</option>
            <option value="mentions">Mentions only</option>
            <option value="none">Nothing</option>
          </select>
        </label>
        @if (push.error(); as error) {
          <span role="alert" class="push-error">Notification settings: {{ error.message }}</span>
        }
        <button type="button" (click)="logOut()">Log out</button>
      </header>
      <chat-channel-list [(selected)]="selected" />
      <main>
        @if (selected(); as cid) {
          <chat-channel-view [cid]="cid" />
        } @else {
          <p class="empty">Pick a channel.</p>
        }
      </main>
    </div>
  `,
})
export class ChatLayout {
  private readonly chat = inject(ChatService);
  readonly user = input.required<ChatUser>();
  protected readonly selected = signal<string | undefined>(undefined);
  /** Which messages push to this user, everywhere: shown at once, undone if the server refuses. */
  protected readonly push = inject(NotificationService).preferences();

  protected setLevel(event: Event) {
    const level = (event.target as HTMLSelectElement).value as PushLevel;
    this.push.update({ level }).catch(() => {});
  }

  protected logOut() {
    this.chat.logout().catch(() => {});
  }
}

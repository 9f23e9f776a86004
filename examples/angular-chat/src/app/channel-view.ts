import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { ChannelService, ChatService, MessageService } from '@chat/angular';
import { type Channel, channelLabel, channelPeople, channelTitle } from '@chat/core';
import { hueOf, initials, timeOf } from './format';
import { MessageInput } from './message-input';

const typeOf = (cid: string) => cid.slice(0, cid.indexOf(':')) as Channel['type'];
const idOf = (cid: string) => cid.slice(cid.indexOf(':') + 1);

/** One channel, watched while it is open: live messages, older ones on demand, the composer. */
@Component({
  selector: 'chat-channel-view',
  imports: [MessageInput],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="channel" [attr.aria-label]="name()">
      <div class="channel-title">
        <h2>{{ name() }}</h2>
        @if (watched.state().membership) {
          <button type="button" class="mute" [attr.aria-pressed]="mute.muted()" (click)="toggleMute()">
            <span aria-hidden="true">{{ mute.muted() ? '🔕' : '🔔' }}</span> Mute channel
          </button>
        }
      </div>
      @if (muteFailed()) {
        <p role="alert" class="error">Could not change the mute of this channel.</p>
      }
      @if (messages.hasMore()) {
        <button type="button" [disabled]="messages.loading()" (click)="messages.loadOlder()">Load older messages</button>
      }
      <ol class="messages" aria-label="Messages">
        @for (message of messages.messages(); track message.id) {
          <li class="message" [attr.data-status]="message.status">
            <span class="avatar" aria-hidden="true" [style.--hue]="hueOf(message.user_id)">
              {{ initials(message.user.name ?? message.user_id) }}
            </span>
            <div class="message-body">
              <div class="message-head">
                <strong>{{ message.user.name ?? message.user_id }}</strong>
                <time [attr.datetime]="message.created_at">{{ timeOf(message.created_at) }}</time>
              </div>
              @if (message.deleted_at) {
                <p class="deleted">deleted</p>
              } @else {
                <p class="message-text">{{ message.text }}</p>
              }
              @if (message.status === 'failed') {
                <button type="button" (click)="messages.retry(message.id)">Retry</button>
              }
            </div>
          </li>
        }
      </ol>
      <chat-message-input [channel]="watched.channel()" />
    </section>
  `,
})
export class ChannelView {
  /** `type:id` of the channel; changing it releases the old channel and watches the new one. */
  readonly cid = input.required<string>();
  protected readonly watched = inject(ChannelService).watch(
    () => typeOf(this.cid()),
    () => idOf(this.cid()),
  );
  protected readonly messages = inject(MessageService).messages(this.watched.channel);
  /** Muted: no push for this channel; follows the server's answer and the user's other devices. */
  protected readonly mute = inject(ChannelService).muting(this.watched.channel);
  protected readonly muteFailed = signal(false);
  private readonly user = inject(ChatService).user;
  /** Its name, else the people in it: a direct message is called by the other person's name. */
  protected readonly name = computed(() => {
    const { channel, members } = this.watched.state();
    if (!channel) return idOf(this.cid());
    return channelTitle(channelLabel(channel, channelPeople(Object.values(members), this.user()?.id)));
  });

  protected readonly initials = initials;
  protected readonly hueOf = hueOf;
  protected readonly timeOf = timeOf;

  protected toggleMute() {
    this.muteFailed.set(false);
    this.mute.toggle().catch(() => this.muteFailed.set(true));
  }

  constructor() {
    // The app's choice: what is on screen counts as read.
    effect(() => {
      if (this.watched.state().unreadCount === 0) return;
      const channel = this.watched.channel();
      untracked(() => channel.markRead().catch(() => {}));
    });
  }
}

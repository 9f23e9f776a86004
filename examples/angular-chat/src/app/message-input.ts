import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { MessageService } from '@chat/angular';
import type { Channel } from '@chat/core';

/** The composer: sends on Enter, says who else is typing, and tells others while you type. */
@Component({
  selector: 'chat-message-input',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="composer" (submit)="$event.preventDefault(); send(box)">
      <p class="typing" aria-live="polite">{{ typingLine() }}</p>
      <input
        #box
        aria-label="Message"
        placeholder="Write a message"
        autocomplete="off"
        (input)="typing.onKeystroke()"
        (blur)="typing.stop()"
      />
      <button type="submit">Send</button>
    </form>
  `,
})
export class MessageInput {
  readonly channel = input.required<Channel>();
  private readonly messages = inject(MessageService).messages(this.channel);
  protected readonly typing = inject(MessageService).typing(this.channel);
  protected readonly typingLine = computed(() => {
    const names = this.typing.typing().map((t) => t.user.name ?? t.user.id);
    if (names.length === 0) return '';
    return `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} typing…`;
  });

  protected send(box: HTMLInputElement) {
    const text = box.value.trim();
    if (!text) return;
    box.value = '';
    this.typing.stop();
    // Shown at once as 'sending'; a failure stays in the list as 'failed', with Retry.
    this.messages.send({ text }).catch(() => {});
  }
}

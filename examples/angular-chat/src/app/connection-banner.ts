import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { ChatService } from '@chat/angular';

/** Says so when the connection is not up; silent while connected. */
@Component({
  selector: 'chat-connection-banner',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let state = chat.connectionState();
    @if (state.status !== 'connected') {
      <span role="status" class="connection">
        @switch (state.status) {
          @case ('reconnecting') { Reconnecting (attempt {{ state.attempt }})… }
          @case ('offline') { Offline: messages you send wait until you are back. }
          @default { {{ state.status }}… }
        }
      </span>
    }
  `,
})
export class ConnectionBanner {
  protected readonly chat = inject(ChatService);
}

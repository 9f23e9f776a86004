import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { ChatService } from '@chat/angular';
import { ChatLayout } from './chat-layout';
import { LoginForm } from './login-form';

/** The login form until a user is connected, then the chat. */
@Component({
  selector: 'chat-app',
  imports: [ChatLayout, LoginForm],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (chat.user(); as user) {
      <chat-layout [user]="user" />
    } @else {
      <chat-login-form />
    }
  `,
})
export class App {
  protected readonly chat = inject(ChatService);
}

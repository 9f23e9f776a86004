import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { ChatService } from '@chat/angular';

/** Logs in with an account of the chat server (`client.auth.login`): the demo users, say. */
@Component({
  selector: 'chat-login-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <main>
      <form class="login" (submit)="$event.preventDefault(); logIn(username.value, password.value)">
        <h1>Chat</h1>
        <label>Username <input #username name="username" autocomplete="username" required /></label>
        <label>Password <input #password name="password" type="password" autocomplete="current-password" required /></label>
        <button type="submit" [disabled]="busy()">Log in</button>
        @if (error(); as message) {
          <p role="alert" class="error">{{ message }}</p>
        }
        <p class="hint">Demo users: alice, bob, carol, dave; password <code>chat-demo</code>.</p>
      </form>
    </main>
  `,
})
export class LoginForm {
  private readonly chat = inject(ChatService);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | undefined>(undefined);

  protected async logIn(username: string, password: string) {
    this.busy.set(true);
    this.error.set(undefined);
    try {
      await this.chat.login({ username: username.trim(), password });
    } catch (error) {
      this.error.set(error instanceof Error ? error.message : String(error));
    } finally {
      this.busy.set(false);
    }
  }
}

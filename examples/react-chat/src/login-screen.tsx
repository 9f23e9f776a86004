import { type FormEvent, useState } from 'react';
import { useThemeChoice } from './theme';

const DEMO_USERS = ['alice', 'bob', 'carol', 'dave'];
const DEMO_PASSWORD = 'chat-demo';

/** Username and password, with one-click buttons for the demo users the server seeds. */
export function LoginScreen({
  onLogIn,
}: {
  onLogIn(username: string, password: string, remember: boolean): Promise<void>;
}) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Kept in an httpOnly cookie the page cannot read, so on by default, as most apps do.
  const [remember, setRemember] = useState(true);
  const [theme] = useThemeChoice();

  const submit = async (user: string, secret: string) => {
    setBusy(true);
    setError(null);
    try {
      await onLogIn(user, secret, remember);
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
      setBusy(false);
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit(username.trim(), password);
  };

  return (
    // Themed by the kit's tokens (light or dark with the system), like the chat it leads to.
    <div className="chat-root app-login-page" data-theme={theme}>
      <main className="app-login">
        <h1>Chat</h1>
        <form className="app-login__form" onSubmit={onSubmit} aria-label="Log in">
          <label>
            Username
            <input
              className="app-input"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              autoComplete="username"
              required
            />
          </label>
          <label>
            Password
            <input
              className="app-input"
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete="current-password"
              required
            />
          </label>
          <label className="app-login__remember">
            <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
            Keep me signed in
          </label>
          <button type="submit" className="chat-button chat-button--primary" disabled={busy}>
            Log in
          </button>
          {error && (
            <p role="alert" className="app-login__error">
              {error}
            </p>
          )}
        </form>
        <section className="app-login__demo" aria-label="Demo users">
          <p>
            Demo users (password <code>{DEMO_PASSWORD}</code>):
          </p>
          {DEMO_USERS.map((user) => (
            <button
              key={user}
              type="button"
              className="chat-button"
              disabled={busy}
              onClick={() => void submit(user, DEMO_PASSWORD)}
            >
              Log in as {user}
            </button>
          ))}
        </section>
      </main>
    </div>
  );
}

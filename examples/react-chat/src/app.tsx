import type { ChatClient, User } from '@chat/core';
import { useEffect, useState } from 'react';
import { createClient } from './chat-client';
import { ChatScreen } from './chat-screen';
import { LoginScreen } from './login-screen';
import { useThemeChoice } from './theme';

interface Session {
  client: ChatClient;
  user: User;
}

/** Errors after which the session cannot go on: the server ended it (logout elsewhere, expiry). */
const SESSION_ENDED = new Set(['unauthenticated', 'refresh_token_reused', 'token_expired']);

/**
 * Logged out: the login screen. Logged in: the chat, with a client of that user. A remembered
 * session (an httpOnly cookie the page cannot read) comes back after a reload, from the offline
 * cache when the network is down.
 */
export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [resuming, setResuming] = useState(true);
  const [theme] = useThemeChoice();

  useEffect(() => {
    const client = createClient();
    let cancelled = false;
    void client.auth
      .resume()
      .catch(() => null)
      .then((user) => {
        if (cancelled) return void client.disconnect();
        if (user) setSession({ client, user });
        else void client.disconnect();
        setResuming(false);
      });
    return () => {
      cancelled = true;
    };
  }, []);

  // Back to the login when the server ends the session while the app is open.
  useEffect(() => {
    if (!session) return;
    const { connection } = session.client;
    return connection.subscribe(() => {
      const state = connection.getSnapshot();
      if (state.status === 'disconnected' && state.error && SESSION_ENDED.has(state.error.code)) {
        setSession(null);
        void session.client.disconnect({ clear: true });
      }
    });
  }, [session]);

  const logIn = async (username: string, password: string, remember: boolean) => {
    const client = createClient();
    try {
      const user = await client.auth.login({ username, password }, { remember });
      setSession({ client, user });
    } catch (error) {
      await client.disconnect();
      throw error;
    }
  };

  const logOut = async () => {
    if (!session) return;
    setSession(null);
    await session.client.auth.logout().catch(() => session.client.disconnect());
  };

  if (resuming) {
    return (
      <div className="chat-root app-login-page" data-theme={theme} aria-busy="true">
        <p className="app-resuming">Loading…</p>
      </div>
    );
  }
  return session ? (
    <ChatScreen client={session.client} user={session.user} onLogOut={logOut} />
  ) : (
    <LoginScreen onLogIn={logIn} />
  );
}

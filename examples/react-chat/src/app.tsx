import type { ChatClient, User } from '@chat/core';
import { useState } from 'react';
import { createClient } from './chat-client';
import { ChatScreen } from './chat-screen';
import { LoginScreen } from './login-screen';

interface Session {
  client: ChatClient;
  user: User;
}

/** Logged out: the login screen. Logged in: the chat, with a client of that user. */
export function App() {
  const [session, setSession] = useState<Session | null>(null);

  const logIn = async (username: string, password: string) => {
    const client = createClient();
    try {
      const user = await client.auth.login({ username, password });
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

  return session ? (
    <ChatScreen client={session.client} user={session.user} onLogOut={logOut} />
  ) : (
    <LoginScreen onLogIn={logIn} />
  );
}

import type { ChatClient, User } from '@chat/core';
import {
  Channel,
  ChannelHeader,
  ChannelList,
  Chat,
  ChatLayout,
  MessageInput,
  MessageList,
  Thread,
  TypingIndicator,
} from '@chat/ui-react';
import { useState } from 'react';
import { ConnectionBanner } from './connection-banner';
import { NewConversation } from './new-conversation';
import { NotificationsDialog } from './notifications-dialog';

/**
 * The logged-in app: the channel list beside the open channel and its thread (on a phone, one
 * of them at a time: `<ChatLayout>`). Notification settings open from the sidebar, or from the
 * channel menu (which also mutes the channel).
 */
export function ChatScreen({ client, user, onLogOut }: { client: ChatClient; user: User; onLogOut(): void }) {
  const [creating, setCreating] = useState(false);
  const [settings, setSettings] = useState(false);
  return (
    <Chat client={client} className="app-chat">
      <ConnectionBanner />
      <ChatLayout
        className="app-layout"
        sidebar={
          <>
            <header className="app-sidebar__header">
              <span className="app-sidebar__me" data-testid="app-me">
                {user.name ?? user.id}
              </span>
              <button
                type="button"
                className="chat-button chat-button--primary"
                onClick={() => setCreating(true)}
              >
                New conversation
              </button>
              <button
                type="button"
                className="chat-button"
                aria-haspopup="dialog"
                data-testid="app-notifications"
                onClick={() => setSettings(true)}
              >
                Notifications
              </button>
              <button type="button" className="chat-button" onClick={onLogOut}>
                Log out
              </button>
            </header>
            <ChannelList />
          </>
        }
      >
        <Channel>
          <div className="app-channel">
            <ChannelHeader onNotificationSettings={() => setSettings(true)} />
            <MessageList />
            <TypingIndicator />
            <MessageInput />
          </div>
          <Thread />
        </Channel>
      </ChatLayout>
      {creating && <NewConversation onClose={() => setCreating(false)} />}
      {settings && <NotificationsDialog onClose={() => setSettings(false)} />}
    </Chat>
  );
}

import type { ChatClient, User } from '@chat/core';
import {
  BrowseChannels,
  Channel,
  ChannelHeader,
  ChannelList,
  Chat,
  ChatLayout,
  MessageInput,
  MessageList,
  PinnedMessages,
  ReviewQueue,
  SearchPanel,
  Thread,
  TypingIndicator,
} from '@chat/ui-react';
import { useState } from 'react';
import { createPortal } from 'react-dom';
import { AppDialog } from './app-dialog';
import { ConnectionBanner } from './connection-banner';
import { NewConversation } from './new-conversation';
import { NotificationsDialog } from './notifications-dialog';
import { type ThemeChoice, useThemeChoice } from './theme';

/**
 * The logged-in app: the channel list beside the open channel and its thread (on a phone, one
 * of them at a time: `<ChatLayout>`). Notification settings open from the sidebar, or from the
 * channel menu (which also mutes the channel, lists its pinned messages and, for moderators,
 * sets slow mode). App admins get "Moderation": the reports to review.
 */
export function ChatScreen({ client, user, onLogOut }: { client: ChatClient; user: User; onLogOut(): void }) {
  const [creating, setCreating] = useState(false);
  const [settings, setSettings] = useState(false);
  const [theme, setTheme] = useThemeChoice();
  const [searching, setSearching] = useState(false);
  const [browsing, setBrowsing] = useState(false);
  const [dialogs, setDialogs] = useState<HTMLDivElement | null>(null);
  const [pins, setPins] = useState(false);
  const [reviewing, setReviewing] = useState(false);
  return (
    <Chat client={client} className="app-chat" theme={theme}>
      <ConnectionBanner />
      {/* The page's one main landmark and heading; on a phone only one pane shows, so not a pane. */}
      <main className="app-main">
        <h1 className="chat-visually-hidden">Chat</h1>
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
                  aria-pressed={searching}
                  onClick={() => setSearching((on) => !on)}
                >
                  Search
                </button>
                <button
                  type="button"
                  className="chat-button"
                  aria-pressed={browsing}
                  data-testid="app-browse"
                  onClick={() => setBrowsing((on) => !on)}
                >
                  Browse
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
                {user.role === 'admin' && (
                  <button
                    type="button"
                    className="chat-button"
                    aria-haspopup="dialog"
                    data-testid="app-moderation"
                    onClick={() => setReviewing(true)}
                  >
                    Moderation
                  </button>
                )}
                <label className="app-theme">
                  <span className="chat-visually-hidden">Theme</span>
                  <select
                    className="app-input"
                    value={theme}
                    data-testid="app-theme"
                    onChange={(e) => setTheme(e.target.value as ThemeChoice)}
                  >
                    <option value="auto">System theme</option>
                    <option value="light">Light</option>
                    <option value="dark">Dark</option>
                  </select>
                </label>
                <button type="button" className="chat-button" onClick={onLogOut}>
                  Log out
                </button>
              </header>
              {searching && <SearchPanel />}
              {browsing && <BrowseChannels onJoined={() => setBrowsing(false)} />}
              {/* In the layout's React tree (a portal keeps its context), so starting a
                  conversation on a phone goes to it; drawn at the chat's root, over everything. */}
              {creating &&
                dialogs &&
                createPortal(<NewConversation onClose={() => setCreating(false)} />, dialogs)}
              <ChannelList />
            </>
          }
        >
          <Channel>
            <div className="app-channel">
              <ChannelHeader
                onNotificationSettings={() => setSettings(true)}
                onPinnedMessages={() => setPins(true)}
              />
              <MessageList />
              <TypingIndicator />
              <MessageInput />
            </div>
            <Thread />
            {pins && (
              <AppDialog label="Pinned messages" testId="app-pinned-dialog" onClose={() => setPins(false)}>
                <PinnedMessages onClose={() => setPins(false)} onSelect={() => setPins(false)} />
              </AppDialog>
            )}
          </Channel>
        </ChatLayout>
      </main>
      {settings && <NotificationsDialog onClose={() => setSettings(false)} />}
      {reviewing && (
        <AppDialog label="Moderation" testId="app-moderation-dialog" onClose={() => setReviewing(false)}>
          <ReviewQueue onClose={() => setReviewing(false)} />
        </AppDialog>
      )}
      <div ref={setDialogs} />
    </Chat>
  );
}

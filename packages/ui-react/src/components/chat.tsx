import type { ChatClient } from '@chat/core';
import { ChatProvider } from '@chat/react';
import { type ReactNode, useCallback, useMemo, useState } from 'react';
import type { ChatComponents } from '../context/components';
import { type DraftMap, DraftsContext } from '../context/drafts-context';
import { type ChannelSelection, SelectionContext } from '../context/selection-context';
import { type UiConfig, UiConfigContext } from '../context/ui-context';
import { type ChatStrings, createTranslator } from '../i18n/strings';
import { useWatchReactors } from './reaction-users/use-message-reactors';

/** `auto` follows the system (`prefers-color-scheme`). */
export type ChatTheme = 'light' | 'dark' | 'auto';

export interface ChatProps {
  client: ChatClient;
  /** Default `auto`. Set on the root as `data-theme`; the stylesheet switches variables on it. */
  theme?: ChatTheme;
  /** Replacements for any part of the kit, e.g. `{ Avatar: MyAvatar, Message: MyMessage }`. */
  components?: Partial<ChatComponents>;
  /** Translations of any user-visible string, e.g. `{ 'input.placeholder': 'Say something' }`. */
  strings?: ChatStrings;
  /** For plural rules and dates; default: the runtime's locale. */
  locale?: string;
  /** The shown channel (`type:id`), when the app controls it; else `<ChannelList>` sets it. */
  activeChannel?: string | null;
  /** The channel shown first when uncontrolled. */
  defaultActiveChannel?: string;
  /** Called when `<ChannelList>` selects a channel. */
  onActiveChannelChange?(cid: string): void;
  /** Added to the root element's `chat-root` class, e.g. to size it. */
  className?: string;
  children?: ReactNode;
}

/**
 * The root of the kit: provides `client` to the hooks of `@chat/react` and the kit's
 * configuration (components, strings, theme, the shown channel) to the components below.
 *
 * @example
 * <Chat client={client} theme="dark">
 *   <ChannelList />
 *   <Channel>
 *     <ChannelHeader />
 *     <MessageList />
 *     <TypingIndicator />
 *     <MessageInput />
 *     <Thread />
 *   </Channel>
 * </Chat>
 */
export function Chat({
  client,
  theme = 'auto',
  components,
  strings,
  locale,
  activeChannel,
  defaultActiveChannel,
  onActiveChannelChange,
  className,
  children,
}: ChatProps) {
  // Apps pass inline objects: key the config on their content so it keeps its identity.
  const stringsKey = JSON.stringify(strings ?? {});
  const config = useMemo<UiConfig>(
    () => ({ components: components ?? {}, t: createTranslator(JSON.parse(stringsKey), locale) }),
    [components, stringsKey, locale],
  );
  const [ownCid, setOwnCid] = useState<string | null>(defaultActiveChannel ?? null);
  const activeCid = activeChannel === undefined ? ownCid : activeChannel;
  const select = useCallback(
    (cid: string) => {
      setOwnCid(cid);
      onActiveChannelChange?.(cid);
    },
    [onActiveChannelChange],
  );
  const selection = useMemo<ChannelSelection>(() => ({ activeCid, select }), [activeCid, select]);
  const [drafts] = useState<DraftMap>(() => new Map());
  useWatchReactors(client);
  return (
    <ChatProvider client={client}>
      <UiConfigContext.Provider value={config}>
        <SelectionContext.Provider value={selection}>
          <DraftsContext.Provider value={drafts}>
            <div
              className={className ? `chat-root ${className}` : 'chat-root'}
              data-theme={theme}
              data-testid="chat-root"
            >
              {children}
            </div>
          </DraftsContext.Provider>
        </SelectionContext.Provider>
      </UiConfigContext.Provider>
    </ChatProvider>
  );
}

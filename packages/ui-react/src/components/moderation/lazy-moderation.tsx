import type { LocalMessage } from '@chat/core';
import { useLazyModule } from '../../hooks/use-lazy-module';
import { lazyModule } from '../../lazy-module';
import { lazyComponent } from '../lazy-component';
import type { ModerationKind } from './message-moderation';

export type { BlockedUsersProps } from './blocked-users-body';
export type { MessageModerationProps, ModerationKind } from './message-moderation';
export type { PinnedMessagesProps } from './pinned-messages-body';
export type { ReviewQueueProps } from './review-queue-body';

// Each part's code (and `@chat/core/moderation`) loads the first time it shows: most users of
// most apps never report, block or moderate, so none of it is in a chat screen's first load.
const dialogs = lazyModule(() => import('./message-moderation'));

/** Starts loading the menus' safety and moderation code (a menu opened: its items follow). */
export const preloadModeration = () => void dialogs.load().catch(() => {});

export interface ModerationMenuItemsProps {
  message: LocalMessage;
  isOwn: boolean;
  onPick(kind: ModerationKind): void;
}

/**
 * The message menu's safety and moderator items (see `message-moderation.tsx`): they join the
 * menu once their code is here, fetched when a menu first opens.
 */
export function ModerationMenuItems(props: ModerationMenuItemsProps) {
  const code = useLazyModule(dialogs);
  return code.status === 'ready' ? <code.module.ModerationMenuItems {...props} /> : null;
}

/** The dialog of a message menu item: report, block, pin, delete, ban, time out. */
export const MessageModeration = lazyComponent(() => dialogs.load().then((m) => m.MessageModeration));
/** A moderator's slow-mode choice for the channel (from the channel menu). */
export const SlowModeSetting = lazyComponent(() => dialogs.load().then((m) => m.SlowModeSetting));
/** The countdown under the input while slow mode holds the user back. */
export const SlowModeNotice = lazyComponent(() => import('./slow-mode-notice').then((m) => m.SlowModeNotice));
/** The channel's pinned messages, newest pin first (see `pinned-messages-body.tsx`). */
export const PinnedMessages = lazyComponent(() =>
  import('./pinned-messages-body').then((m) => m.PinnedMessages),
);
/** The app's reports to review, for app admins and moderators (see `review-queue-body.tsx`). */
export const ReviewQueue = lazyComponent(() => import('./review-queue-body').then((m) => m.ReviewQueue));
/** The users the connected user blocked, to unblock them (see `blocked-users-body.tsx`). */
export const BlockedUsers = lazyComponent(() => import('./blocked-users-body').then((m) => m.BlockedUsers));

import { addDefaultStrings } from './strings';

/**
 * The default (English) strings of the safety and moderation parts, which load on demand: the
 * report, block, ban and time-out dialogs, the slow-mode countdown and setting, the pinned
 * messages and the review queue. They come with the first of those parts to load (each calls
 * `loadModerationStrings`); `<Chat strings>` overrides them like any other.
 */
export const moderationStrings = {
  /** Safety and moderation items of the message menu (they load with their dialogs). */
  'message.report': 'Report…',
  'message.block': 'Block {name}',
  'message.unblock': 'Unblock {name}',
  'message.pin': 'Pin',
  'message.unpin': 'Unpin',
  'message.ban': 'Ban from channel…',
  'message.timeOut': 'Time out…',

  'moderation.close': 'Close',
  'moderation.cancel': 'Cancel',
  'moderation.working': 'Working…',
  'moderation.failed': 'That did not work: {reason}',
  'moderation.reason': 'Reason (optional)',

  'report.title': 'Report a message from {name}',
  'report.why': 'Why are you reporting it?',
  'report.reason.spam': 'Spam',
  'report.reason.harassment': 'Harassment or bullying',
  'report.reason.hate': 'Hate speech',
  'report.reason.sexual': 'Sexual content',
  'report.reason.violence': 'Violence or threats',
  'report.reason.other': 'Something else',
  'report.note': 'Anything to add? (optional)',
  'report.submit': 'Submit report',
  'report.sent': 'Thanks. The moderators will review it.',
  'report.already': 'You already reported this.',

  'block.title': 'Block {name}?',
  'block.explain':
    'You will no longer see their messages, and they cannot send you direct messages. They are not told.',
  'block.confirm': 'Block',
  'unblock.title': 'Unblock {name}?',
  'unblock.explain': 'Their new messages will show again.',
  'unblock.confirm': 'Unblock',

  'modDelete.title': 'Delete this message from {name} for everyone?',
  'modDelete.explain': 'It will show as removed by a moderator.',
  'modDelete.confirm': 'Delete',

  'pin.pinning': 'Pinning…',
  'pin.unpinning': 'Unpinning…',

  'ban.title': 'Ban {name} from this channel',
  'ban.duration': 'For how long?',
  'ban.hour': '1 hour',
  'ban.day': '1 day',
  'ban.forever': 'Until lifted',
  'ban.confirm': 'Ban',
  'ban.done': '{name} is banned from this channel.',

  'timeout.title': 'Time out {name} everywhere in the app',
  'timeout.duration': 'For how long?',
  'timeout.minutes': '10 minutes',
  'timeout.hour': '1 hour',
  'timeout.day': '1 day',
  'timeout.confirm': 'Time out',
  'timeout.done': '{name} cannot send anything until {time}.',

  'slowMode.title': 'Slow mode',
  'slowMode.explain': 'How long each member waits between two messages. Moderators are exempt.',
  'slowMode.off': 'Off',
  'slowMode.seconds': '{count} s',
  'slowMode.minutes': '{count} min',
  'slowMode.save': 'Save',
  /** Under the input while slow mode holds the user back. */
  'slowMode.wait': 'Slow mode: wait {seconds} s',
  'slowMode.on': 'Slow mode: one message every {seconds} s',

  'pinned.title': 'Pinned messages',
  'pinned.loading': 'Loading pinned messages…',
  'pinned.none': 'No pinned messages in this channel.',
  'pinned.failed': 'Could not load the pinned messages.',
  'pinned.retry': 'Try again',
  'pinned.more': 'Load more',
  'pinned.by': 'Pinned by {name}',
  'pinned.close': 'Close pinned messages',

  'blocked.title': 'Blocked users',
  'blocked.loading': 'Loading blocked users…',
  'blocked.none': 'You have not blocked anyone.',
  'blocked.failed': 'Could not load the blocked users.',
  'blocked.close': 'Close blocked users',
  'blocked.unblock': 'Unblock {name}',
  'blocked.unblockShort': 'Unblock',

  'review.title': 'Reports to review',
  'review.loading': 'Loading reports…',
  'review.none': 'Nothing to review.',
  'review.failed': 'Could not load the reports.',
  'review.retry': 'Try again',
  'review.more': 'Load more',
  'review.close': 'Close reports',
  'review.message': 'Message from {name}',
  'review.user': 'Reported user: {name}',
  'review.deleted': '(message deleted)',
  'review.in': 'in {channel}',
  'review.count.one': '{count} report',
  'review.count.other': '{count} reports',
  'review.reasons': 'Reasons: {reasons}',
  'review.dismiss': 'Dismiss',
  'review.delete': 'Delete message',
  'review.ban': 'Ban from app',
  'review.banConfirm': 'Ban {name} from the whole app?',
  'review.done.dismiss': 'Dismissed.',
  'review.done.delete_message': 'Message deleted.',
  'review.done.ban_from_app': '{name} is banned from the app.',
} as const;

/** Makes these the defaults of every translator (once per page; later calls do nothing new). */
export function loadModerationStrings(): void {
  addDefaultStrings(moderationStrings);
}

import type { moderationStrings } from './moderation-strings';
import type { onDemandStrings } from './on-demand-strings';

/**
 * Every user-visible string, in English. Keys are stable (apps translate them); `{name}` marks a
 * value filled in at render time. Keys ending in `.one` / `.other` are plural forms chosen with
 * `Intl.PluralRules`: a translation may add the other categories of its language (`.few`, `.many`).
 */
export const defaultStrings = {
  'channelList.label': 'Channels',
  'channelList.empty': 'No channels yet',
  'channelList.loading': 'Loading channels…',
  'channelList.error': 'Could not load the channels.',
  'channelList.retry': 'Try again',
  'channelList.loadMore': 'Load more channels',
  'channelList.noMessages': 'No messages yet',
  'channelList.you': 'You',
  'channelList.deleted': 'Message deleted',
  'channelList.attachment': 'Attachment',
  'channelList.unread.one': '{count} unread message',
  'channelList.unread.other': '{count} unread messages',

  'channel.none': 'Select a channel to start chatting.',
  'channel.untitled': 'Untitled channel',
  /** A channel without a name is named after its people: "Bob and Carol", "Bob, Carol and 2 others". */
  'channel.and': 'and',
  'channel.others.one': '{count} other',
  'channel.others.other': '{count} others',
  'channel.muted': 'Muted',

  'channelMenu.label': 'Channel options',
  'channelMenu.mute': 'Mute channel',
  'channelMenu.notifications': 'Notification settings',
  'channelMenu.muteFailed': 'Could not mute the channel.',
  'channelMenu.unmuteFailed': 'Could not unmute the channel.',
  'channelMenu.pinned': 'Pinned messages',
  'channelMenu.slowMode': 'Slow mode…',

  'header.members.one': '{count} member',
  'header.members.other': '{count} members',
  'header.online.one': '{count} online',
  'header.online.other': '{count} online',
  'header.onlineList': 'Online now',
  'header.back': 'Back to channels',
  'header.activeNow': 'Online',
  'header.lastSeen': 'Last seen {when}',

  'messageList.label': 'Messages in {channel}',
  'messageList.empty': 'No messages yet. Say hello!',
  'messageList.loading': 'Loading messages…',
  'messageList.loadingOlder': 'Loading older messages…',
  'messageList.newMessages.one': '{count} new message',
  'messageList.newMessages.other': '{count} new messages',
  'messageList.unreadDivider': 'New messages',
  'messageList.jumpToUnread': 'Jump to first unread',
  'messageList.jumpToLatest': 'Jump to latest',
  'messageList.jumpFailed': 'That message is no longer available.',
  'messageList.loadingNewer': 'Loading newer messages…',
  'messageList.today': 'Today',
  'messageList.yesterday': 'Yesterday',

  'message.edited': '(edited)',
  'message.pinned': '(pinned)',
  'message.deleted': 'This message was deleted.',
  'message.sending': 'Sending…',
  'message.sent': 'Sent',
  'message.failed': 'Not sent.',
  'message.retry': 'Retry',
  'message.discard': 'Discard',
  'message.waiting': 'Waiting to send…',
  'message.retryNow': 'Retry now',
  'message.replies.one': '{count} reply',
  'message.replies.other': '{count} replies',
  'message.seenBy': 'Seen by {names}',
  'message.quoted': 'Quoted message from {name}',
  'message.showQuoted': 'Show the quoted message from {name}',
  'message.actions': 'Message actions',
  'message.react': 'Add reaction',
  'message.quickReactions': 'Quick reactions',
  'message.replyInThread': 'Reply in thread',
  'message.quote': 'Quote',
  'message.edit': 'Edit',
  'message.delete': 'Delete',
  'message.deleteConfirm': 'Delete this message for everyone? This cannot be undone.',
  'message.deleteCancel': 'Cancel',
  /** A message a moderator deleted (not its author). */
  'message.removed': 'Removed by a moderator',

  'reactions.label': 'Reactions',
  'reactions.item.one': '{type}: {count} reaction',
  'reactions.item.other': '{type}: {count} reactions',
  /** Who reacted, on a reaction's tooltip: "You, Bob and 3 others reacted with 🎉". */
  'reactions.by': '{names} reacted with {type}',
  'reactions.you': 'You',
  'reactions.others.one': '{count} other',
  'reactions.others.other': '{count} others',
  /** When none of the names is known. */
  'reactions.people.one': '{count} person reacted with {type}',
  'reactions.people.other': '{count} people reacted with {type}',
  'reactions.loading': 'Loading who reacted…',
  'reactionPicker.label': 'Pick a reaction',
  'reactionPicker.item': 'React with {type}',
  'reactionPicker.more': 'More reactions',
  'reactionPicker.moreLabel': 'React with any emoji',

  'emojiPicker.label': 'Emoji',
  'emojiPicker.loading': 'Loading emoji…',
  'emojiPicker.loadFailed': 'Could not load the emoji.',

  /** The Remove button of a link's preview card on one's own message. */
  'linkPreview.remove': 'Remove the preview of {site}',

  'attachment.image': 'Image',
  'attachment.file': 'File',
  'attachment.video': 'Video',
  'attachment.audio': 'Audio',
  /** On the last tile of a grid of more than 4 images: "+2" shown, "2 more images" read. */
  'attachment.moreBadge': '+{count}',
  'attachment.more.one': '{count} more image',
  'attachment.more.other': '{count} more images',
  /** An image that failed to load: its name and a link to open the file. */
  'attachment.open': 'Open',
  'attachment.download': 'Download',
  'attachment.downloadName': 'Download {name}',
  /** The image viewer (lightbox), named by the image shown; its code loads on first use (`lazy.*`). */
  'attachment.viewer': 'Image viewer',

  /** A part whose code loads the first time it shows (search, browsing channels, the image viewer). */
  'lazy.loading': 'Loading…',
  'lazy.failed': 'Could not load this part of the chat.',
  'lazy.retry': 'Try again',

  'input.label': 'Message',
  'input.placeholder': 'Write a message…',
  'input.threadPlaceholder': 'Reply in thread…',
  'input.send': 'Send',
  'input.save': 'Save',
  'input.editing': 'Editing message',
  'input.cancelEdit': 'Cancel editing',
  'input.quoting': 'Replying to {name}',
  'input.cancelQuote': 'Cancel reply',
  'input.mentions': 'People to mention',
  'input.emoji': 'Insert emoji',
  'input.attach': 'Attach files',
  /** Shown over the composer while files are dragged over it. */
  'input.dropFiles': 'Drop files to attach them',
  'input.tooManyFiles': 'A message can carry {max} files: {count} left out.',

  'thread.label': 'Thread',
  'thread.repliesLabel': 'Replies',
  'thread.close': 'Close thread',
  'thread.missingParent': 'The original message is not loaded.',

  'typing.one': '{name} is typing…',
  'typing.two': '{first} and {second} are typing…',
  'typing.many': '{count} people are typing…',

  'notifications.title': 'Notifications',
  'notifications.close': 'Close notification settings',

  'avatar.online': 'online',
  'avatar.offline': 'offline',
} as const;

/** The keys of every built-in string (those of the parts loaded on demand too). */
export type ChatStringKey =
  | keyof typeof defaultStrings
  | keyof typeof onDemandStrings
  | keyof typeof moderationStrings;

/** Default strings of parts loaded on demand, added as their code loads (`addDefaultStrings`). */
const lateDefaults: Record<string, string> = {};

/** Adds the default (English) strings of a part loaded on demand; see on-demand-strings.ts. */
export function addDefaultStrings(strings: Record<string, string>): void {
  Object.assign(lateDefaults, strings);
}

/**
 * A translation: any subset of the built-in keys (the rest stay English), plus plural categories
 * a language needs beyond `one`/`other` (e.g. `'message.replies.few'`).
 */
export type ChatStrings = Partial<Record<ChatStringKey, string>> & Record<string, string>;

/** Values filled into `{name}` placeholders. */
export type StringValues = Record<string, string | number>;

/** Looks strings up, fills placeholders and picks plural forms. */
export interface Translator {
  (key: ChatStringKey, values?: StringValues): string;
  /** The plural form of `base` for `count` (`{count}` is filled in). */
  plural(base: string, count: number, values?: StringValues): string;
  readonly locale: string | undefined;
}

const fill = (text: string, values: StringValues | undefined) =>
  values ? text.replace(/\{(\w+)\}/g, (all, name: string) => String(values[name] ?? all)) : text;

/** Builds the translator of `<Chat strings locale>`. */
export function createTranslator(overrides: ChatStrings = {}, locale?: string): Translator {
  const lookup = (key: string): string =>
    overrides[key] ?? (defaultStrings as Record<string, string>)[key] ?? lateDefaults[key] ?? key;
  const rules = new Intl.PluralRules(locale);
  const t = ((key: ChatStringKey, values?: StringValues) => fill(lookup(key), values)) as Translator;
  t.plural = (base, count, values) => {
    const category = rules.select(count);
    const key = overrides[`${base}.${category}`] !== undefined ? `${base}.${category}` : null;
    const chosen = key ?? (category === 'one' ? `${base}.one` : `${base}.other`);
    return fill(lookup(chosen), { count, ...values });
  };
  Object.defineProperty(t, 'locale', { value: locale });
  return t;
}

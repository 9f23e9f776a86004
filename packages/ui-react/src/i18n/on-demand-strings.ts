import { addDefaultStrings } from './strings';

/**
 * The default (English) strings of the parts loaded on demand: the notification settings, message
 * search, the channel browser, the emoji picker's search, the image viewer and files being sent.
 * They come with the first of those parts to load (each calls `loadOnDemandStrings`), not with a
 * chat screen's first load; `<Chat strings>` overrides them like any other (`ChatStringKey` has
 * them all).
 */
export const onDemandStrings = {
  'browse.label': 'Browse channels',
  'browse.loading': 'Looking for channels…',
  'browse.none': 'No channels to join. Every public channel is already in your list.',
  'browse.failed': 'Could not load the channels. Try again.',
  'browse.join': 'Join',
  'browse.joinChannel': 'Join {channel}',
  'browse.joining': 'Joining…',
  'browse.more': 'Show more',
  'browse.found.one': '{count} channel you can join',
  'browse.found.other': '{count} channels you can join',
  'search.label': 'Search messages',
  'search.placeholder': 'Search messages…',
  'search.searching': 'Searching…',
  'search.none': 'No messages match.',
  'search.failed': 'Could not search. Try again.',
  'search.results.one': '{count} message found',
  'search.results.other': '{count} messages found',
  'emojiPicker.search': 'Search emoji',
  'emojiPicker.searchPlaceholder': 'Search…',
  'emojiPicker.skinTone': 'Change skin tone',
  'emojiPicker.empty': 'No emoji found.',
  'attachment.close': 'Close',
  'attachment.previous': 'Previous image',
  'attachment.next': 'Next image',
  'attachment.counter': '{index} of {count}',
  'attachment.failed': 'Could not load the image.',
  /** Files picked for the next message, and the files of a message being sent. */
  'files.picked': 'Files to send',
  'files.sending': 'Files being sent',
  'files.remove': 'Remove {name}',
  'files.uploading': 'Uploading {name}: {percent}%',
  'files.processing': 'Checking {name}',
  'files.failed': 'Could not send {name}',
  'notifications.loading': 'Loading notification settings…',
  'notifications.loadFailed': 'Could not load your notification settings.',
  'notifications.saveFailed': 'Could not save your change.',
  'notifications.retry': 'Try again',
  'notifications.level': 'Notify me about',
  'notifications.level.all': 'All messages',
  'notifications.level.mentions': 'Mentions only',
  'notifications.level.none': 'Nothing',
  'notifications.dnd': 'Do not disturb',
  'notifications.dnd.off': 'Off',
  'notifications.dnd.hour': 'For 1 hour',
  'notifications.dnd.tomorrow': 'Until tomorrow, {time}',
  'notifications.dnd.custom': 'Until a date and time',
  'notifications.dnd.until': 'Pause until',
  'notifications.dnd.set': 'Pause',
  'notifications.dnd.past': 'Pick a time in the future.',
  'notifications.dnd.active': 'Paused until {time}',
  'notifications.dnd.inactive': 'Notifications are on',
  'notifications.channel': 'In {channel}',
  'notifications.channel.level': 'Notifications in {channel}',
  'notifications.channel.default': 'Default ({level})',
  'notifications.channel.mute': 'Mute this channel',
  'notifications.channel.muted': 'Muted: nothing from this channel notifies you.',
} as const;

/** Makes these the defaults of every translator (once per page; later calls do nothing new). */
export function loadOnDemandStrings(): void {
  addDefaultStrings(onDemandStrings);
}

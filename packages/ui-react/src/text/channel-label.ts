import type { ChannelListEntry } from '@chat/core';
import { type ChannelLabel, channelLabel, channelTitle, type Person } from '@chat/core';
import type { Translator } from '../i18n/strings';

/**
 * What the kit calls and shows a channel as: its name, else the people in it ("Bob", "Bob and
 * Carol", "Bob, Carol, Dave and 2 others", in the app's strings), with the other person's picture
 * for a direct message (core's `channelLabel`).
 */
export function labelOf(
  channel: ChannelListEntry['channel'],
  people: readonly Person[] | undefined,
  t: Translator,
): ChannelLabel & { title: string } {
  const label = channelLabel(channel, people);
  const title = channelTitle(label, {
    and: t('channel.and'),
    others: (count) => t.plural('channel.others', count),
    untitled: t('channel.untitled'),
  });
  return { ...label, title };
}

/** The avatar of a channel: the other person's for a direct message, else the channel's own. */
export const avatarOf = (cid: string, label: ChannelLabel & { title: string }) => ({
  id: label.person?.id ?? cid,
  name: label.title,
  image: label.image,
});

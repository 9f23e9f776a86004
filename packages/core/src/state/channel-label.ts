import type { Channel, Member, UserRef } from '@chat/protocol';

/** People a channel without a name is named after, at most. */
const PEOPLE_NAMED = 3;

/** Another member of a channel: someone it is named after, and whose picture it shows. */
export type Person = Pick<UserRef, 'id' | 'name' | 'image'>;

/** What a channel is called and shown as in a list or a header (see `channelTitle` for the words). */
export interface ChannelLabel {
  /** Its name; else its id, unless that is a generated one (`!members-…`); else null. */
  name: string | null;
  /** For one without a name (a direct message, an unnamed group): the people it is named after. */
  people: readonly Person[];
  /** Other members besides the user and `people`. */
  others: number;
  /** Its image; for a direct message without one, the other person's. */
  image: string | null;
  /** The other person of a direct message (one other member): for an avatar with their initials. */
  person: Person | null;
}

/** The words a title is made with: English by default, a UI's own translation otherwise. */
export interface TitleWords {
  /** Joins the last two names: "and". */
  and: string;
  /** "3 others". */
  others(count: number): string;
  /** A channel with nothing to call it by. */
  untitled: string;
}

const ENGLISH: TitleWords = {
  and: 'and',
  others: (count) => `${count} other${count === 1 ? '' : 's'}`,
  untitled: 'Untitled',
};

/** A person's name, else their id. */
export const personName = (person: Pick<Person, 'id' | 'name'>) => person.name?.trim() || person.id;

/**
 * The members other than `ownUserId`, in the order given (join order), as many as a label needs
 * (one more than it names).
 */
export function channelPeople(
  members: Iterable<Pick<Member, 'user_id' | 'user'>>,
  ownUserId?: string,
): Person[] {
  const people: Person[] = [];
  for (const member of members) {
    if (member.user_id === ownUserId) continue;
    people.push({ id: member.user.id, name: member.user.name, image: member.user.image });
    if (people.length > PEOPLE_NAMED) break;
  }
  return people;
}

/**
 * How to show a channel. A channel's own name wins; one without a name is named after its other
 * members (`people`, from `channelPeople`), its `member_count` telling how many more there are.
 */
export function channelLabel(
  channel: Pick<Channel, 'id' | 'name' | 'image' | 'member_count'>,
  people: readonly Person[] = [],
): ChannelLabel {
  const dm = people.length === 1 && channel.member_count <= 2 ? people[0]! : null;
  const image = channel.image ?? dm?.image ?? null;
  const own = channel.name?.trim() || null;
  if (own || people.length === 0) {
    const name = own ?? (channel.id.startsWith('!') ? null : channel.id);
    return { name, people: [], others: 0, image, person: null };
  }
  const named = people.slice(0, PEOPLE_NAMED);
  // Besides the user and those named: at least those the list itself shows.
  const others = Math.max(channel.member_count - 1, people.length) - named.length;
  return { name: null, people: named, others, image, person: dm };
}

/** "General"; "Bob"; "Bob and Carol"; "Bob, Carol and Dave"; "Bob, Carol, Dave and 2 others". */
export function channelTitle(label: ChannelLabel, words: TitleWords = ENGLISH): string {
  if (label.name) return label.name;
  const names = label.people.map(personName);
  if (names.length === 0) return words.untitled;
  if (label.others > 0) return `${names.join(', ')} ${words.and} ${words.others(label.others)}`;
  if (names.length === 1) return names[0]!;
  return `${names.slice(0, -1).join(', ')} ${words.and} ${names.at(-1)}`;
}

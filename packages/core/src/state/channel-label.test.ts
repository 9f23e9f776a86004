import type { ChannelState } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { channel, member, message } from '../../test/channel-fixtures';
import { channelLabel, channelPeople, channelTitle } from './channel-label';
import { applyChannelListEvent, entryFromState } from './channel-list';

/** What a channel is called: its name, else the people in it, in the user's own words. */
const named = (id: string, name: string | null = null, image: string | null = null) => ({
  ...member(id),
  user: { id, name, image, online: false },
});
const dm = { ...channel(1), id: '!members-w93xao1jx8rcy', name: null, member_count: 2 };

describe('channel labels', () => {
  it('a channel with a name is called by it, whoever is in it', () => {
    const label = channelLabel(channel(1), channelPeople([named('bob', 'Bob')], 'alice'));
    expect(channelTitle(label)).toBe('Trip');
    expect(label.person).toBeNull();
  });

  it('a direct message is the other person: their name and picture, never the generated id', () => {
    const people = channelPeople(
      [named('alice', 'Alice'), named('bob', 'Bob', 'https://img/bob.png')],
      'alice',
    );
    const label = channelLabel(dm, people);
    expect(channelTitle(label)).toBe('Bob');
    expect(label).toMatchObject({ image: 'https://img/bob.png', person: { id: 'bob', name: 'Bob' } });
    // Without a name, the id; the channel's own image wins.
    expect(
      channelTitle(
        channelLabel({ ...dm, image: 'https://img/c.png' }, [{ id: 'bob', name: ' ', image: null }]),
      ),
    ).toBe('bob');
    expect(channelLabel({ ...dm, image: 'https://img/c.png' }, people).image).toBe('https://img/c.png');
  });

  it('an unnamed group names up to three people and counts the rest', () => {
    const members = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'].map((id) =>
      named(id, id.toUpperCase()),
    );
    const people = channelPeople(members, 'alice');
    expect(people.map((p) => p.id)).toEqual(['bob', 'carol', 'dave', 'erin']);
    const group = (count: number, who = people) =>
      channelTitle(channelLabel({ ...dm, member_count: count }, who));
    expect(group(6)).toBe('BOB, CAROL, DAVE and 2 others');
    expect(group(5)).toBe('BOB, CAROL, DAVE and 1 other');
    expect(group(4, people.slice(0, 3))).toBe('BOB, CAROL and DAVE');
    expect(group(3, people.slice(0, 2))).toBe('BOB and CAROL');
    // Not a direct message: no one person's avatar.
    expect(channelLabel({ ...dm, member_count: 3 }, people.slice(0, 2)).person).toBeNull();
    // In the UI's own words.
    const words = { and: 'et', others: (n: number) => `${n} autres`, untitled: 'Sans titre' };
    expect(channelTitle(channelLabel({ ...dm, member_count: 6 }, people), words)).toBe(
      'BOB, CAROL, DAVE et 2 autres',
    );
  });

  it('with nothing to go by: the id if it is a real one, else untitled', () => {
    expect(channelTitle(channelLabel({ ...dm, id: 'support' }))).toBe('support');
    expect(channelTitle(channelLabel(dm))).toBe('Untitled');
    expect(channelTitle(channelLabel({ ...channel(1), name: '   ' }))).toBe('trip');
  });

  it('list entries carry the people: from a loaded state, and from being added by someone else', () => {
    const state: ChannelState = {
      channel: dm,
      members: [named('alice', 'Alice'), named('bob', 'Bob')],
      messages: [message(1)],
      read: [],
      membership: named('alice', 'Alice'),
      draft: null,
    };
    const entry = entryFromState(state);
    expect(channelTitle(channelLabel(entry.channel, entry.people))).toBe('Bob');

    const added = applyChannelListEvent(
      { entries: [], unreadTotal: 0 },
      {
        type: 'notification.added_to_channel',
        cid: dm.cid,
        seq: 1,
        created_at: dm.created_at,
        channel: dm,
        member: named('alice', 'Alice'),
        members: [named('carol', 'Carol'), named('alice', 'Alice')],
      },
      'alice',
    );
    const row = added.entries[0]!;
    expect(channelTitle(channelLabel(row.channel, row.people))).toBe('Carol');
    // A new message keeps them.
    const after = applyChannelListEvent(
      added,
      {
        type: 'message.new',
        cid: dm.cid,
        seq: 2,
        created_at: dm.created_at,
        message: message(2, { cid: dm.cid }),
      },
      'alice',
    );
    expect(after.entries[0]!.people).toEqual(row.people);
  });
});

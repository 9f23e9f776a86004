import type { ChatClient } from '@chat/core';
import { screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, newChannel, renderChat, until } from '../../test/harness';
import type { AvatarProps } from '../components/avatar';
import type { MessageProps } from '../components/message';
import { defaultComponents } from '../default-components';

let alice: ChatClient;
let bob: ChatClient;

beforeAll(async () => {
  [alice, bob] = await Promise.all([connectUser('alice'), connectUser('bob')]);
});

afterAll(async () => {
  await Promise.all([alice.disconnect(), bob.disconnect()]);
});

function InitialOnly({ user }: AvatarProps) {
  return <span data-testid="my-avatar">{user.id[0]}</span>;
}

/** An override that wraps the default message. */
function FramedMessage(props: MessageProps) {
  return (
    <div data-testid="my-message" data-text={props.message.text}>
      <defaultComponents.Message {...props} />
    </div>
  );
}

describe('components and strings', () => {
  it('replaces components everywhere they appear, and translates every string passed', async () => {
    const channel = await newChannel(alice, 'Custom', ['alice', 'bob']);
    await channel.sendMessage({ text: 'first' });
    await channel.sendMessage({ text: 'second' });
    renderChat(alice, {
      cid: channel.cid,
      components: { Avatar: InitialOnly, Message: FramedMessage },
      strings: {
        'input.placeholder': 'Dites quelque chose',
        'input.label': 'Votre message',
        'input.send': 'Envoyer',
        'messageList.label': 'Messages de {channel}',
        'header.members.one': '{count} membre',
        'header.members.other': '{count} membres',
      },
      locale: 'fr',
    });
    await until(channel.state, (s) => !s.loading && s.messages.length === 2);

    const log = await screen.findByRole('log', { name: 'Messages de Custom' });
    await waitFor(() => expect(within(log).getAllByTestId('my-message')).toHaveLength(2));
    // The wrapped default still renders inside the override.
    expect(within(log).getAllByTestId('chat-message')).toHaveLength(2);
    // The message's avatar, and the header's, are the override.
    expect(within(log).getAllByTestId('my-avatar')).toHaveLength(1);
    expect(screen.queryAllByTestId('chat-avatar')).toHaveLength(0);

    const input = screen.getByRole('textbox', { name: 'Votre message' });
    expect(input.getAttribute('placeholder')).toBe('Dites quelque chose');
    expect(screen.getByRole('button', { name: 'Envoyer' })).toBeTruthy();
    expect(screen.getByTestId('chat-member-count').textContent).toBe('2 membres');
  });

  it('sets the theme on the root as data-theme (auto by default)', async () => {
    const { container, unmount } = renderChat(alice, { children: <p>hi</p> });
    expect(container.querySelector('.chat-root')?.getAttribute('data-theme')).toBe('auto');
    unmount();
    const dark = renderChat(alice, { theme: 'dark', children: <p>hi</p> });
    expect(dark.container.querySelector('.chat-root')?.getAttribute('data-theme')).toBe('dark');
  });
});

import { type ChatClient, ChatError } from '@chat/core';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import axe from 'axe-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectAgain, connectUser, FullChannel, newChannel, renderChat, until } from '../../test/harness';
import { Channel } from '../components/channel';
import { ChannelHeader } from '../components/channel-header';
import { ChannelList } from '../components/channel-list';
import { NotificationSettings } from '../components/notification-settings';

let alice: ChatClient;
let carol: ChatClient;
const others: ChatClient[] = [];

beforeAll(async () => {
  [alice, carol] = await Promise.all([connectUser('alice'), connectUser('carol')]);
});

afterAll(async () => {
  await Promise.all([alice, carol, ...others].map((c) => c.disconnect()));
});

const listItem = (cid: string) =>
  waitFor(() => {
    const found = document.querySelector<HTMLElement>(
      `[data-testid="chat-channel-list-item"][data-cid="${cid}"]`,
    );
    expect(found).not.toBeNull();
    return found!;
  });

const header = () => screen.getByTestId('chat-channel-header');
const menuButton = () => within(header()).getByRole('button', { name: 'Channel options' });

/** axe's violations of any impact in `root` (contrast is for browsers: jsdom paints nothing). */
async function violations(root: Element) {
  const results = await axe.run(root, { rules: { 'color-contrast': { enabled: false } } });
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html.slice(0, 120)).join(' | ')}`);
}

describe('muting a channel', () => {
  it('"Mute channel" in the channel menu calls channel.mute; the muted mark shows in the header and the list, and the badge turns grey', async () => {
    const noisy = await newChannel(carol, 'Noisy', ['carol', 'alice']);
    const other = await newChannel(carol, 'Other', ['carol', 'alice']);
    const mine = alice.channel(noisy.type, noisy.id);
    const mute = vi.spyOn(mine, 'mute');
    renderChat(alice, {
      defaultActiveChannel: noisy.cid,
      children: (
        <>
          <ChannelList query={{ filter: { type: 'messaging' }, sort: { last_message_at: -1 } }} />
          <FullChannel />
        </>
      ),
    });
    await until(mine.state, (s) => !s.loading && s.channel !== null);
    const noisyItem = await listItem(noisy.cid);
    expect(within(header()).queryByRole('img', { name: 'Muted' })).toBeNull();
    expect(within(noisyItem).queryByTestId('chat-muted-indicator')).toBeNull();

    fireEvent.click(menuButton());
    const menu = within(header()).getByRole('menu', { name: 'Channel options' });
    const item = within(menu).getByRole('menuitemcheckbox', { name: 'Mute channel' });
    expect(item.getAttribute('aria-checked')).toBe('false');
    fireEvent.click(item);

    expect(mute).toHaveBeenCalledTimes(1);
    expect(within(header()).queryByRole('menu')).toBeNull();
    await within(header()).findByRole('img', { name: 'Muted' });
    await waitFor(() => expect(noisyItem.dataset.muted).toBe('true'));
    expect(within(noisyItem).getByRole('img', { name: 'Muted' })).toBeTruthy();
    expect(mine.state.getSnapshot().membership?.muted).toBe(true);

    fireEvent.click(menuButton());
    expect(
      within(header()).getByRole('menuitemcheckbox', { name: 'Mute channel' }).getAttribute('aria-checked'),
    ).toBe('true');
    fireEvent.keyDown(within(header()).getByRole('menu'), { key: 'Escape' });

    // Away from it, its unread messages still count, in grey.
    fireEvent.click(await listItem(other.cid));
    await waitFor(() => expect(screen.getByTestId('chat-channel').dataset.cid).toBe(other.cid));
    await carol.channel(noisy.type, noisy.id).sendMessage({ text: 'still counted' });
    const badge = await waitFor(() => within(noisyItem).getByTestId('chat-unread-badge'));
    expect(badge.dataset.count).toBe('1');
    expect(badge.dataset.muted).toBe('true');
    expect(badge.classList.contains('chat-channel-list__badge--muted')).toBe(true);
    expect(noisyItem.classList.contains('chat-channel-list__item--muted')).toBe(true);
    const otherBadge = within(await listItem(other.cid)).queryByTestId('chat-unread-badge');
    expect(otherBadge?.classList.contains('chat-channel-list__badge--muted') ?? false).toBe(false);

    // Back on it, "Mute channel" unchecks it: the marks go.
    fireEvent.click(noisyItem);
    await waitFor(() => expect(screen.getByTestId('chat-channel').dataset.cid).toBe(noisy.cid));
    fireEvent.click(menuButton());
    fireEvent.click(within(header()).getByRole('menuitemcheckbox', { name: 'Mute channel' }));
    await waitFor(() => expect(within(header()).queryByRole('img', { name: 'Muted' })).toBeNull());
    await waitFor(() => expect(noisyItem.dataset.muted).toBe('false'));
  });

  it('works from the keyboard: arrows open and move, Escape closes and returns focus', async () => {
    const channel = await newChannel(carol, 'Keys', ['carol', 'alice']);
    const settings = vi.fn();
    renderChat(alice, {
      children: (
        <Channel cid={channel.cid}>
          <ChannelHeader onNotificationSettings={settings} />
        </Channel>
      ),
    });
    await until(alice.channel(channel.type, channel.id).state, (s) => !s.loading && s.membership !== null);
    const trigger = await waitFor(() => menuButton());
    expect(trigger.getAttribute('aria-haspopup')).toBe('menu');

    trigger.focus();
    fireEvent.keyDown(trigger, { key: 'ArrowDown' });
    const menu = within(header()).getByRole('menu');
    expect(trigger.getAttribute('aria-expanded')).toBe('true');
    expect(trigger.getAttribute('aria-controls')).toBe(menu.id);
    const mute = within(menu).getByRole('menuitemcheckbox', { name: 'Mute channel' });
    const more = within(menu).getByRole('menuitem', { name: 'Notification settings' });
    await waitFor(() => expect(document.activeElement).toBe(mute));
    fireEvent.keyDown(mute, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(more);
    fireEvent.keyDown(more, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(mute);
    fireEvent.keyDown(mute, { key: 'End' });
    expect(document.activeElement).toBe(more);
    fireEvent.keyDown(more, { key: 'Escape' });
    expect(within(header()).queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(trigger);

    // ArrowUp opens on the last item; activating it calls the app.
    fireEvent.keyDown(trigger, { key: 'ArrowUp' });
    await waitFor(() =>
      expect(document.activeElement).toBe(
        within(header()).getByRole('menuitem', { name: 'Notification settings' }),
      ),
    );
    fireEvent.click(document.activeElement!);
    expect(settings).toHaveBeenCalledTimes(1);
    expect(within(header()).queryByRole('menu')).toBeNull();
  });

  it('shows a mute made on another device of the user (member.updated), and says when a mute fails', async () => {
    const channel = await newChannel(carol, 'Elsewhere', ['carol', 'alice']);
    const mine = alice.channel(channel.type, channel.id);
    renderChat(alice, { cid: channel.cid });
    await until(mine.state, (s) => !s.loading && s.membership !== null);
    await waitFor(() => menuButton());

    const phone = await connectAgain('alice');
    others.push(phone);
    await phone.channel(channel.type, channel.id).mute();
    await within(header()).findByRole('img', { name: 'Muted' });
    await phone.channel(channel.type, channel.id).unmute();
    await waitFor(() => expect(within(header()).queryByRole('img', { name: 'Muted' })).toBeNull());

    const refused = vi
      .spyOn(mine, 'mute')
      .mockRejectedValueOnce(new ChatError({ code: 'network_error', message: 'offline', retryable: true }));
    fireEvent.click(menuButton());
    fireEvent.click(within(header()).getByRole('menuitemcheckbox', { name: 'Mute channel' }));
    expect(refused).toHaveBeenCalledTimes(1);
    expect((await within(header()).findByRole('alert')).textContent).toBe('Could not mute the channel.');
    expect(within(header()).queryByRole('img', { name: 'Muted' })).toBeNull();
  });
});

const field = (name: string) => screen.getByRole('radio', { name }) as HTMLInputElement;

/**
 * Picks an option as a user does. Testing Library's `fireEvent.change` builds the global
 * `Event`, which is Node's here (see the jsdom environment), and jsdom refuses it.
 */
function choose(select: HTMLSelectElement, value: string) {
  select.value = value;
  const event = select.ownerDocument.createEvent('Event');
  event.initEvent('change', true, false);
  select.dispatchEvent(event);
}

describe('<NotificationSettings>', () => {
  let erin: ChatClient;
  beforeAll(async () => {
    erin = await connectUser('erin');
    others.push(erin);
  });

  it("shows and saves the level, do-not-disturb and one channel's level and mute; the server agrees", async () => {
    const channel = await newChannel(erin, 'Settings', ['erin', 'carol']);
    renderChat(erin, {
      defaultActiveChannel: channel.cid,
      children: (
        <>
          <NotificationSettings />
          <FullChannel />
        </>
      ),
    });
    const panel = await screen.findByRole('region', { name: 'Notifications' });
    // First its code, then the user's settings.
    expect(within(panel).getByRole('status').textContent).toMatch(/^Loading/);
    await waitFor(() => expect(field('All messages').checked).toBe(true));
    const level = within(panel).getByRole('group', { name: 'Notify me about' });
    expect(
      within(level)
        .getAllByRole('radio')
        .map((r) => r.getAttribute('value')),
    ).toEqual(['all', 'mentions', 'none']);
    const dnd = within(panel).getByRole('group', { name: 'Do not disturb' });
    expect(within(dnd).getByTestId('chat-dnd-status').textContent).toBe('Notifications are on');
    expect(field('Off').checked).toBe(true);

    // The level: checked at once, then stored.
    fireEvent.click(field('Mentions only'));
    expect(field('Mentions only').checked).toBe(true);
    await waitFor(async () => expect((await erin.devices.preferences()).level).toBe('mentions'));

    // Do-not-disturb for an hour: saved, and its end shown.
    const before = Date.now();
    fireEvent.click(field('For 1 hour'));
    await waitFor(async () => expect((await erin.devices.preferences()).dnd_until).not.toBeNull());
    const hourEnd = Date.parse((await erin.devices.preferences()).dnd_until!);
    expect(hourEnd).toBeGreaterThanOrEqual(before + 3_600_000 - 1_000);
    expect(hourEnd).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1_000);
    await waitFor(() =>
      expect(within(dnd).getByTestId('chat-dnd-status').textContent).toMatch(/^Paused until /),
    );

    // Until tomorrow, 8:00 local time.
    const tomorrow = new Date();
    tomorrow.setDate(tomorrow.getDate() + 1);
    tomorrow.setHours(8, 0, 0, 0);
    const tomorrowLabel = within(dnd)
      .getAllByRole('radio')
      .find((r) => r.getAttribute('value') === 'tomorrow')!;
    expect(tomorrowLabel.closest('label')?.textContent).toMatch(/^Until tomorrow, 8:00/);
    fireEvent.click(tomorrowLabel);
    await waitFor(async () =>
      expect(Date.parse((await erin.devices.preferences()).dnd_until!)).toBe(tomorrow.getTime()),
    );

    // A chosen time: refused in the past, saved in the future.
    fireEvent.click(field('Until a date and time'));
    const until = within(dnd).getByLabelText('Pause until') as HTMLInputElement;
    fireEvent.input(until, { target: { value: '2020-01-01T10:00' } });
    fireEvent.click(within(dnd).getByRole('button', { name: 'Pause' }));
    expect(within(dnd).getByRole('alert').textContent).toBe('Pick a time in the future.');
    expect(until.getAttribute('aria-invalid')).toBe('true');
    fireEvent.input(until, { target: { value: '2031-05-04T21:30' } });
    fireEvent.click(within(dnd).getByRole('button', { name: 'Pause' }));
    expect(within(dnd).queryByRole('alert')).toBeNull();
    await waitFor(async () =>
      expect(Date.parse((await erin.devices.preferences()).dnd_until!)).toBe(
        new Date(2031, 4, 4, 21, 30).getTime(),
      ),
    );
    await waitFor(() =>
      expect(within(dnd).getByTestId('chat-dnd-status').textContent).toBe(
        `Paused until ${new Intl.DateTimeFormat(undefined, { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' }).format(new Date(2031, 4, 4, 21, 30))}`,
      ),
    );

    fireEvent.click(field('Off'));
    await waitFor(() =>
      expect(within(dnd).getByTestId('chat-dnd-status').textContent).toBe('Notifications are on'),
    );
    await waitFor(async () => expect((await erin.devices.preferences()).dnd_until).toBeNull());

    // The active channel: its own level over the user's, and its mute.
    const own = within(panel).getByRole('group', { name: 'In Settings' });
    const select = within(own).getByLabelText('Notifications in Settings') as HTMLSelectElement;
    expect(select.value).toBe('default');
    expect(select.options[0]?.textContent).toBe('Default (Mentions only)');
    act(() => choose(select, 'none'));
    await waitFor(async () =>
      expect((await erin.devices.preferences()).channels).toEqual([{ cid: channel.cid, level: 'none' }]),
    );
    act(() => choose(select, 'default'));
    await waitFor(async () => expect((await erin.devices.preferences()).channels).toEqual([]));

    const mute = within(own).getByRole('checkbox', { name: 'Mute this channel' }) as HTMLInputElement;
    fireEvent.click(mute);
    // Muted here, muted everywhere the channel shows: the header marks it too.
    await within(header()).findByRole('img', { name: 'Muted' });
    expect(mute.checked).toBe(true);
    expect(within(own).getByText('Muted: nothing from this channel notifies you.')).toBeTruthy();
    fireEvent.click(mute);
    await waitFor(() => expect(within(header()).queryByRole('img', { name: 'Muted' })).toBeNull());
    fireEvent.click(field('All messages'));
    await waitFor(async () => expect((await erin.devices.preferences()).level).toBe('all'));
  });

  it('undoes a refused change and says so; offers a retry when loading failed', async () => {
    const fran = await connectUser('fran');
    others.push(fran);
    const failing = vi
      .spyOn(fran.devices, 'setPreferences')
      .mockRejectedValueOnce(new ChatError({ code: 'network_error', message: 'offline', retryable: true }));
    const loading = vi
      .spyOn(fran.devices, 'preferences')
      .mockRejectedValueOnce(new ChatError({ code: 'network_error', message: 'offline', retryable: true }));
    const onClose = vi.fn();
    renderChat(fran, { children: <NotificationSettings cid={null} onClose={onClose} /> });
    const panel = await screen.findByRole('region', { name: 'Notifications' });
    expect((await within(panel).findByRole('alert')).textContent).toContain(
      'Could not load your notification settings.',
    );
    expect(field('All messages').matches(':disabled')).toBe(true);
    fireEvent.click(within(panel).getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(field('All messages').checked).toBe(true));
    expect(loading).toHaveBeenCalledTimes(2);
    expect(within(panel).queryByRole('group', { name: /^In / })).toBeNull();

    fireEvent.click(field('Nothing'));
    expect(failing).toHaveBeenCalledTimes(1);
    expect((await within(panel).findByRole('alert')).textContent).toBe('Could not save your change.');
    expect(field('All messages').checked).toBe(true);
    expect(field('Nothing').checked).toBe(false);

    // A refused do-not-disturb goes back to what the server holds too.
    failing.mockRejectedValueOnce(
      new ChatError({ code: 'network_error', message: 'offline', retryable: true }),
    );
    fireEvent.click(field('For 1 hour'));
    await waitFor(() => expect(field('Off').checked).toBe(true));
    expect(screen.getByTestId('chat-dnd-status').textContent).toBe('Notifications are on');
    expect(within(panel).getByRole('alert').textContent).toBe('Could not save your change.');

    fireEvent.click(within(panel).getByRole('button', { name: 'Close notification settings' }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('axe finds no violation with the settings open (custom time shown) and the channel menu open', async () => {
    const gus = await connectUser('gus');
    others.push(gus);
    const channel = await newChannel(gus, 'Audited', ['gus', 'carol']);
    const { container } = renderChat(gus, {
      defaultActiveChannel: channel.cid,
      theme: 'dark',
      children: (
        <>
          <NotificationSettings onClose={() => {}} />
          <FullChannel />
        </>
      ),
    });
    await waitFor(() => expect(field('All messages').checked).toBe(true));
    await until(gus.channel(channel.type, channel.id).state, (s) => !s.loading && s.membership !== null);
    fireEvent.click(field('Until a date and time'));
    fireEvent.click(await waitFor(() => menuButton()));
    expect(await violations(container)).toEqual([]);
  });
});

import { type Channel, createStore, type LocalMessage, type QueueItem } from '@chat/core';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import axe from 'axe-core';
import { describe, expect, it, vi } from 'vitest';
import { ActiveChannelContext, type ChannelActions, ChannelActionsContext } from '../context/channel-context';
import { MessageStatus, waitsToRetry } from './message-status';

const cid = 'messaging:general';

function own(clientMsgId: string, status: LocalMessage['status']): LocalMessage {
  return { id: clientMsgId, client_msg_id: clientMsgId, cid, status } as LocalMessage;
}

function queued(clientMsgId: string, waiting: Partial<QueueItem> = {}): QueueItem {
  return {
    id: Number(clientMsgId.replace(/\D/g, '')),
    op: { type: 'message.send', cid, message: { client_msg_id: clientMsgId, text: clientMsgId } },
    status: 'pending',
    attempts: 0,
    created_at: 0,
    ...waiting,
  };
}

const waitingItem = {
  attempts: 2,
  retry_at: Date.now() + 30_000,
  error: { code: 'unavailable', message: 'Down', status: 503 },
};

/** `MessageStatus` of `message` in a channel whose queue holds `items`. */
function renderStatus(message: LocalMessage, items: readonly QueueItem[]) {
  const pendingWrites = createStore<readonly QueueItem[]>(items);
  const retry = vi.fn();
  const discard = vi.fn();
  const actions = { retry, discard } as unknown as ChannelActions;
  render(
    <ActiveChannelContext.Provider value={{ pendingWrites } as unknown as Channel}>
      <ChannelActionsContext.Provider value={actions}>
        <MessageStatus message={message} />
      </ChannelActionsContext.Provider>
    </ActiveChannelContext.Provider>,
  );
  return { pendingWrites, retry, discard, status: () => screen.getByTestId('chat-message-status') };
}

describe('MessageStatus', () => {
  it('shows a send in flight as sending', () => {
    const { status } = renderStatus(own('c-1', 'sending'), [{ ...queued('c-1'), status: 'sending' }]);
    expect(status().dataset.status).toBe('sending');
    expect(status().textContent).toContain('Sending…');
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('shows a send waiting to retry as waiting, with a Retry now button that retries it', () => {
    const { status, retry } = renderStatus(own('c-1', 'sending'), [queued('c-1', waitingItem)]);
    expect(status().dataset.status).toBe('waiting');
    expect(within(status()).getByRole('status').textContent).toBe('Waiting to send…');
    fireEvent.click(within(status()).getByRole('button', { name: 'Retry now' }));
    expect(retry).toHaveBeenCalledWith('c-1');
  });

  it('shows a send held back by a waiting earlier write of its channel as waiting too', () => {
    const { status } = renderStatus(own('c-2', 'sending'), [queued('c-1', waitingItem), queued('c-2')]);
    expect(status().dataset.status).toBe('waiting');
  });

  it('follows the queue: back to sending once the retry starts', () => {
    const { status, pendingWrites } = renderStatus(own('c-1', 'sending'), [queued('c-1', waitingItem)]);
    expect(status().dataset.status).toBe('waiting');
    act(() => pendingWrites.setState([{ ...queued('c-1'), status: 'sending' }]));
    expect(status().dataset.status).toBe('sending');
  });

  it('keeps Retry and Discard for a failed send', () => {
    const { status, retry, discard } = renderStatus(own('c-1', 'failed'), [
      queued('c-1', { status: 'failed', attempts: 1 }),
    ]);
    expect(within(status()).getByRole('alert').textContent).toBe('Not sent.');
    fireEvent.click(within(status()).getByRole('button', { name: 'Retry' }));
    fireEvent.click(within(status()).getByRole('button', { name: 'Discard' }));
    expect(retry).toHaveBeenCalledWith('c-1');
    expect(discard).toHaveBeenCalledWith('c-1');
  });

  it('has no serious accessibility violation while waiting', async () => {
    renderStatus(own('c-1', 'sending'), [queued('c-1', waitingItem)]);
    const results = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false } } });
    expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  });
});

describe('waitsToRetry', () => {
  it('is true only for a send at or behind a write waiting for its retry time', () => {
    const items = [queued('c-1'), queued('c-2', waitingItem), queued('c-3')];
    expect(waitsToRetry(items, 'c-1')).toBe(false);
    expect(waitsToRetry(items, 'c-2')).toBe(true);
    expect(waitsToRetry(items, 'c-3')).toBe(true);
    expect(waitsToRetry(items, 'not queued')).toBe(false);
    expect(waitsToRetry([queued('c-1', { status: 'failed' }), queued('c-2')], 'c-2')).toBe(false);
  });
});

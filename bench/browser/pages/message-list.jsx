// The page of the ui scenario: a ChatClient on an in-memory socket holds one channel of N
// messages; the page mounts @chat/ui-react's <MessageList> (or, as the peer, a plain list that
// renders every message with the kit's own <Message>), times the mount until the newest message
// is on screen, then scrolls from the bottom to the top and records requestAnimationFrame
// intervals.
import { ChatClient } from '@chat/core';
import { useMessages } from '@chat/react';
import { Channel, Chat, DateSeparator, Message, MessageList, useActiveChannel } from '@chat/ui-react';
import '@chat/ui-react/styles.css';
import { useLayoutEffect, useMemo, useRef } from 'react';
import { createRoot } from 'react-dom/client';
import { ME, memorySocketClass, serverState } from './fixtures.mjs';

const CID = 'messaging:long';
const SCROLLER = '[data-testid="chat-message-list"]';
const ROW = '[data-message-id]';

/**
 * Answers the client's frames in memory, each a task later as a browser's socket would: auth,
 * then a watch with the first messages of the channel.
 */
const MemorySocket = memorySocketClass((fn) => setTimeout(fn));

const noRest = async () =>
  new Response('{"error":{"code":"not_found","message":"no REST here","status":404,"retryable":false}}', {
    status: 404,
    headers: { 'content-type': 'application/json' },
  });

let client;

/** Messages the watch answers with; the rest arrive as `message.new` frames (a frame is at most 64 KiB). */
const WATCHED = 20;

/** Connects and watches the channel, so its N messages are in core's state before anything mounts. */
async function setup({ count }) {
  const state = serverState(CID, count, { varied: true });
  const rest = state.messages.slice(WATCHED);
  MemorySocket.state = JSON.stringify({
    ...state,
    channel: { ...state.channel, seq: WATCHED },
    messages: state.messages.slice(0, WATCHED),
  });
  client = new ChatClient({
    apiKey: 'bench',
    baseUrl: 'http://127.0.0.1:9',
    env: { WebSocket: MemorySocket, fetch: noRest },
  });
  await client.connect({ id: ME }, 'bench-token');
  const [type, id] = CID.split(':');
  // A limit above what the watch returns: the channel had no older messages then.
  const handle = client.channel(type, id);
  await handle.watch({ messageLimit: WATCHED + 1 });
  for (const message of rest) {
    MemorySocket.last.push(
      JSON.stringify({
        type: 'message.new',
        cid: CID,
        seq: message.seq,
        created_at: message.created_at,
        message,
      }),
    );
  }
  // Let the offline sync write its copy (300 ms batching) before anything is timed.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const snapshot = handle.state.getSnapshot();
  return { messages: snapshot.messages.length, hasOlder: snapshot.hasOlder };
}

const dayOf = (iso) => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
};

/**
 * The peer: every message in the DOM, in normal flow, with the kit's <Message> and
 * <DateSeparator> (grouping as <MessageList> does it), starting at the end.
 */
function PlainMessageList() {
  const channel = useActiveChannel('PlainMessageList');
  const { messages } = useMessages(channel);
  const scroller = useRef(null);
  useLayoutEffect(() => {
    if (scroller.current) scroller.current.scrollTop = scroller.current.scrollHeight;
  }, []);
  const rows = useMemo(
    () =>
      messages.map((m, i) => {
        const previous = messages[i - 1];
        const startsDay = !previous || dayOf(previous.created_at) !== dayOf(m.created_at);
        const grouped =
          !startsDay &&
          previous.user_id === m.user_id &&
          Date.parse(m.created_at) - Date.parse(previous.created_at) < 5 * 60_000;
        return { m, startsDay, grouped };
      }),
    [messages],
  );
  return (
    <div className="chat-message-list">
      <div className="chat-message-list__scroller" role="log" data-testid="chat-message-list" ref={scroller}>
        {rows.map(({ m, startsDay, grouped }) => (
          <div key={m.id} data-message-id={m.id}>
            {startsDay && <DateSeparator date={m.created_at} />}
            <Message message={m} isOwn={m.user_id === ME} grouped={grouped} />
          </div>
        ))}
      </div>
    </div>
  );
}

/** Whether the newest message's row ends inside the scroller's viewport (its end is on screen). */
function lastVisible(lastId) {
  const scroller = document.querySelector(SCROLLER);
  const row = scroller?.querySelector(`[data-message-id="${lastId}"]`);
  if (!row) return false;
  const box = scroller.getBoundingClientRect();
  const r = row.getBoundingClientRect();
  return r.height > 0 && r.bottom > box.top && r.bottom <= box.bottom + 1;
}

/** Mounts the list; resolves when the newest message is on screen (and with the frame after). */
function mount({ plain = false, timeoutMs = 30_000 }) {
  const container = document.getElementById('root');
  const messages = client.channel('messaging', 'long').state.getSnapshot().messages;
  const lastId = messages.at(-1).id;
  return new Promise((resolve) => {
    const marks = {};
    const done = (timedOut) => {
      observer.disconnect();
      const scroller = document.querySelector(SCROLLER);
      resolve({
        ...marks,
        timedOut,
        rowsInDom: scroller?.querySelectorAll(ROW).length ?? 0,
        domNodes: document.getElementsByTagName('*').length,
        scrollHeight: scroller?.scrollHeight ?? 0,
        clientHeight: scroller?.clientHeight ?? 0,
      });
    };
    const check = () => {
      if (marks.visible === undefined && lastVisible(lastId)) {
        marks.visible = performance.now() - t0;
        requestAnimationFrame(() => {
          marks.frame = performance.now() - t0;
          setTimeout(() => {
            marks.painted = performance.now() - t0;
            done(false);
          });
        });
      }
    };
    const observer = new MutationObserver(check);
    // The virtualizer may reach the end a few frames after the first commit: check every frame too.
    const poll = () => {
      check();
      if (marks.visible === undefined) {
        if (performance.now() - t0 > timeoutMs) done(true);
        else requestAnimationFrame(poll);
      }
    };
    const t0 = performance.now();
    observer.observe(container, { childList: true, subtree: true });
    createRoot(container).render(
      <Chat client={client} theme="light">
        <Channel cid={CID}>{plain ? <PlainMessageList /> : <MessageList />}</Channel>
      </Chat>,
    );
    marks.renderCalled = performance.now() - t0;
    requestAnimationFrame(poll);
  });
}

/** Rows in the DOM, in O(1): the virtual rows are the canvas's children, the plain list's the scroller's. */
function rowCount(scroller) {
  const canvas = scroller.firstElementChild;
  return canvas?.classList.contains('chat-message-list__canvas')
    ? canvas.childElementCount
    : scroller.childElementCount;
}

/**
 * Scrolls the list up from where it is at a steady speed, a step every animation frame (the
 * speed × the time since the previous frame, as a fling would), and records each frame's interval
 * (rAF timestamps) and how many rows are in the DOM. With `speed` (px/s), for `seconds`; without,
 * at the speed that reaches the top in `seconds`, until the top (or `maxSeconds`).
 *
 * The scroll is written from a task posted by each frame's rAF callback, not in the callback: a
 * write made inside rAF lands between that frame's scroll events and its ResizeObserver
 * callbacks, where the virtualizer's size corrections (computed from the offset of the last
 * scroll event it saw) overwrite it. Input (wheel, touch, keys) scrolls before a frame's scroll
 * events, as this does.
 */
function scroll({ speed: fixed, seconds, maxSeconds = seconds }) {
  const scroller = document.querySelector(SCROLLER);
  const speed = fixed ?? scroller.scrollTop / seconds;
  let step = 0;
  const intervals = [];
  let rowsMax = 0;
  let rowsSum = 0;
  const startTop = scroller.scrollTop;
  let atTop = false;
  // Layout is only read here, between frames, where it is already clean: a read in the rAF
  // callback would force the frame's layout early.
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    if (scroller.scrollTop <= 0) atTop = true;
    else scroller.scrollTop = Math.max(0, scroller.scrollTop - step);
  };
  return new Promise((resolve) => {
    let last = 0;
    let started = 0;
    const frame = (now) => {
      if (last) intervals.push(now - last);
      else started = now;
      step = last ? (speed * (now - last)) / 1000 : speed / 60;
      last = now;
      const rows = rowCount(scroller);
      rowsMax = Math.max(rowsMax, rows);
      rowsSum += rows;
      const elapsed = (now - started) / 1000;
      if ((atTop && fixed === undefined) || elapsed > maxSeconds) {
        channel.port1.close();
        resolve({
          intervals,
          seconds: elapsed,
          reachedTop: scroller.scrollTop <= 0,
          startTop,
          endTop: scroller.scrollTop,
          speed,
          rowsMax,
          rowsMean: rowsSum / (intervals.length + 1),
          firstRowId: scroller.querySelector(ROW)?.dataset.messageId ?? null,
        });
        return;
      }
      channel.port2.postMessage(0);
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

window.bench = { setup, mount, scroll };

import { setTimeout as sleep } from 'node:timers/promises';
import { browserAvailable, launchChromium, logIn as logInPage, openPage, WAIT } from '@chat/browser-e2e';
import { type Channel, ChatClient, type ConnectionState, type Message } from '@chat/core';
import { crash } from '@chat/fault-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../src/cluster';
import { clusterSuiteRuns, REACT_APP, startTestCluster } from './cluster-suite';

/**
 * Issue #21: the cluster `npm run cluster` starts. First the React example through the balancer
 * (its page, an upload to the bucket behind it, and a chat in Chromium with a Node client).
 * Then "a test kills a node behind the balancer and nothing is lost": four demo users log
 * in through HAProxy as the React example does (REST to the API node, the socket to a realtime
 * node); alice and bob send continuously; one realtime node is killed (SIGKILL) mid-stream. The
 * clients that were on it must reconnect through the balancer to the other node and resume;
 * every message acknowledged must be stored once, and every user must end up seeing every
 * stored message exactly once, in order. While the node is down, REST still goes through.
 */

const runs = await clusterSuiteRuns();
const chromium = runs && browserAvailable();

const SEND_EVERY_MS = 100;
/** Acknowledged messages each sender gets before the kill, and again after everyone is back. */
const ACKS_PER_PHASE = 10;
/** Bounds of the waits below: a state not reached within them fails the case, with the report. */
const WAIT_MS = 30_000;
const USERS = ['alice', 'bob', 'carol', 'dave'] as const;
const SENDERS = ['alice', 'bob'] as const;
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** Polls `check` every 50 ms until true; resolves false after `timeoutMs`. */
async function until(check: () => boolean | Promise<boolean>, timeoutMs = WAIT_MS): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

interface Send {
  text: string;
  outcome: 'open' | 'sent' | 'rejected';
  error?: string;
}

/** Calls `sendMessage` every `SEND_EVERY_MS` without waiting (the SDK queues), until `stop()`. */
function sendEvery(channel: Channel, prefix: string) {
  const sends: Send[] = [];
  let sending = true;
  const loop = (async () => {
    for (let i = 0; sending; i++) {
      const send: Send = { text: `${prefix} ${i}`, outcome: 'open' };
      sends.push(send);
      channel.sendMessage({ text: send.text }).then(
        () => {
          send.outcome = 'sent';
        },
        (error: unknown) => {
          send.outcome = 'rejected';
          send.error = String(error);
        },
      );
      await sleep(SEND_EVERY_MS);
    }
  })();
  return {
    sends,
    acked: () => sends.filter((s) => s.outcome === 'sent').length,
    stop() {
      sending = false;
      return loop;
    },
  };
}

interface User {
  id: string;
  client: ChatClient;
  channel: Channel;
  /** Every connection status it went through, with when. */
  statuses: { status: ConnectionState['status']; at: number }[];
  /** `message.new` events received live, per message id. */
  events: Map<string, number>;
}

/** Whether a text is one of the senders' (not, say, a system message of the channel). */
const isSent = (text: string) => SENDERS.some((id) => text.startsWith(`${id} says `));

/** The senders' messages a channel state shows as stored, in the state's order. */
const shown = (channel: Channel) =>
  channel.state
    .getSnapshot()
    .messages.filter((m) => m.status === 'sent' && isSent(m.text ?? ''))
    .map((m) => m.text!);

describe.skipIf(!runs)(
  'the local cluster (HAProxy, 2 realtime + API + worker), a realtime node killed',
  () => {
    let cluster: Cluster;
    const output: string[] = [];
    const users: User[] = [];
    const report: string[] = [];

    beforeAll(async () => {
      cluster = await startTestCluster(output, { webRoot: REACT_APP });
    });

    afterEach((context) => {
      if (context.task.result?.state === 'fail')
        console.error([...report, '--- cluster output:', ...output.slice(-80)].join('\n'));
    });

    afterAll(async () => {
      await Promise.allSettled(users.map((user) => user.client.disconnect()));
      await cluster?.stop();
    });

    /** Logs a demo user in through the balancer, as the React example's login screen does. */
    async function logInClient(id: string): Promise<ChatClient> {
      const client = new ChatClient({ apiKey: 'demo', baseUrl: cluster.haproxy.url });
      await client.auth.login({ username: id, password: 'chat-demo' });
      return client;
    }

    it('serves the web app and its files through the balancer; the worker processes images', async () => {
      const page = await fetch(cluster.haproxy.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');

      // A photo uploaded the way the app does it: to the presigned target the API node hands out
      // (the bucket, on the balancer's own origin). It is ready only once the worker node's image
      // job has cleaned it, and then read back from its signed URL through the balancer.
      const client = await logInClient('carol');
      try {
        const { upload, target } = await client.http.request('createUpload', {
          body: { name: 'dot.png', type: 'image/png', size: PNG.length },
        });
        expect(new URL(target.url).origin).toBe(cluster.url);
        const form = new FormData();
        for (const [name, value] of Object.entries(target.fields ?? {})) form.append(name, value);
        form.append('file', new Blob([PNG], { type: 'image/png' }), 'dot.png');
        const stored = await fetch(target.url.replace(cluster.url, cluster.haproxy.url), {
          method: target.method,
          body: form,
        });
        expect(stored.ok).toBe(true);
        const done = await client.http.request('completeUpload', { params: { uploadId: upload.id } });
        expect(done.upload).toMatchObject({ state: 'ready', kind: 'image', width: 1, height: 1 });
        const file = await fetch(done.upload.url!.replace(cluster.url, cluster.haproxy.url));
        expect(file.status).toBe(200);
        expect(file.headers.get('content-type')).toBe('image/png');
      } finally {
        await client.disconnect();
      }
    });

    it.skipIf(!chromium)('the React example chats through the balancer in Chromium', async () => {
      const bob = await logInClient('bob');
      const browser = await launchChromium();
      try {
        const general = bob.channel('team', 'general');
        await general.watch();
        // The URL the cluster prints: the page, its REST calls, its socket and its files on one origin.
        const { page } = await openPage(browser, cluster.url);
        await logInPage(page, 'alice');
        await page.getByTestId('chat-channel-list-item').filter({ hasText: 'General' }).first().click(WAIT);
        const input = page.getByTestId('chat-message-input');
        await input.fill('hello from Chromium');
        await input.press('Enter');
        const texts = () => general.state.getSnapshot().messages.map((m) => m.text);
        expect(await until(() => texts().includes('hello from Chromium')), 'bob got the message').toBe(true);
        await general.sendMessage({ text: 'hello from Node' });
        await page
          .getByTestId('chat-message-text')
          .getByText('hello from Node', { exact: true })
          .waitFor(WAIT);
      } finally {
        await browser.close();
        await bob.disconnect();
      }
    });

    it('the clients on the killed node resume on the other one; nothing is lost or duplicated, order holds', async () => {
      const [dead, survivor] = cluster.realtime as [
        (typeof cluster.realtime)[0],
        (typeof cluster.realtime)[0],
      ];
      const deadKey = `realtime/${dead.name}`;
      const survivorKey = `realtime/${survivor.name}`;

      for (const id of USERS) {
        const client = await logInClient(id);
        const statuses: User['statuses'] = [
          { status: client.connection.getSnapshot().status, at: Date.now() },
        ];
        client.connection.subscribe(() =>
          statuses.push({ status: client.connection.getSnapshot().status, at: Date.now() }),
        );
        users.push({ id, client, statuses, events: new Map(), channel: undefined as unknown as Channel });
      }
      // leastconn spreads the four sockets over both realtime nodes.
      const spread = await cluster.haproxy.servers();
      report.push(`sockets per node before the kill: ${JSON.stringify(spread)}`);
      expect(spread[deadKey]!.sessions, `sockets on ${dead.name}`).toBeGreaterThan(0);
      expect(spread[survivorKey]!.sessions, `sockets on ${survivor.name}`).toBeGreaterThan(0);

      const created = await users[0]!.client.channels.create({ type: 'messaging', members: [...USERS] });
      for (const user of users) {
        user.channel = user.client.channel(created.type, created.id);
        user.client.on('message.new', (event) => {
          if (event.cid !== created.cid) return;
          user.events.set(event.message.id, (user.events.get(event.message.id) ?? 0) + 1);
        });
        await user.channel.watch();
      }

      const senders = SENDERS.map((id) => sendEvery(users.find((u) => u.id === id)!.channel, `${id} says`));
      try {
        expect(
          await until(() => senders.every((s) => s.acked() >= ACKS_PER_PHASE)),
          'acks before the kill',
        ).toBe(true);

        const killedAt = Date.now();
        await crash(dead);
        const dropped = () =>
          users.filter((u) => u.statuses.some((s) => s.at >= killedAt && s.status !== 'connected'));
        // The balancer takes the dead node out (a refused connection, or two failed checks).
        expect(
          await until(async () => (await cluster.haproxy.servers())[deadKey]!.status.startsWith('DOWN')),
          `HAProxy marks ${dead.name} DOWN`,
        ).toBe(true);

        // REST through the balancer while a realtime node is down: a login and a page of messages.
        const login = await fetch(`${cluster.haproxy.url}/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': 'demo' },
          body: JSON.stringify({ username: 'dave', password: 'chat-demo' }),
        });
        expect(login.status, 'a login while a realtime node is down').toBe(200);
        const { access_token } = (await login.json()) as { access_token: string };
        const page = await fetch(
          `${cluster.haproxy.url}/v1/channels/${created.type}/${created.id}/messages?limit=10`,
          { headers: { authorization: `Bearer ${access_token}`, 'x-api-key': 'demo' } },
        );
        expect(page.status, 'a page of messages while a realtime node is down').toBe(200);

        // Everyone connected again (those that were on the dead node, through the survivor), and
        // the senders get more acknowledged after that.
        expect(
          await until(() => users.every((u) => u.client.connection.getSnapshot().status === 'connected')),
          'every client connected again',
        ).toBe(true);
        const ackedAtResume = senders.map((s) => s.acked());
        expect(
          await until(() => senders.every((s, i) => s.acked() >= ackedAtResume[i]! + ACKS_PER_PHASE)),
          'acks after the reconnect',
        ).toBe(true);
        const after = await cluster.haproxy.servers();
        report.push(
          `dropped by the kill: ${dropped()
            .map((u) => u.id)
            .join(', ')}; sockets after: ${JSON.stringify(after)}`,
        );
        expect(dropped().length, 'clients whose socket was on the killed node').toBe(
          spread[deadKey]!.sessions,
        );
        expect(after[survivorKey]!.sessions, `every socket now on ${survivor.name}`).toBe(USERS.length);
        // The balancer never sent a socket to the dead node once it knew (its sessions are gone).
        expect(after[deadKey]!.sessions, `sockets still counted on ${dead.name}`).toBe(0);
      } finally {
        await Promise.all(senders.map((s) => s.stop()));
      }

      // Every send settles, then every user shows every acknowledged message.
      const sends = senders.flatMap((s) => s.sends);
      const ackedTexts = () => sends.filter((s) => s.outcome === 'sent').map((s) => s.text);
      await until(
        () =>
          sends.every((s) => s.outcome !== 'open') &&
          users.every((u) => ackedTexts().every((text) => shown(u.channel).includes(text))),
      );
      report.push(
        `sent ${sends.length}: ${sends.filter((s) => s.outcome === 'sent').length} acked, ` +
          `${sends.filter((s) => s.outcome === 'rejected').length} rejected, ${sends.filter((s) => s.outcome === 'open').length} open`,
        ...sends.filter((s) => s.error).map((s) => `${s.text}: ${s.error}`),
      );
      expect(
        sends.filter((s) => s.outcome !== 'sent'),
        'sends not acknowledged',
      ).toEqual([]);

      // What the server stored, read over REST through the balancer.
      const stored = await readAll(users[1]!.client, users[1]!.channel);
      const storedTexts = stored.map((m) => m.text ?? '').filter(isSent);
      expect(new Set(storedTexts).size, 'messages stored twice').toBe(storedTexts.length);
      expect([...storedTexts].sort(), 'stored = acknowledged').toEqual([...ackedTexts()].sort());
      for (const id of SENDERS) {
        const mine = storedTexts.filter((text) => text.startsWith(`${id} says `));
        const order = sends.map((s) => s.text).filter((text) => text.startsWith(`${id} says `));
        expect(mine, `${id}'s messages stored in the order sent`).toEqual(order);
      }
      for (const user of users) {
        expect(shown(user.channel), `${user.id} sees every stored message once, in order`).toEqual(
          storedTexts,
        );
        const twice = [...user.events].filter(([, count]) => count > 1);
        expect(twice, `${user.id}'s messages delivered live twice`).toEqual([]);
      }
      console.info(report.join('\n'));
      expect(dead.dead, `${dead.name} is the one that died`).toBe(true);
      expect(
        cluster.nodes.filter((node) => node !== dead && node.dead).map((n) => n.name),
        'other nodes that died',
      ).toEqual([]);
    });
  },
);

/** Every top-level message of the channel, oldest first, paging back over REST. */
async function readAll(client: ChatClient, channel: Channel): Promise<Message[]> {
  const pages: Message[][] = [];
  let before: string | undefined;
  for (let page = 0; page < 100; page++) {
    const { messages, has_more } = await client.http.request('listMessages', {
      params: { type: channel.type, id: channel.id },
      query: { limit: 100, ...(before && { before }) },
    });
    pages.unshift(messages);
    if (!has_more || messages.length === 0) break;
    before = messages[0]!.id;
  }
  return pages
    .flat()
    .filter((m) => m.parent_id === null)
    .sort((a, b) => a.seq - b.seq);
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChannelEvent, EventOf, LinkPreview, Message } from '@chat/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pruneLinkPreviewCache } from '../src/jobs/link-preview-cache-retention';
import type { ChatServer } from '../src/startup/server';
import { startTestServer } from './api';
import { channelPath, createChannel, expectError, send, usersOf } from './rest-helpers';
import type { WsClient } from './ws-client';
import { appOn, closeSockets, waitForEvent } from './ws-fixtures';

/**
 * Link previews on a real server with its real job queue, against page servers on this machine:
 * one on 127.0.0.2, which the server's link preview allow-list lets it reach (as a public site
 * would be), and a trap on 127.0.0.1, which it must never reach. A message's links are fetched
 * by one job and its previews applied at once, so a message whose last link is a good page has
 * had every other link settled (refused, cut off, ignored) when that page's preview arrives.
 */

const TIMEOUT_MS = 3_000;
const MAX_BYTES = 64 * 1024;

interface Hit {
  path: string;
  /** Resolves when the connection closed, telling whether the whole answer had been sent. */
  closed: Promise<{ finished: boolean; written: number }>;
}

interface PageServer {
  origin: string;
  port: number;
  hits: Hit[];
  hitsOf(path: string): Hit[];
  close(): Promise<void>;
}

const html = (head: string, body = '<p>hello</p>') =>
  `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;

const og = (title: string, more = '') =>
  `<meta property="og:title" content="${title}"><meta property="og:description" content="About ${title}">` +
  `<meta property="og:site_name" content="Pages"><meta property="og:image" content="/img/${encodeURIComponent(title)}.png">${more}`;

async function startPages(host: string, routes: (page: PageServer) => Record<string, http.RequestListener>) {
  const hits: Hit[] = [];
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const page: PageServer = {
    origin: `http://${host}:${port}`,
    port,
    hits,
    hitsOf: (path) => hits.filter((h) => h.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const table = routes(page);
  server.on('request', (req, res) => {
    const path = new URL(req.url ?? '/', page.origin).pathname;
    let written = 0;
    const write = res.write.bind(res) as (chunk: string | Buffer) => boolean;
    res.write = ((chunk: string | Buffer, ...rest: unknown[]) => {
      written += Buffer.byteLength(chunk);
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof res.write;
    hits.push({
      path,
      closed: new Promise((resolve) =>
        res.once('close', () => resolve({ finished: res.writableFinished, written })),
      ),
    });
    const route = table[path];
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  return page;
}

const htmlPage =
  (body: string): http.RequestListener =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body);
  };

let heldArrived: () => void;
const heldHit = new Promise<void>((resolve) => {
  heldArrived = resolve;
});
let release: () => void;
const held = new Promise<void>((resolve) => {
  release = resolve;
});

let pages: PageServer;
let trap: PageServer;
let server: ChatServer;

beforeAll(async () => {
  trap = await startPages('127.0.0.1', () => ({ '/secret': htmlPage(html(og('Secret'))) }));
  pages = await startPages('127.0.0.2', () => ({
    '/article': htmlPage(html(og('Article'))),
    '/other': htmlPage(html(og('Other'))),
    '/third': htmlPage(html(og('Third'))),
    '/cached': htmlPage(html(og('Cached'))),
    '/old-style': htmlPage(
      html(
        `<title>\n  Old &amp; plain\t${'x'.repeat(400)}\n</title><meta name="description" content="Just a description">` +
          '<meta property="og:image" content="javascript:alert(1)">',
      ),
    ),
    '/latin1': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=iso-8859-1' });
      res.end(Buffer.from(html('<meta property="og:title" content="Café crème">'), 'latin1'));
    },
    '/json': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ title: html(og('Json')) }));
    },
    '/gone': (_req, res) => res.writeHead(500, { 'content-type': 'text/html' }).end(html(og('Error page'))),
    // The head first, then filler without end: only a reader that stops can finish.
    '/huge': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write(`<!doctype html><html><head>${og('Huge')}</head><body>`);
      const filler = `<p>${'z'.repeat(16 * 1024)}</p>`;
      let sent = 0;
      const pump = () => {
        while (!res.destroyed && sent < 64 * 1024 * 1024) {
          sent += filler.length;
          if (!res.write(filler)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    },
    // Headers and half a head, then nothing: only a deadline ends it.
    '/slow': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<!doctype html><html><head><meta property="og:title" content="Slow');
    },
    '/redirect-ok': (_req, res) => res.writeHead(302, { location: '/third' }).end(),
    '/redirect-private': (_req, res) =>
      res.writeHead(302, { location: `http://127.0.0.1:${trap.port}/secret` }).end(),
    '/redirect-loop': (_req, res) => res.writeHead(302, { location: '/redirect-loop' }).end(),
    // Several sync pages, each its own path so tests can tell them apart.
    ...Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`/sync-${i}`, htmlPage(html(og(`Sync ${i}`)))]),
    ),
    '/never': htmlPage(html(og('Never'))),
    // Answers when the test says so: a removal can land while the job is fetching.
    '/held': (req, res) => {
      heldArrived();
      void held.then(() => htmlPage(html(og('Held')))(req, res));
    },
  }));
  server = await startTestServer({
    linkPreviews: { allowCidrs: ['127.0.0.2/32'], timeoutMs: TIMEOUT_MS, maxBytes: MAX_BYTES },
  });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await Promise.all([pages?.close(), trap?.close()]);
});
afterEach(closeSockets);

let syncs = 0;
/** A good page no other test links to. */
const syncLink = () => `${pages.origin}/sync-${syncs++}`;

/** alice and bob in a channel, bob watching it over a socket; carol outside it. */
async function room() {
  const t = await appOn(server);
  const [alice, bob, carol] = await usersOf(t, 'alice', 'bob', 'carol');
  const cid = await createChannel(alice, 'links', ['bob']);
  const watcher = await t.connect('bob');
  await watcher.ok({ type: 'channel.watch', cid });
  return { t, alice, bob, carol, cid, watcher };
}

/** The update that gives message `id` a preview of `link`. */
function previewed(watcher: WsClient, id: string, link: string): Promise<EventOf<'message.updated'>> {
  return waitForEvent(
    watcher,
    'message.updated',
    (e) => e.message.id === id && (e.message.link_previews ?? []).some((p) => p.url === link),
  );
}

const urls = (message: Message) => (message.link_previews ?? []).map((p) => p.url);

describe('link previews', () => {
  it("arrive as message.updated with the channel's next seq, and show in every view and on replay", async () => {
    const { t, alice, bob, cid, watcher } = await room();
    const link = `${pages.origin}/article`;
    const sent = await send(alice, cid, `Read this: ${link}.`);
    expect(sent.link_previews).toEqual([]);

    const update = await previewed(watcher, sent.id, link);
    const preview: LinkPreview = {
      url: link,
      title: 'Article',
      description: 'About Article',
      site_name: 'Pages',
      image_url: `${pages.origin}/img/Article.png`,
    };
    expect(update.message.link_previews).toEqual([preview]);
    expect(update.message.edited_at).toBeNull();
    expect(update.seq).toBe(sent.seq + 1);

    expect((await bob.get(`/v1/messages/${sent.id}`)).body.message.link_previews).toEqual([preview]);
    const history = await bob.get(`${channelPath(cid)}/messages`);
    expect(history.body.messages.find((m: Message) => m.id === sent.id).link_previews).toEqual([preview]);
    const state = await bob.get(channelPath(cid));
    expect(state.body.channel.seq).toBe(update.seq);
    const found = await bob.get(`/v1/search?query=${encodeURIComponent('Read')}`);
    expect(found.body.results[0].message.link_previews).toEqual([preview]);
    // A quote carries the quoted message as it is, previews too.
    const quote = await send(bob, cid, 'quoting', { quoted_message_id: sent.id });
    expect(quote.quoted_message?.link_previews).toEqual([preview]);

    // A client that was away gets the update back from the channel's log.
    const back = await t.connect('bob');
    const reply = await back.ok({ type: 'channel.watch', cid, since: sent.seq });
    expect(reply.recovered).toBe(true);
    const replayed = (reply.events as ChannelEvent[]).find((e) => e.seq === update.seq);
    expect(replayed).toMatchObject({
      type: 'message.updated',
      message: { id: sent.id, link_previews: [preview] },
    });
  });

  it('falls back to the title and description, as plain bounded text; keeps only http(s) images; follows a redirect', async () => {
    const { alice, cid, watcher } = await room();
    const plain = `${pages.origin}/old-style`;
    const latin = `${pages.origin}/latin1`;
    const moved = `${pages.origin}/redirect-ok`;
    const sent = await send(alice, cid, `${plain} and ${latin} and (${moved})`);
    const update = await previewed(watcher, sent.id, moved);
    const [first, second, third] = update.message.link_previews!;
    expect(first).toMatchObject({
      url: plain,
      description: 'Just a description',
      site_name: null,
      image_url: null,
    });
    expect(first!.title).toMatch(/^Old & plain x+…$/);
    expect(first!.title).toHaveLength(300);
    expect(second).toMatchObject({ url: latin, title: 'Café crème' });
    // The link stays as written; what it says is the page it led to.
    expect(third).toMatchObject({ url: moved, title: 'Third', image_url: `${pages.origin}/img/Third.png` });
  });

  it('never reaches loopback, private or link-local addresses, directly or through a redirect', async () => {
    const { alice, cid, watcher } = await room();
    const messages = [
      [`http://127.0.0.1:${trap.port}/secret`, 'http://169.254.169.254/latest/meta-data/'],
      [`http://localhost:${trap.port}/secret`, `http://[::1]:${trap.port}/secret`],
      ['http://10.0.0.1/', `http://2130706433:${trap.port}/secret`],
      [`${pages.origin}/redirect-private`, 'http://192.168.1.1/admin'],
      [`http://[::ffff:127.0.0.1]:${trap.port}/secret`, `${pages.origin}/redirect-loop`],
    ];
    for (const refused of messages) {
      const sync = syncLink();
      const sent = await send(alice, cid, `${refused.join(' ')} ${sync}`);
      const update = await previewed(watcher, sent.id, sync);
      expect(urls(update.message), refused.join(' ')).toEqual([sync]);
    }
    expect(trap.hits).toEqual([]);
    // The redirect itself was fetched; where it pointed was not.
    expect(pages.hitsOf('/redirect-private')).toHaveLength(1);
    expect(pages.hitsOf('/redirect-loop')).toHaveLength(4);
  });

  it('reads a huge page only up to the cap, gives up on a slow one at the deadline, and ignores what is not HTML', async () => {
    const { alice, cid, watcher } = await room();
    const huge = `${pages.origin}/huge`;
    const sent = await send(alice, cid, `${pages.origin}/slow ${pages.origin}/json ${huge}`);
    const update = await previewed(watcher, sent.id, huge);
    expect(urls(update.message)).toEqual([huge]);
    expect(update.message.link_previews![0]!.title).toBe('Huge');

    const [hugeHit] = pages.hitsOf('/huge');
    const hugeEnd = await hugeHit!.closed;
    expect(hugeEnd.finished).toBe(false);
    // What was sent before the server noticed: the cap, and what the kernel's buffers held.
    expect(hugeEnd.written).toBeLessThan(16 * 1024 * 1024);
    const [slowHit] = pages.hitsOf('/slow');
    expect((await slowHit!.closed).finished).toBe(false);
    expect(pages.hitsOf('/json')).toHaveLength(1);

    const failed = await send(alice, cid, `${pages.origin}/gone ${syncLink()}`);
    const after = await previewed(watcher, failed.id, `${pages.origin}/sync-${syncs - 1}`);
    expect(urls(after.message)).toEqual([`${pages.origin}/sync-${syncs - 1}`]);
  });

  it('fetches a link once per application while cached, however many messages carry it', async () => {
    const { alice, cid, watcher } = await room();
    const link = `${pages.origin}/cached`;
    for (const text of [`${link}`, `again ${link}`, `and ${link} once more`]) {
      const sent = await send(alice, cid, text);
      const update = await previewed(watcher, sent.id, link);
      expect(update.message.link_previews![0]).toMatchObject({ url: link, title: 'Cached' });
    }
    expect(pages.hitsOf('/cached')).toHaveLength(1);

    // Another application has a cache of its own.
    const other = await room();
    const sent = await send(other.alice, other.cid, link);
    await previewed(other.watcher, sent.id, link);
    expect(pages.hitsOf('/cached')).toHaveLength(2);
  });

  it('an edit that changes the links brings the previews in step; one that keeps them changes nothing', async () => {
    const { alice, cid, watcher } = await room();
    const article = `${pages.origin}/article`;
    const other = `${pages.origin}/other`;
    const sent = await send(alice, cid, `first ${article}`);
    await previewed(watcher, sent.id, article);

    const kept = await alice.patch(`/v1/messages/${sent.id}`, { text: `first, edited ${article}` });
    expect(urls(kept.body.message)).toEqual([article]);

    const edited = await alice.patch(`/v1/messages/${sent.id}`, { text: `now ${other}` });
    expect(edited.status).toBe(200);
    // The old link's preview goes with the edit itself; the new one's comes after.
    expect(urls(edited.body.message)).toEqual([]);
    const update = await previewed(watcher, sent.id, other);
    expect(urls(update.message)).toEqual([other]);
  });

  it('the sender can take a preview off, for good; nobody else can', async () => {
    const { alice, bob, carol, cid, watcher } = await room();
    const article = `${pages.origin}/article`;
    const other = `${pages.origin}/other`;
    const sent = await send(alice, cid, `${article} ${other}`);
    await waitForEvent(
      watcher,
      'message.updated',
      (e) => e.message.id === sent.id && urls(e.message).length === 2,
    );
    const path = (link: string) => `/v1/messages/${sent.id}/link-previews?url=${encodeURIComponent(link)}`;

    expectError(await bob.delete(path(article)), 403, 'forbidden');
    expectError(await carol.delete(path(article)), 404, 'not_found');
    const outsider = await (await appOn(server)).user('alice');
    expectError(await outsider.delete(path(article)), 404, 'not_found');
    expectError(await alice.delete(path(`${pages.origin}/not-in-the-message`)), 404, 'not_found');
    expectError(await alice.delete(`/v1/messages/${sent.id}/link-previews?url=javascript:alert(1)`), 400);
    expect(urls((await bob.get(`/v1/messages/${sent.id}`)).body.message)).toEqual([article, other]);

    const removed = await alice.delete(path(article));
    expect(removed.status).toBe(200);
    expect(urls(removed.body.message)).toEqual([other]);
    const update = await waitForEvent(
      watcher,
      'message.updated',
      (e) => e.message.id === sent.id && urls(e.message).length === 1,
    );
    expect(urls(update.message)).toEqual([other]);
    // Again: nothing left to take off, the same answer.
    expect(urls((await alice.delete(path(article))).body.message)).toEqual([other]);

    // An edit that brings a new link fetches it, but not the one taken off.
    const third = `${pages.origin}/third`;
    await alice.patch(`/v1/messages/${sent.id}`, { text: `${article} ${other} ${third}` });
    const refreshed = await previewed(watcher, sent.id, third);
    expect(urls(refreshed.message)).toEqual([other, third]);
    expect(urls((await bob.get(`/v1/messages/${sent.id}`)).body.message)).toEqual([other, third]);
  });

  it('a preview taken off while the job fetches it never appears; a message sent without previews gets none', async () => {
    const { alice, cid, watcher } = await room();
    const never = `${pages.origin}/never`;
    const quiet = await send(alice, cid, `no preview for ${never}`, { skip_link_previews: true });
    const queued = await server.store.db
      .selectFrom('outbox')
      .select('payload')
      .where('topic', '=', 'internal.link_previews')
      .execute();
    expect(queued.map((r) => (r.payload as unknown as { message_id: string }).message_id)).not.toContain(
      quiet.id,
    );

    const slow = `${pages.origin}/held`;
    const sync = syncLink();
    const sent = await send(alice, cid, `${slow} ${sync}`);
    await heldHit;
    const removed = await alice.delete(
      `/v1/messages/${sent.id}/link-previews?url=${encodeURIComponent(slow)}`,
    );
    expect(removed.status).toBe(200);
    release();
    const update = await previewed(watcher, sent.id, sync);
    expect(urls(update.message)).toEqual([sync]);
    const updates = watcher.events.filter(
      (e): e is EventOf<'message.updated'> => e.type === 'message.updated' && e.message.id === sent.id,
    );
    expect(updates).toHaveLength(1);
    expect(pages.hitsOf('/never')).toEqual([]);
  });

  it("the retention pass forgets expired cache entries, every app's, and keeps fresh ones", async () => {
    const { t } = await room();
    const db = server.store.db;
    const entry = (url: string, expiresInMs: number) => ({
      app_id: t.app.id,
      url,
      preview: null,
      expires_at: new Date(Date.now() + expiresInMs),
    });
    await db
      .insertInto('link_preview_cache')
      .values([entry('https://old.example/', -60_000), entry('https://fresh.example/', 3_600_000)])
      .execute();
    expect(await pruneLinkPreviewCache(db)).toBeGreaterThanOrEqual(1);
    const left = await db
      .selectFrom('link_preview_cache')
      .select('url')
      .where('app_id', '=', t.app.id)
      .execute();
    expect(left.map((r) => r.url)).toEqual(['https://fresh.example/']);
  });

  it('a deleted message shows no previews', async () => {
    const { alice, bob, cid, watcher } = await room();
    const link = `${pages.origin}/other`;
    const sent = await send(alice, cid, link);
    await previewed(watcher, sent.id, link);
    const deleted = await alice.delete(`/v1/messages/${sent.id}`);
    expect(deleted.body.message.link_previews).toEqual([]);
    const event = await waitForEvent(watcher, 'message.deleted', (e) => e.message.id === sent.id);
    expect(event.message.link_previews).toEqual([]);
    expect((await bob.get(`/v1/messages/${sent.id}`)).body.message.link_previews).toEqual([]);
    expectError(
      await alice.delete(`/v1/messages/${sent.id}/link-previews?url=${encodeURIComponent(link)}`),
      404,
    );
  });
});

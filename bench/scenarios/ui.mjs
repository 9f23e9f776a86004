// Scenario 7 — UI: @chat/ui-react's <MessageList> (with its styles.css) in Chromium, showing a
// channel of 10,000 messages held by a @chat/core ChatClient on an in-memory socket: time from
// mount until the newest message is on screen, then frame times (requestAnimationFrame
// intervals) while the list is scrolled from the bottom to the top, and the rows in the DOM.
// Peer: the same messages in a plain React list that renders every row with the kit's own
// <Message>. See README.md.
import { cpus } from 'node:os';
import {
  browserE2e,
  buildPage,
  chromiumCpu,
  cpuSpent,
  metrics,
  missingBuilds,
  serveStatic,
  spent,
} from '../browser/harness.mjs';
import { hostBusy, hostCpu } from '../lib/proc.mjs';
import { writeReport } from '../lib/report.mjs';
import { deadline, envNumber, log, QUICK } from '../lib/scenario.mjs';
import { fmt, ratio, summarize } from '../lib/stats.mjs';

deadline('ui', envNumber('BENCH_UI_LIMIT_S', QUICK ? 60 : 150));
const COUNT = envNumber('BENCH_UI_MESSAGES', QUICK ? 1_000 : 10_000);
const MOUNTS = envNumber('BENCH_UI_MOUNTS', QUICK ? 1 : 3);
const SCROLL_S = envNumber('BENCH_UI_SCROLL_S', QUICK ? 2 : 8);
const FAST_SPEED = envNumber('BENCH_UI_FAST_SPEED', 6_000);
const FAST_S = envNumber('BENCH_UI_FAST_S', QUICK ? 1 : 4);
const PEER = process.env.BENCH_UI_PEER !== '0';
const VIEWPORT = { width: 1000, height: 800 };
const TARGET_P95_MS = 20;

const e2e = await browserE2e();
if (!e2e.browserAvailable()) {
  log(`ui: skipped, no Chromium at ${e2e.CHROMIUM_PATH} (apt-get install -y chromium)`);
  process.exit(0);
}
const missing = missingBuilds();
if (missing.length) {
  log(`ui: skipped, not built: ${missing.join(', ')} (npx turbo run build --filter @chat/ui-react...)`);
  process.exit(0);
}

const built = await buildPage('message-list');
const web = await serveStatic(built.outdir);
const browser = await e2e.launchChromium();
const version = browser.version();
const browserCdp = await browser.newBrowserCDPSession();
const context = await browser.newContext({ viewport: VIEWPORT });
const page = await context.newPage();
page.on('pageerror', (error) => log(`[page error] ${error.message}`));
const cdp = await context.newCDPSession(page);

/** A fresh page (new JS context) whose client holds the channel; then the list is mounted. */
async function mountOnce(plain) {
  await page.goto(web.url);
  await cdp.send('Performance.enable');
  const setup = await page.evaluate((count) => window.bench.setup({ count }), COUNT);
  if (setup.messages !== COUNT) throw new Error(`the channel holds ${setup.messages} messages, not ${COUNT}`);
  if (setup.hasOlder) throw new Error('the channel should have no older messages to load');
  const before = await metrics(cdp);
  const mount = await page.evaluate((p) => window.bench.mount({ plain: p }), plain);
  const after = await metrics(cdp);
  if (mount.timedOut) throw new Error(`the newest message never showed (${JSON.stringify(mount)})`);
  return { ...mount, main: spent(before, after), heap: after.heap };
}

const at = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/** One scroll in the page, with frame statistics, main-thread time by kind and CPU time. */
async function sweep(options) {
  await page.waitForTimeout(300);
  const m0 = await metrics(cdp);
  const c0 = await chromiumCpu(browserCdp);
  const h0 = hostCpu();
  const t0 = performance.now();
  const scroll = await page.evaluate((o) => window.bench.scroll(o), options);
  const capacity = (performance.now() - t0) * cpus().length;
  const busy = hostBusy(h0, hostCpu());
  const cpu = cpuSpent(c0, await chromiumCpu(browserCdp));
  // What the rest of the machine used meanwhile: busy CPU time minus Chromium's own.
  const others = Math.max(0, busy - cpu.all / capacity);
  const main = spent(m0, await metrics(cdp));
  const sorted = [...scroll.intervals].sort((a, b) => a - b);
  const frames = {
    count: sorted.length,
    p50: at(sorted, 50),
    p95: at(sorted, 95),
    p99: at(sorted, 99),
    max: sorted.at(-1),
    over33: sorted.filter((v) => v > 33.4).length,
  };
  return { scroll, frames, main, cpu, busy, others, px: scroll.startTop - scroll.endTop };
}

async function measure(plain) {
  const label = plain ? 'plain list' : '`<MessageList>`';
  const mounts = [];
  for (let i = 0; i < (plain ? 1 : MOUNTS); i++) {
    log(`ui: ${label}: mount ${i + 1}`);
    mounts.push(await mountOnce(plain));
  }
  log(`ui: ${label}: fast scroll, ${FAST_SPEED} px/s for ${FAST_S} s`);
  const fast = await sweep({ speed: FAST_SPEED, seconds: FAST_S });
  log(`ui: ${label}: scrolling the rest of the list to the top in ${SCROLL_S} s`);
  const whole = await sweep({ seconds: SCROLL_S, maxSeconds: SCROLL_S + 6 });
  return { label, plain, mounts, fast, whole };
}

const results = [];
try {
  results.push(await measure(false));
  if (PEER) results.push(await measure(true));
} finally {
  await browser.close().catch(() => {});
  await web.close();
}

const ms = (v) => `${fmt(v, 1)} ms`;
const pct = (v) => `${fmt(v * 100)}%`;
const ours = results[0];
const peer = results.find((r) => r.plain);
const mountStat = (r, key) => summarize(r.mounts.map((m) => m[key]));
const name = (r) =>
  r.plain ? 'Plain React list, every row rendered (peer)' : '`<MessageList>` (virtualized)';
const SWEEPS = [
  ['fast', `Fast scroll from the end: ${fmt(FAST_SPEED)} px/s for ${FAST_S} s`],
  ['whole', `The rest of the list to the top in ${SCROLL_S} s`],
];

const mountRows = results.map((r) => {
  const m = r.mounts.at(-1);
  return [
    name(r),
    ms(mountStat(r, 'visible').p50),
    ms(mountStat(r, 'painted').p50),
    fmt(m.rowsInDom),
    fmt(m.domNodes),
    fmt(m.heap / 1024 / 1024, 1),
    `${ms(m.main.script)} / ${ms(m.main.style)} / ${ms(m.main.layout)}`,
  ];
});

const scrollRows = results.flatMap((r) =>
  SWEEPS.map(([key, label]) => {
    const { scroll, frames, cpu, px, busy, others } = r[key];
    return [
      name(r),
      label,
      `${fmt(scroll.speed)} px/s`,
      `${fmt(px)} px in ${fmt(scroll.seconds, 1)} s${key === 'whole' && !scroll.reachedTop ? ' (time limit, not at the top)' : ''}`,
      fmt(frames.count),
      ms(frames.p50),
      ms(frames.p95),
      ms(frames.p99),
      ms(frames.max),
      fmt(frames.over33),
      ms(cpu.main / Math.max(1, frames.count)),
      fmt(scroll.rowsMax),
      `${pct(busy)} (${pct(others)})`,
    ];
  }),
);

const mainRows = results.flatMap((r) =>
  [
    [`${r.label}: mount`, r.mounts.at(-1).main],
    [`${r.label}: fast scroll`, r.fast.main],
    [`${r.label}: to the top`, r.whole.main],
  ].map(([label, m]) => [label, ms(m.task), ms(m.script), ms(m.style), ms(m.layout), fmt(m.layouts)]),
);

const swept = (r, key) =>
  `${ms(r[key].frames.p95)} (p99 ${ms(r[key].frames.p99)}, max ${ms(r[key].frames.max)}; main thread ${ms(r[key].cpu.main / Math.max(1, r[key].frames.count))} CPU per frame; ≤ ${fmt(r[key].scroll.rowsMax)} rows in the DOM)`;
writeReport({
  scenario: 'ui',
  title: `UI: \`<MessageList>\` with ${fmt(COUNT)} messages in Chromium`,
  notes: [
    `Chromium ${version} (${e2e.CHROMIUM_PATH}, headless, tools/browser-e2e's flags: no GPU, so software raster and compositing), viewport ${VIEWPORT.width} × ${VIEWPORT.height}. The page is the built @chat/core, @chat/react and @chat/ui-react (with its styles.css) bundled with esbuild (minified, production React; ${fmt(built.bytes / 1024)} KB of JS), served from 127.0.0.1.`,
    `Data: offline, no server. The page's ChatClient has an in-memory WebSocket (\`env.WebSocket\`) that answers \`auth\` and \`channel.watch\` (20 messages; a frame is at most 64 KiB), then pushes the other ${fmt(COUNT - 20)} as \`message.new\` frames, all before anything is timed: the timings are React, the virtualizer and the DOM. Messages have the server's shape; authors change every few messages, one in five is long and wraps, and they span ~${fmt((COUNT * 123) / 86_400)} days, so date separators, author headers and grouped rows all occur and rows differ in height.`,
    '"Mount": `<Chat><Channel cid><MessageList/></Channel></Chat>` rendered into a fresh page (median of the mounts); it ends when the newest message\'s row ends inside the scroller (checked on every DOM mutation and every frame); "painted" at a task posted from the next frame\'s requestAnimationFrame.',
    'Scrolling: upward at a steady speed, `scrollTop` lowered every animation frame by the speed × the time since the previous frame (written from a task posted by the frame\'s rAF callback, where input would scroll; see `scroll()` in browser/pages/message-list.jsx), and the interval between requestAnimationFrame timestamps recorded for every frame (16.7 ms = 60 fps). First a fast scroll from the end (a hard fling or a fast-spun wheel), then the rest of the list to the top at the speed that takes the given time (a new screen of rows every frame). "Main-thread CPU per frame" is the CPU time of the renderer\'s main thread (/proc) over the frames: unlike the intervals, it does not grow when other processes take the CPU.',
    "Peer: the same channel in a plain React list: every message rendered, in normal flow, with the kit's own `<Message>` and `<DateSeparator>` (grouped the same way), no virtualization.",
  ],
  tables: [
    {
      title: 'Mount',
      columns: [
        'List',
        'Mount → newest visible',
        'Mount → painted',
        'Rows in DOM',
        'DOM elements',
        'JS heap MB',
        'Script / style / layout',
      ],
      rows: mountRows,
      note: `\`<MessageList>\` mounts: ${ours.mounts.map((m) => ms(m.visible)).join(', ')}.`,
    },
    {
      title: 'Scrolling',
      columns: [
        'List',
        'Scroll',
        'Speed',
        'Scrolled',
        'Frames',
        'Frame p50',
        'Frame p95',
        'Frame p99',
        'Frame max',
        'Frames > 33 ms',
        'Main-thread CPU per frame',
        'Rows in DOM (max)',
        'Host busy (other processes)',
      ],
      rows: scrollRows,
      note: '"Scrolled" is how far `scrollTop` moved: for `<MessageList>` it includes the virtualizer\'s corrections when rows above the viewport measure other than its 50 px estimate (they shift `scrollTop` so the rows in view stay put). "Host busy": all the machine\'s cores over the scroll, and in brackets the part used by processes other than Chromium (other work on this machine): when the host is full, frames wait for the CPU whatever the list costs, and the main thread\'s CPU per frame is the figure to compare.',
    },
    {
      title:
        'Main-thread time by kind (DevTools Performance metrics; wall time, so it includes time other processes took)',
      columns: ['Phase', 'Tasks', 'Script', 'Style', 'Layout', 'Layouts'],
      rows: mainRows,
    },
  ],
  summary: [
    {
      figure: `\`<MessageList>\`, ${fmt(COUNT)} messages: frame interval p95 scrolling the whole list to the top in ${SCROLL_S} s (Chromium)`,
      ours: swept(ours, 'whole'),
      peer: peer ? 'plain React list (all rows)' : undefined,
      peerValue: peer ? ms(peer.whole.frames.p95) : undefined,
      ratio: peer ? ratio(ours.whole.frames.p95, peer.whole.frames.p95) : '–',
      target: `< ${TARGET_P95_MS} ms`,
      met: ours.whole.frames.p95 < TARGET_P95_MS,
    },
    {
      figure: `\`<MessageList>\`, ${fmt(COUNT)} messages: frame interval p95, fast scroll (${fmt(FAST_SPEED)} px/s) (Chromium)`,
      ours: swept(ours, 'fast'),
      peer: peer ? 'plain React list (all rows)' : undefined,
      peerValue: peer ? ms(peer.fast.frames.p95) : undefined,
      ratio: peer ? ratio(ours.fast.frames.p95, peer.fast.frames.p95) : '–',
      target: `< ${TARGET_P95_MS} ms`,
      met: ours.fast.frames.p95 < TARGET_P95_MS,
    },
    {
      figure: `\`<MessageList>\`, ${fmt(COUNT)} messages: mount → newest message visible (Chromium)`,
      ours: ms(mountStat(ours, 'visible').p50),
      peer: peer ? 'plain React list (all rows)' : undefined,
      peerValue: peer ? ms(peer.mounts[0].visible) : undefined,
      ratio: peer ? ratio(mountStat(ours, 'visible').p50, peer.mounts[0].visible) : '–',
    },
  ],
});
process.exit(0);

// Scenario 10 — media (issue #15): uploads over this server's REST flow on disk storage (a slot,
// the bytes to the signed target, "complete"), against a bare Node http server that streams a PUT
// body to a file on the same disk:
//  - 20 photo-like 5 MB JPEGs uploaded in parallel: wall time, MB/s, the server's peak RSS, its
//    CPU time, and each image's time from "complete" to `ready` (the thumbnail job);
//  - a few of the same images one at a time: the thumbnail job's own time per image;
//  - one 500 MiB file (not an image) in one request, and the same file resumable (8 MiB parts,
//    3 in flight): MB/s ÷ the bare server's, and the server's peak RSS growth (streamed, never
//    held whole: target < 100 MB);
//  - the send path: 200 REST sends with one uploaded attachment each against 200 without (server
//    CPU and latency per send), and the SQL statements per send (the issue: an attachment costs
//    the send path one extra lookup at most).
// On PGlite (embedded), and on PostgreSQL too when it answers (BENCH_DATABASE_URL).
import { randomFillSync, randomUUID } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appEnv, newCredentials, restClient, userTokens } from '../lib/chat-app.mjs';
import { unwind } from '../lib/cleanup.mjs';
import { quiesce, SENDER_LIMITS_ENV } from '../lib/fanout-run.mjs';
import { hostBusy, hostCpu, peakRss, startTarget } from '../lib/proc.mjs';
import { summarizeProfile } from '../lib/profile.mjs';
import { writeReport } from '../lib/report.mjs';
import { deadline, envNumber, log, QUICK } from '../lib/scenario.mjs';
import { runNamespace, servicesAvailable } from '../lib/services.mjs';
import { fmt, mapLimit, mb, ratio, sleep, summarize } from '../lib/stats.mjs';

deadline('media', envNumber('BENCH_MEDIA_LIMIT_S', QUICK ? 240 : 570));
const MIB = 1024 * 1024;
const IMAGES = envNumber('BENCH_MEDIA_IMAGES', QUICK ? 3 : 20);
const [IMAGE_W, IMAGE_H] = (process.env.BENCH_MEDIA_IMAGE_SIZE ?? (QUICK ? '1200x900' : '4000x3000'))
  .split('x')
  .map(Number);
const SEQ_IMAGES = envNumber('BENCH_MEDIA_SEQ_IMAGES', QUICK ? 2 : 5);
const LARGE_BYTES = envNumber('BENCH_MEDIA_LARGE_MB', QUICK ? 20 : 500) * MIB;
const ROUNDS = envNumber('BENCH_MEDIA_ROUNDS', QUICK ? 1 : 3);
const PARTS_IN_FLIGHT = envNumber('BENCH_MEDIA_PARTS_IN_FLIGHT', 3);
const SENDS = envNumber('BENCH_MEDIA_SENDS', QUICK ? 20 : 200);
const SEND_BLOCKS = 4;
const WARM_SENDS = QUICK ? 5 : 20;
const STMT_SENDS = QUICK ? 5 : 20;
const RSS_EVERY_MS = 50;
/** Goals: upload MB/s ≥ half the bare server's; a 500 MB upload grows the server's RSS < 100 MB. */
const GOAL_THROUGHPUT = 0.5;
const GOAL_RSS_GROWTH = 100 * MIB;
/**
 * An attachment's send costs at most one more lookup (a SELECT: the upload's row; storing the
 * attachment and taking the upload are writes any attachment needs) …
 */
const GOAL_EXTRA_LOOKUPS = 1;
/** … and, as this bench reads "one extra lookup", at most a quarter more server CPU per send. */
const GOAL_SEND_CPU_RATIO = 1.25;

const require = createRequire(import.meta.resolve('@chat/server'));

// Everything this run writes (inputs, the server's data directory, the bare server's files) is in
// one temporary directory, removed at the end whatever happens (the 500 MB files!).
const TMP = mkdtempSync(join(tmpdir(), 'bench-media-'));
const FILES = join(TMP, 'files');
const BARE_DIR = join(TMP, 'bare');
mkdirSync(FILES);
mkdirSync(BARE_DIR);
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const services = await servicesAvailable();
const wanted = (process.env.BENCH_MEDIA_STORES ?? 'pglite,pg').split(',').map((s) => s.trim());
const skipped = [];
const stores = [
  { id: 'pglite', label: 'PGlite', env: { DATABASE_URL: '', REDIS_URL: '' } },
  { id: 'pg', label: 'PostgreSQL', services: true },
]
  .filter((s) => wanted.includes(s.id))
  .filter((s) => {
    if (!s.services || services.ok) return true;
    skipped.push(`PostgreSQL skipped: ${services.reason}.`);
    return false;
  });

// ---------------------------------------------------------------- inputs

/** Photo-like JPEGs: a colour gradient and a light, fine grain (what makes a photo weigh 5 MB). */
async function makeImages() {
  const sharp = require('sharp');
  const noise = await sharp(randomFillSync(Buffer.alloc(IMAGE_W * IMAGE_H * 3)), {
    raw: { width: IMAGE_W, height: IMAGE_H, channels: 3 },
  })
    .linear(0.13, 128 * (1 - 0.13))
    .raw()
    .toBuffer();
  const paths = Array.from({ length: IMAGES }, (_, i) => join(FILES, `photo-${i + 1}.jpg`));
  await mapLimit(paths, 2, async (path, i) => {
    const hue = (i * 37) % 360;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${IMAGE_W}" height="${IMAGE_H}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},70%,35%)"/><stop offset="1" stop-color="hsl(${(hue + 150) % 360},70%,70%)"/></linearGradient><radialGradient id="r" cx="${0.3 + (i % 5) * 0.1}" cy="0.4" r="0.5"><stop offset="0" stop-color="#fff" stop-opacity="0.6"/><stop offset="1" stop-color="#000" stop-opacity="0"/></radialGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><rect width="100%" height="100%" fill="url(#r)"/></svg>`;
    await sharp(Buffer.from(svg))
      .composite([{ input: noise, raw: { width: IMAGE_W, height: IMAGE_H, channels: 3 }, blend: 'overlay' }])
      .jpeg({ quality: 95 })
      .toFile(path);
  });
  return paths.map((path) => ({ path, size: statSync(path).size }));
}

/** Random bytes after a plain header (so no format's signature can match by chance). */
function makeLargeFile(path, size) {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(8 * MIB);
  try {
    for (let written = 0; written < size; ) {
      randomFillSync(chunk);
      if (written === 0) chunk.write('CHAT BENCH MEDIA PAYLOAD: RANDOM BYTES\n\0\0\0\0', 0);
      const n = Math.min(size - written, chunk.length);
      writeSync(fd, chunk, 0, n);
      written += n;
    }
  } finally {
    closeSync(fd);
  }
  return { path, size };
}

// ---------------------------------------------------------------- measuring

function vmRss(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * The peak RSS of `pid` from now on: VmRSS sampled every 50 ms, and the kernel's own peak (VmHWM)
 * after resetting it (`clear_refs` 5), which catches a spike between two samples.
 */
function startRssSampler(pid) {
  let hwmReset = false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    hwmReset = true;
  } catch {}
  let sampled = vmRss(pid);
  const timer = setInterval(() => {
    const v = vmRss(pid);
    if (v > sampled) sampled = v;
  }, RSS_EVERY_MS);
  return () => {
    clearInterval(timer);
    const v = vmRss(pid);
    if (v > sampled) sampled = v;
    const hwm = hwmReset ? peakRss(pid) : Number.NaN;
    return Number.isFinite(hwm) ? Math.max(sampled, hwm) : sampled;
  };
}

/** Runs `work` on a quiet, collected server: its wall time, CPU time, RSS before and peak, host busy. */
async function measured(server, work) {
  await server.gc();
  await quiesce([server], { maxMs: 10_000 });
  const rssBefore = vmRss(server.pid);
  const cpuBefore = server.stat().cpuMs;
  const host = hostCpu();
  const stop = startRssSampler(server.pid);
  const t0 = performance.now();
  const result = await work(t0);
  const wallMs = performance.now() - t0;
  const rssPeak = stop();
  return {
    ...result,
    wallMs,
    rssBefore,
    rssPeak,
    rssGrowth: rssPeak - rssBefore,
    cpuMs: server.stat().cpuMs - cpuBefore,
    hostBusy: hostBusy(host, hostCpu()),
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** PUTs `path` (bytes start..end) to `url`, streamed from the file: never held in memory. */
function putFile(url, path, { start = 0, end = statSync(path).size - 1, headers = {} } = {}) {
  const length = end - start + 1;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'PUT', agent, headers: { ...headers, 'content-length': length } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode >= 300)
            reject(new Error(`PUT ${url.pathname} → ${res.statusCode} ${text.slice(0, 300)}`));
          else resolve({ headers: res.headers, text });
        });
      },
    );
    req.on('error', reject);
    const body = createReadStream(path, { start, end, highWaterMark: MIB });
    body.on('error', (error) => req.destroy(error));
    body.pipe(req);
  });
}

/** The upload flow in one request: slot, bytes, complete, and (images) until `ready`. */
async function uploadOnce(ctx, { path, size, name, type }) {
  const t0 = performance.now();
  const { upload, target } = await ctx.call('POST', '/v1/uploads', { name, type, size });
  if (target.method !== 'PUT') throw new Error(`expected a disk PUT target, got ${target.method}`);
  await putFile(new URL(target.url, ctx.base), path, { headers: target.headers });
  const stored = performance.now();
  return finish(ctx, upload.id, { t0, stored });
}

/** "complete", then GET every 100 ms while the answer is `processing`. */
async function finish(ctx, id, times) {
  let { upload } = await ctx.call('POST', `/v1/uploads/${id}/complete`);
  while (upload.state === 'processing') {
    await sleep(100);
    ({ upload } = await ctx.call('GET', `/v1/uploads/${id}`));
  }
  const done = performance.now();
  if (upload.state !== 'ready')
    throw new Error(`upload ${upload.name} ended ${upload.state}: ${JSON.stringify(upload.refusal)}`);
  return { upload, ...times, done, readyMs: done - times.stored };
}

/** The resumable flow: parts of the server's size, `inFlight` at a time, each recorded, then complete. */
async function uploadResumable(ctx, { path, size, name, type }, inFlight) {
  const t0 = performance.now();
  const { upload, multipart } = await ctx.call('POST', '/v1/uploads/resumable', { name, type, size });
  const { part_size: partSize, part_count: partCount } = multipart;
  const numbers = Array.from({ length: partCount }, (_, i) => i + 1);
  const targets = new Map();
  for (let i = 0; i < numbers.length; i += 100) {
    const { parts } = await ctx.call('POST', `/v1/uploads/${upload.id}/parts`, {
      part_numbers: numbers.slice(i, i + 100),
    });
    for (const part of parts) targets.set(part.part_number, part);
  }
  await mapLimit(numbers, inFlight, async (n) => {
    const start = (n - 1) * partSize;
    const end = Math.min(size, n * partSize) - 1;
    const target = targets.get(n);
    const answer = await putFile(new URL(target.url, ctx.base), path, {
      start,
      end,
      headers: target.headers,
    });
    const etag = answer.headers.etag ?? JSON.parse(answer.text).etag;
    await ctx.call('PUT', `/v1/uploads/${upload.id}/parts/${n}`, { etag, size: end - start + 1 });
  });
  const stored = performance.now();
  const result = await finish(ctx, upload.id, { t0, stored });
  return { ...result, partSize, partCount };
}

// ---------------------------------------------------------------- one store

async function run(store, inputs) {
  const stack = [];
  const out = { store, rounds: [], failed: {} };
  /** Runs one part of the run; a part that fails is reported as failed, the others still run. */
  const part = async (name, work) => {
    try {
      await work();
    } catch (error) {
      out.failed[name] = String(error?.message ?? error)
        .split('\n')[0]
        .slice(0, 200);
      log(`  media on ${store.label}, ${name}: ${error?.stack ?? error}`);
    }
  };
  try {
    const dataDir = join(TMP, `data-${store.id}`);
    const env = {
      ...store.env,
      CHAT_DATA_DIR: dataDir,
      // The server's ceiling for an app's policy; the policy itself is raised below.
      CHAT_UPLOAD_MAX_BYTES: String(2 * 1024 * MIB),
      // One bench user makes every upload and send: its write budget (sends, and the REST routes
      // that change things, uploads included; 300 a minute by default) is raised, as fan-out does.
      ...SENDER_LIMITS_ENV,
    };
    if (store.services) {
      const ns = runNamespace(`media_${store.id}`);
      // PostgreSQL only: one node needs no Redis.
      const { REDIS_URL: _r, CHAT_REDIS_PREFIX: _p, SIO_KEY: _k, ...pg } = ns.env;
      Object.assign(env, pg, { REDIS_URL: '' });
      stack.push(() => ns.cleanup());
    }
    const credentials = newCredentials();
    Object.assign(env, appEnv(credentials));
    const server = await startTarget('media', { env, name: `media-${store.id}`, timeoutMs: 90_000 });
    stack.push(() => server.stop());
    const bare = await startTarget('bare-upload', {
      env: { BARE_UPLOAD_DIR: BARE_DIR },
      name: 'bare-upload',
    });
    stack.push(() => bare.stop());

    const rest = await restClient(server.url, credentials);
    await rest.call('PUT', '/v1/upload-policy', { max_bytes: 1024 * MIB, uploads_per_minute: 1000 });
    await rest.upsertUsers(['sender', 'reader']);
    await rest.createChannel('messaging', 'media-send', ['sender', 'reader']);
    const [token] = await userTokens(credentials.apiSecret, ['sender']);
    const ctx = { base: server.url, call: (method, path, body) => rest.call(method, path, body, token) };
    const stmts = async (action) => {
      const reply = await server.request({ type: 'media-stmts', action }, 10_000);
      if (!reply) throw new Error('the server did not answer media-stmts');
      return reply;
    };

    // 1. Images in parallel.
    log(`media: ${IMAGES} images in parallel → ${store.label}`);
    const imageBytes = inputs.images.reduce((a, f) => a + f.size, 0);
    await part('images', async () => {
      out.images = await measured(server, async (t0) => {
        const results = await Promise.all(
          inputs.images.map((f, i) =>
            uploadOnce(ctx, { ...f, name: `photo-${i + 1}.jpg`, type: 'image/jpeg' }),
          ),
        );
        return {
          storedMs: Math.max(...results.map((r) => r.stored)) - t0,
          readyAllMs: Math.max(...results.map((r) => r.done)) - t0,
          ready: summarize(results.map((r) => r.readyMs)),
          thumbnails: results[0].upload.thumbnails.map((t) => t.width).join('/'),
          size: `${results[0].upload.width}×${results[0].upload.height}`,
        };
      });
      out.images.bytes = imageBytes;
    });

    // 2. The same images one at a time: the job's own time, no queue.
    log(`media: ${SEQ_IMAGES} images one at a time → ${store.label}`);
    await part('sequential', async () => {
      out.sequential = await measured(server, async () => {
        const times = [];
        for (let i = 0; i < SEQ_IMAGES; i++) {
          const f = inputs.images[i % inputs.images.length];
          times.push((await uploadOnce(ctx, { ...f, name: `seq-${i + 1}.jpg`, type: 'image/jpeg' })).readyMs);
        }
        return { ready: summarize(times) };
      });
    });

    // 3. The large file: bare server, one request, resumable; rounds in alternating order.
    const large = { ...inputs.large, name: 'archive.bin', type: 'application/octet-stream' };
    const clean = async (id) => {
      if (id) await ctx.call('DELETE', `/v1/uploads/${id}`);
      for (const name of readdirSync(BARE_DIR)) rmSync(join(BARE_DIR, name), { force: true });
    };
    const kinds = {
      bare: () =>
        measured(bare, async () => {
          await putFile(new URL('/upload', bare.url), large.path, {
            headers: { 'content-type': large.type },
          });
          return {};
        }),
      single: () => measured(server, async () => checkFile(await uploadOnce(ctx, large))),
      resumable: () =>
        measured(server, async () => checkFile(await uploadResumable(ctx, large, PARTS_IN_FLIGHT))),
    };
    // BENCH_PROFILE=1: the server is CPU-profiled through the first round of each of its uploads.
    if (process.env.BENCH_PROFILE === '1') {
      for (const kind of ['single', 'resumable']) {
        const plain = kinds[kind];
        let profiled = false;
        kinds[kind] = async () => {
          if (profiled) return plain();
          profiled = true;
          const dir = join(fileURLToPath(new URL('../results/profiles/', import.meta.url)));
          mkdirSync(dir, { recursive: true });
          const file = join(dir, `media-${kind}-${store.id}.cpuprofile`);
          await server.profile('start');
          const result = await plain();
          if ((await server.profile('stop', file))?.ok) {
            const { functions, origins } = summarizeProfile(file);
            log(`  ${kind} upload profile (${file}):`);
            for (const o of origins.slice(0, 8)) log(`    ${o.origin}: ${fmt(o.share * 100)}%`);
            for (const f of functions.slice(0, 15)) log(`    ${fmt(f.share * 100, 1)}% ${f.name} ${f.where}`);
          }
          return result;
        };
      }
    }
    const order = ['bare', 'single', 'resumable'];
    await part('large', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const sequence = round % 2 === 0 ? order : [...order].reverse();
        for (const kind of sequence) {
          log(`media: ${mb(large.size)} MB, ${kind}, round ${round + 1}/${ROUNDS} → ${store.label}`);
          const r = await kinds[kind]();
          out.rounds.push({ kind, round, ...r, mbps: large.size / MIB / (r.wallMs / 1000) });
          await clean(r.upload?.id);
        }
      }
    });

    // 4. The send path: uploads made beforehand (small text files, ready at "complete").
    await part('sends', async () => {
      const attachments = SENDS + WARM_SENDS + STMT_SENDS;
      log(`media: ${attachments} small uploads, then ${SENDS} sends of each kind → ${store.label}`);
      const ids = await mapLimit(
        Array.from({ length: attachments }, (_, i) => i),
        8,
        async (i) => {
          const r = await uploadOnce(ctx, { ...inputs.small, name: `note-${i}.txt`, type: 'text/plain' });
          return r.upload.id;
        },
      );
      let n = 0;
      // The attachments of each variant: none, a link to a file elsewhere (stored as given: shows
      // what any attachment costs), or one of the uploads made above (`{ upload_id }`).
      const attachmentsOf = {
        plain: () => undefined,
        linked: () => [
          {
            type: 'file',
            url: 'https://files.example/report.pdf',
            name: 'report.pdf',
            mime_type: 'application/pdf',
            file_size: inputs.small.size,
          },
        ],
        attached: () => [{ upload_id: ids.pop() }],
      };
      const send = (variant) => {
        const attachments = attachmentsOf[variant]();
        return ctx.call('POST', '/v1/channels/messaging/media-send/messages', {
          client_msg_id: randomUUID(),
          text: `bench message ${++n}`,
          ...(attachments && { attachments }),
        });
      };
      const timedSend = async (variant) => {
        const t = performance.now();
        await send(variant);
        return performance.now() - t;
      };
      const names = Object.keys(attachmentsOf);
      for (let i = 0; i < WARM_SENDS; i++) for (const variant of names) await send(variant);
      const variants = Object.fromEntries(names.map((name) => [name, { latencies: [], cpuMs: 0, sends: 0 }]));
      const host = hostCpu();
      await quiesce([server], { maxMs: 10_000 });
      for (let b = 0; b < SEND_BLOCKS; b++) {
        // Blocks take turns, and their order turns too: drift on a shared host hits every variant.
        const order = b % 2 === 0 ? names : [...names].reverse();
        for (const variant of order) {
          const v = variants[variant];
          const count = Math.round(SENDS / SEND_BLOCKS);
          const before = server.stat().cpuMs;
          for (let i = 0; i < count; i++) v.latencies.push(await timedSend(variant));
          v.cpuMs += server.stat().cpuMs - before;
          v.sends += count;
        }
      }
      out.sendHostBusy = hostBusy(host, hostCpu());
      // Statements per send: counted around each send, the fewest of several (the server's
      // background work shares the counter) and the median.
      for (const variant of names) {
        const counts = [];
        let kindsOfFewest = null;
        for (let i = 0; i < STMT_SENDS; i++) {
          await stmts('reset');
          await send(variant);
          const taken = await stmts('take');
          if (!counts.length || taken.count < Math.min(...counts)) kindsOfFewest = taken.kinds;
          counts.push(taken.count);
        }
        const v = variants[variant];
        const s = summarize(v.latencies);
        Object.assign(v, {
          p50: s.p50,
          p95: s.p95,
          cpuPerSendMs: v.cpuMs / v.sends,
          stmtsMin: Math.min(...counts),
          stmtsMedian: summarize(counts).p50,
          stmtKinds: kindsOfFewest,
        });
      }
      out.sends = variants;
    });
    out.rssEnd = vmRss(server.pid);
    return out;
  } catch (error) {
    out.error = error?.stack ?? String(error);
    return out;
  } finally {
    await unwind(stack);
    rmSync(join(TMP, `data-${store.id}`), { recursive: true, force: true });
    for (const name of readdirSync(BARE_DIR)) rmSync(join(BARE_DIR, name), { force: true });
  }
}

function checkFile(result) {
  if (result.upload.kind !== 'file')
    throw new Error(`the large file was taken as ${result.upload.kind} (${result.upload.mime_type})`);
  return result;
}

// ---------------------------------------------------------------- run

log(`media: writing the inputs to ${TMP}`);
const genStart = performance.now();
const inputs = {
  images: await makeImages(),
  large: makeLargeFile(join(FILES, 'large.bin'), LARGE_BYTES),
  small: (() => {
    const path = join(FILES, 'note.txt');
    writeFileSync(path, 'A small attachment for the send path.\n'.repeat(50));
    return { path, size: statSync(path).size };
  })(),
};
const genS = (performance.now() - genStart) / 1000;
const imageSizes = inputs.images.map((f) => f.size);
log(
  `media: ${IMAGES} JPEGs ${IMAGE_W}×${IMAGE_H}, ${mb(Math.min(...imageSizes))}–${mb(Math.max(...imageSizes))} MB, and ${mb(LARGE_BYTES)} MB of random bytes in ${fmt(genS, 1)} s`,
);

const results = [];
for (const store of stores) {
  const r = await run(store, inputs);
  if (r.error) log(`  media on ${store.label} failed: ${r.error}`);
  results.push(r);
}
rmSync(TMP, { recursive: true, force: true });

// ---------------------------------------------------------------- report

const median = (values) => summarize(values.filter(Number.isFinite)).p50;
const pct = (v) => (Number.isFinite(v) ? `${fmt(v * 100)}%` : '–');
const sec = (ms) => fmt(ms / 1000, 2);
const MB = (bytes) => `${mb(bytes)} MB`;
const largeLabel = `${fmt(LARGE_BYTES / MIB)} MiB`;
const partsLabel = `${PARTS_IN_FLIGHT} parts in flight`;

/** Per store and kind of large upload: the median round's MB/s, the worst RSS growth. */
function largeFigures(r) {
  const of = (kind) => {
    const rounds = r.rounds.filter((x) => x.kind === kind);
    if (!rounds.length) return null;
    return {
      rounds,
      mbps: median(rounds.map((x) => x.mbps)),
      wallMs: median(rounds.map((x) => x.wallMs)),
      rssBefore: Math.max(...rounds.map((x) => x.rssBefore)),
      rssPeak: Math.max(...rounds.map((x) => x.rssPeak)),
      rssGrowth: Math.max(...rounds.map((x) => x.rssGrowth)),
      cpuMs: median(rounds.map((x) => x.cpuMs)),
      hostBusy: median(rounds.map((x) => x.hostBusy)),
      completeMs: median(rounds.map((x) => (x.done && x.stored ? x.done - x.stored : Number.NaN))),
      /** MB/s of the bytes alone: from the slot to the last byte (and part record) stored. */
      bytesMbps: median(
        rounds.map((x) => (x.stored ? LARGE_BYTES / MIB / ((x.stored - x.t0) / 1000) : Number.NaN)),
      ),
      partCount: rounds[0].partCount,
    };
  };
  return { bare: of('bare'), single: of('single'), resumable: of('resumable') };
}

const uploadRows = [];
const roundRows = [];
const imageRows = [];
const sendRows = [];
const summary = [];
const short = (kind) => kind.replace('QueryNode', '').toUpperCase();
const kindsText = (k) =>
  k
    ? Object.entries(k)
        .map(([kind, count]) => `${short(kind)} ${count}`)
        .join(', ')
    : '–';
/** Statements of `v`'s fewest send beyond `base`'s, by kind: `{ SELECT: 2, … }`. */
const extraByKind = (v, base) => {
  const out = {};
  for (const kind of new Set([...Object.keys(v.stmtKinds ?? {}), ...Object.keys(base.stmtKinds ?? {})])) {
    const d = (v.stmtKinds?.[kind] ?? 0) - (base.stmtKinds?.[kind] ?? 0);
    if (d) out[short(kind)] = d;
  }
  return out;
};
const extraText = (extra) =>
  Object.entries(extra)
    .map(([kind, d]) => `${d > 0 ? '+' : ''}${d} ${kind}`)
    .join(', ') || 'none';
const failedCell = (message) => `failed: ${message.split('\n')[0].slice(0, 160)}`;

for (const r of results) {
  const label = r.store.label;
  if (r.error) {
    uploadRows.push([label, failedCell(r.error), ...Array(10).fill('–')]);
    continue;
  }
  for (const [name, message] of Object.entries(r.failed))
    uploadRows.push([label, `${name}: ${failedCell(message)}`, ...Array(10).fill('–')]);

  // Large files.
  const L = largeFigures(r);
  const bareMbps = L.bare?.mbps;
  const row = (what, f, extra = '') => [
    label,
    what,
    largeLabel,
    sec(f.wallMs),
    fmt(f.mbps),
    f === L.bare ? '1×' : ratio(f.mbps, bareMbps),
    mb(f.rssBefore),
    mb(f.rssPeak),
    mb(f.rssGrowth),
    fmt(f.cpuMs / 1000, 2),
    pct(f.hostBusy),
    extra,
  ];
  if (L.bare) uploadRows.push(row('bare Node http PUT → file (peer)', L.bare, 'PUT only'));
  if (L.single)
    uploadRows.push(
      row(
        'one request',
        L.single,
        `slot + PUT (${fmt(L.single.bytesMbps)} MB/s) + complete (${fmt(L.single.completeMs)} ms)`,
      ),
    );
  if (L.resumable)
    uploadRows.push(
      row(
        `resumable, ${L.resumable.partCount} parts, ${partsLabel}`,
        L.resumable,
        `slot + part URLs + PUT and record each (${fmt(L.resumable.bytesMbps)} MB/s) + complete (assembles the parts: ${fmt(L.resumable.completeMs)} ms)`,
      ),
    );
  for (const x of r.rounds)
    roundRows.push([
      label,
      x.kind,
      x.round + 1,
      sec(x.wallMs),
      fmt(x.mbps),
      mb(x.rssBefore),
      mb(x.rssPeak),
      mb(x.rssGrowth),
      fmt(x.cpuMs / 1000, 2),
      pct(x.hostBusy),
    ]);
  const bareRow = (f) => (L.bare ? { peer: 'bare Node http PUT → file', peerValue: f(L.bare) } : {});
  for (const [f, what] of [
    [L.single, 'upload in one request'],
    [L.resumable, `resumable upload (8 MiB parts, ${PARTS_IN_FLIGHT} in flight)`],
  ]) {
    if (!f) continue;
    const q = f.mbps / bareMbps;
    summary.push(
      {
        figure: `${largeLabel} ${what}: MB/s (${label})`,
        ours: fmt(f.mbps),
        ...bareRow((b) => fmt(b.mbps)),
        ratio: ratio(f.mbps, bareMbps),
        target: `≥ ${GOAL_THROUGHPUT}×`,
        met: Number.isFinite(q) ? q >= GOAL_THROUGHPUT : undefined,
      },
      {
        figure: `${largeLabel} ${what}: server RSS growth (${label})`,
        ours: MB(f.rssGrowth),
        ...bareRow((b) => MB(b.rssGrowth)),
        target: '< 100 MB',
        met: f.rssGrowth < GOAL_RSS_GROWTH,
      },
    );
  }

  // Images.
  const im = r.images;
  if (im) {
    uploadRows.push([
      label,
      `${IMAGES} × JPEG ${im.size} in parallel (bytes stored)`,
      MB(im.bytes),
      sec(im.storedMs),
      fmt(im.bytes / MIB / (im.storedMs / 1000)),
      '–',
      mb(im.rssBefore),
      mb(im.rssPeak),
      mb(im.rssGrowth),
      fmt(im.cpuMs / 1000, 2),
      pct(im.hostBusy),
      `peak and CPU until all ${IMAGES} ready (${sec(im.readyAllMs)} s), thumbnail jobs included`,
    ]);
    imageRows.push([
      label,
      `${IMAGES} in parallel`,
      sec(im.readyAllMs),
      fmt(im.ready.p50),
      fmt(im.ready.p95),
      fmt(im.ready.max),
      fmt(im.cpuMs / IMAGES),
      mb(im.rssGrowth),
      im.thumbnails,
    ]);
    summary.push(
      {
        figure: `${IMAGES} × ${mb(im.bytes / IMAGES)} MB JPEGs in parallel: MB/s stored; all ready after (${label})`,
        ours: `${fmt(im.bytes / MIB / (im.storedMs / 1000))} MB/s; ${sec(im.readyAllMs)} s`,
      },
      {
        figure: `${IMAGES} images in parallel: server peak RSS (growth) (${label})`,
        ours: `${MB(im.rssPeak)} (+${mb(im.rssGrowth)})`,
      },
    );
  }
  const sq = r.sequential;
  if (sq) {
    imageRows.push([
      label,
      `${SEQ_IMAGES} one at a time`,
      sec(sq.wallMs),
      fmt(sq.ready.p50),
      fmt(sq.ready.p95),
      fmt(sq.ready.max),
      fmt(sq.cpuMs / SEQ_IMAGES),
      mb(sq.rssGrowth),
      im?.thumbnails ?? '–',
    ]);
    summary.push({
      figure: `Thumbnail job per ${IMAGE_W}×${IMAGE_H} JPEG, complete → ready, one at a time: p50 / p95 (${label})`,
      ours: `${fmt(sq.ready.p50)} / ${fmt(sq.ready.p95)} ms`,
    });
  }

  // The send path.
  if (r.sends) {
    const { plain, linked, attached } = r.sends;
    for (const [name, v] of [
      ['no attachment', plain],
      ['1 linked attachment (url)', linked],
      ['1 uploaded attachment (upload_id)', attached],
    ])
      sendRows.push([
        label,
        name,
        fmt(v.sends),
        fmt(v.p50, 2),
        fmt(v.p95, 2),
        fmt(v.cpuPerSendMs, 2),
        ratio(v.cpuPerSendMs, plain.cpuPerSendMs),
        `${fmt(v.stmtsMin)} / ${fmt(v.stmtsMedian)}`,
        v === plain
          ? kindsText(v.stmtKinds)
          : `${kindsText(v.stmtKinds)} (${extraText(extraByKind(v, plain))})`,
        pct(r.sendHostBusy),
      ]);
    const extra = extraByKind(attached, plain);
    summary.push(
      {
        figure: `Send with 1 uploaded attachment ÷ without: server CPU per send (${label})`,
        ours: `${fmt(attached.cpuPerSendMs, 2)} ms`,
        peer: 'without attachment',
        peerValue: `${fmt(plain.cpuPerSendMs, 2)} ms`,
        ratio: ratio(attached.cpuPerSendMs, plain.cpuPerSendMs),
        target: `≤ ${GOAL_SEND_CPU_RATIO}×`,
        met: attached.cpuPerSendMs / plain.cpuPerSendMs <= GOAL_SEND_CPU_RATIO,
      },
      {
        figure: `SQL statements per send with 1 uploaded attachment (${label}; beyond a linked one: ${extraText(extraByKind(attached, linked))})`,
        ours: `${fmt(attached.stmtsMin)} (${extraText(extra)})`,
        peer: 'without attachment',
        peerValue: fmt(plain.stmtsMin),
        ratio: `+${fmt(attached.stmtsMin - plain.stmtsMin)}`,
        target: `≤ +${GOAL_EXTRA_LOOKUPS} SELECT`,
        met: (extra.SELECT ?? 0) <= GOAL_EXTRA_LOOKUPS,
      },
    );
  }
}

writeReport({
  scenario: 'media',
  title: 'Media: uploads, thumbnails and the send path with attachments',
  notes: [
    `Disk storage in a temporary data directory (the same disk as the bare server's files); the server is the built \`@chat/server\` as the CLI runs it, on a store it opens with a statement counter (\`lib/media-server.mjs\`). The app's upload policy was raised over \`PUT /v1/upload-policy\` (max_bytes 1 GiB, 1,000 uploads per minute; \`CHAT_UPLOAD_MAX_BYTES\` 2 GiB), and the bench user's write budget too (\`CHAT_WS_WRITES_PER_WINDOW\`: one user makes every upload and send here).`,
    `Inputs, written once (${fmt(genS, 1)} s): ${IMAGES} photo-like JPEGs (${IMAGE_W}×${IMAGE_H}, quality 95, a gradient with fine grain, made with sharp; ${mb(Math.min(...imageSizes))}–${mb(Math.max(...imageSizes))} MB), ${largeLabel} of random bytes (kind \`file\`), and a 2 KB text file for the attachments. Every byte is streamed from the file (node:http, 1 MiB reads); the bench never holds a file in memory.`,
    `RSS: VmRSS of the server process sampled every ${RSS_EVERY_MS} ms, and its VmHWM after a reset (\`/proc/<pid>/clear_refs\`), from a full GC before each measurement; growth = peak − before. Large files: ${ROUNDS} round${ROUNDS === 1 ? '' : 's'} of bare, one request, resumable (alternating order), the median MB/s and the largest growth. MB/s for this server is the whole flow (slot, bytes, complete: for the resumable upload also the part URLs, each part's record and the assembly of the parts into one file at complete); for the bare server one PUT. Both write into the page cache (the machine has far more memory than the files), so the limit measured is the loopback and the kernel's copy, not the disk's platters.`,
    `Images: the thumbnail job (re-encode upright without metadata, WebP thumbnails, a ThumbHash) runs one image at a time on the server's worker, so in the parallel batch "complete → ready" includes the wait behind the other images; the one-at-a-time rows are the job's own time (plus picking it up). Clients do as the README says: "complete" waits up to 20 s, then GET every 100 ms while \`processing\`.`,
    `Send path: REST \`POST /v1/channels/messaging/{id}/messages\` by one user into a two-member channel, one at a time, ${SENDS} with one uploaded attachment (\`attachments: [{ upload_id }]\`, a ready 2 KB text file of its own, uploaded beforehand), ${SENDS} with one linked file (\`{ type, url, … }\`: what storing any attachment costs) and ${SENDS} without, in ${SEND_BLOCKS * 3} blocks taking turns after ${WARM_SENDS} warm-up sends of each; the CPU ratio's target (≤ ${GOAL_SEND_CPU_RATIO}×) is this bench's reading of "one extra lookup". Statements: the SQL statements the server ran between a send's request and its answer (a Kysely plugin), the fewest / the median of ${STMT_SENDS} sends each (the server's background work shares the counter, so the fewest is the send's own).`,
    ...skipped,
  ],
  tables: [
    {
      title: 'Uploads',
      columns: [
        'Store',
        'Upload',
        'Bytes',
        'Wall s',
        'MB/s',
        '× bare',
        'Server RSS before MB',
        'Peak MB',
        'Growth MB',
        'Server CPU s',
        'Host busy',
        'Notes',
      ],
      rows: uploadRows,
    },
    {
      title: `Image processing (complete → ready, ms; ${IMAGE_W}×${IMAGE_H} JPEGs)`,
      columns: [
        'Store',
        'Images',
        'Wall s',
        'p50 ms',
        'p95 ms',
        'max ms',
        'Server CPU ms/image',
        'RSS growth MB',
        'Thumbnail widths',
      ],
      rows: imageRows,
    },
    {
      title: `Send path with attachments (${SENDS} sends each)`,
      columns: [
        'Store',
        'Messages',
        'Sends',
        'p50 ms',
        'p95 ms',
        'Server CPU ms/send',
        '× none',
        'SQL statements (fewest / median)',
        'Statements of the fewest (beyond none)',
        'Host busy',
      ],
      rows: sendRows,
    },
    {
      title: `Large-file rounds (${largeLabel})`,
      columns: [
        'Store',
        'Kind',
        'Round',
        'Wall s',
        'MB/s',
        'RSS before MB',
        'Peak MB',
        'Growth MB',
        'Server CPU s',
        'Host busy',
      ],
      rows: roundRows,
    },
  ],
  summary,
});
// A store or a part that failed fails the scenario (its figures are still written).
if (results.some((r) => r.error || Object.keys(r.failed).length)) process.exit(1);

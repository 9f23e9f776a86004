// A load generator process: holds a share of the benchmark's client sockets and answers the
// coordinator's commands over IPC (see loadgen.mjs). Per received frame it does a byte search
// and a counter increment; it parses the send timestamp of one frame in `sampleEvery`.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { backoffDelay } from '@chat/core';
import { BenchClient, benchText, MARK, nowMs, readMark } from './clients.mjs';

let clients = [];
let config = {};
let samples = [];
let counters;
/** Close codes since the clients connected (counters.closes restarts with every window). */
const allCloses = {};
let cpuStart = process.cpuUsage();
let wallStart = nowMs();
const eld = monitorEventLoopDelay({ resolution: 10 });
eld.enable();
let reconnecting = false;
/** Per client, a bitmap of the bench message numbers it has seen (when `track` is on). */
let seen = [];

function resetCounters() {
  counters = { sent: 0, acked: 0, errors: 0, errorCodes: {}, closes: {}, replayed: 0, firstReadyAt: 0 };
}
resetCounters();

const events = {
  delivery(client, buf, at) {
    if (config.track) {
      const [n, ms] = readMark(buf, at);
      mark(client, n);
      if ((client.recv + client.index) % config.sampleEvery === 0) samples.push(nowMs() - ms);
      return;
    }
    if ((client.recv + client.index) % config.sampleEvery === 0) samples.push(nowMs() - readMark(buf, at)[1]);
  },
  replayed(client, event) {
    const text = event?.message?.text;
    if (event?.type !== 'message.new' || typeof text !== 'string' || !text.startsWith('BMSG ')) return;
    counters.replayed++;
    const n = Number(text.slice(5, text.indexOf(' ', 5)));
    if (config.track) mark(client, n);
  },
  ack() {
    counters.acked++;
  },
  error(_client, buf) {
    counters.errors++;
    try {
      const code = JSON.parse(buf.toString()).error?.code ?? 'unknown';
      counters.errorCodes[code] = (counters.errorCodes[code] ?? 0) + 1;
    } catch {}
  },
  ready(client) {
    client.attempt = 0;
  },
  failed(client, error) {
    client.lastError = error.message;
  },
  closed(client, code) {
    counters.closes[code] = (counters.closes[code] ?? 0) + 1;
    allCloses[code] = (allCloses[code] ?? 0) + 1;
    if (!reconnecting || client.stopped) return;
    client.attempt = (client.attempt ?? 0) + 1;
    const delay = backoffDelay(client.attempt, config.backoff ?? { baseMs: 500, maxMs: 30_000 }, Math.random);
    setTimeout(() => {
      if (!client.stopped) client.connect();
    }, delay);
  },
};

function mark(client, n) {
  const bits = seen[client.index];
  if (bits && n >= 0 && n < bits.length * 8) bits[n >> 3] |= 1 << (n & 7);
}

/** Messages below `upTo` the client has not seen: message n goes to channel n % channels. */
function missing(client, upTo, channels = 1) {
  const bits = seen[client.index];
  let count = 0;
  for (let n = client.spec.channelIndex ?? 0; n < upTo; n += channels)
    if (!(bits[n >> 3] & (1 << (n & 7)))) count++;
  return count;
}

/** Runs `start` on every client, `concurrency` at a time, until each is ready or has failed. */
function runAll(clients, start, { concurrency = 200, timeoutMs = 120_000 } = {}) {
  const started = nowMs();
  return new Promise((resolve) => {
    let next = 0;
    let done = 0;
    let ready = 0;
    let failed = 0;
    const errors = [];
    const finish = () => {
      clearTimeout(timer);
      for (const c of clients) c.events = events;
      const authMs = clients.filter((c) => c.authedAt).map((c) => c.authedAt - c.startedAt);
      const readyMs = clients.filter((c) => c.readyAt).map((c) => c.readyAt - c.startedAt);
      resolve({
        ready,
        failed,
        pending: clients.length - done,
        errors,
        authMs,
        readyMs,
        wallMs: nowMs() - started,
      });
    };
    const timer = setTimeout(finish, timeoutMs);
    const settle = (client, ok, error) => {
      if (client.settled) return;
      client.settled = true;
      done++;
      if (ok) ready++;
      else {
        failed++;
        if (errors.length < 5) errors.push(error);
      }
      if (done === clients.length) finish();
      else launch();
    };
    const launch = () => {
      while (next < clients.length && next - done < concurrency) {
        const client = clients[next++];
        client.settled = false;
        const { ready: onReady, failed: onFailed } = events;
        client.events = {
          ...events,
          ready: (c) => {
            onReady(c);
            settle(c, true);
          },
          failed: (c, error) => {
            onFailed(c, error);
            settle(c, false, error.message);
          },
          closed: (c, code, was) => {
            events.closed(c, code, was);
            if (was !== 'ready') settle(c, false, `closed ${code}`);
          },
        };
        start(client);
      }
    };
    if (clients.length === 0) return finish();
    launch();
  });
}

const commands = {
  init(payload) {
    config = { sampleEvery: 1, ...payload };
    clients = payload.specs.map(
      (spec, i) =>
        new BenchClient(payload.target, spec, i, events, {
          trackSeq: payload.trackSeq,
          resume: payload.resume,
          watchOnConnect: payload.watchOnConnect,
        }),
    );
    seen = payload.track
      ? clients.map(() => new Uint8Array(Math.ceil((payload.maxMessages ?? 8192) / 8)))
      : [];
    return { clients: clients.length };
  },

  /** Opens every client, at most `concurrency` handshakes at a time. */
  connect(options) {
    return runAll(clients, (client) => client.connect(), options);
  },

  /** Ready clients watch their channels (after `connect` with `watchOnConnect: false`). */
  watch(options) {
    const ready = clients.filter((c) => c.state === 'ready');
    return runAll(ready, (client) => client.watch(), options);
  },

  /** Starts a measurement window: counters, latency samples, CPU and event loop delay. */
  reset() {
    for (const c of clients) c.recv = 0;
    samples = [];
    resetCounters();
    cpuStart = process.cpuUsage();
    wallStart = nowMs();
    eld.reset();
    return {};
  },

  stats() {
    let recv = 0;
    let ready = 0;
    for (const c of clients) {
      recv += c.recv;
      if (c.state === 'ready') ready++;
    }
    return { recv, ready, sent: counters.sent, acked: counters.acked, errors: counters.errors, allCloses };
  },

  /** The window's figures; `expected` is how many bench messages each client should have got. */
  collect({ expected = 0, maxSamples = 200_000 } = {}) {
    const cpu = process.cpuUsage(cpuStart);
    let recv = 0;
    let short = 0;
    let extra = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const c of clients) {
      recv += c.recv;
      if (c.recv < expected) short++;
      if (c.recv > expected) extra++;
      if (c.recv < min) min = c.recv;
      if (c.recv > max) max = c.recv;
    }
    let kept = samples;
    if (kept.length > maxSamples) {
      const step = kept.length / maxSamples;
      kept = Array.from({ length: maxSamples }, (_, i) => samples[Math.floor(i * step)]);
    }
    return {
      clients: clients.length,
      recv,
      short,
      extra,
      min: clients.length ? min : 0,
      max,
      samples: kept,
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: nowMs() - wallStart,
      eldP99Ms: eld.percentile(99) / 1e6,
      eldMaxMs: eld.max / 1e6,
      ...counters,
    };
  },

  /** Each ready client sends to its first channel, round robin, `rate` messages/s in all. */
  send({ rate, durationMs, size = 0, firstN = 0 }) {
    const start = nowMs();
    let sent = 0;
    let cursor = 0;
    const ready = clients.filter((c) => c.state === 'ready');
    return new Promise((resolve) => {
      const tick = () => {
        const elapsed = nowMs() - start;
        const due = Math.min(Math.floor((elapsed * rate) / 1000), Math.floor((durationMs * rate) / 1000));
        while (sent < due && ready.length > 0) {
          const client = ready[cursor++ % ready.length];
          const n = firstN + sent;
          if (client.sendBench(benchText(n, size), n, client.spec.cids?.[0])) counters.sent++;
          sent++;
        }
        if (elapsed >= durationMs) {
          clearInterval(interval);
          resolve({ sent });
        }
      };
      const interval = setInterval(tick, 5);
    });
  },

  /** From now on, a client whose socket closes reconnects with @chat/core's backoff. */
  reconnect({ on = true, backoff }) {
    reconnecting = on;
    if (backoff) config.backoff = backoff;
    return {};
  },

  /** Reconnect storm progress: clients that are ready on a connection newer than `generation`. */
  storm({ generation }) {
    let back = 0;
    let lastReadyAt = 0;
    let recovered = 0;
    let unrecovered = 0;
    let attempts = 0;
    const states = {};
    for (const c of clients) {
      states[c.state] = (states[c.state] ?? 0) + 1;
      if (c.state === 'ready' && c.generation > generation) {
        back++;
        if (c.readyAt > lastReadyAt) lastReadyAt = c.readyAt;
      }
      recovered += c.recovered;
      unrecovered += c.unrecovered;
      attempts += c.generation - generation;
    }
    const failures = {};
    for (const c of clients) if (c.lastError) failures[c.lastError] = (failures[c.lastError] ?? 0) + 1;
    return {
      clients: clients.length,
      back,
      lastReadyAt,
      recovered,
      unrecovered,
      attempts,
      replayed: counters.replayed,
      closes: counters.closes,
      failures,
      states,
    };
  },

  /** Clients missing any of the bench messages 0..upTo-1 (with `track` on). */
  verify({ upTo, channels = 1 }) {
    let lossy = 0;
    let lost = 0;
    let example = null;
    for (const c of clients) {
      const m = missing(c, upTo, channels);
      if (m > 0) {
        lossy++;
        lost += m;
        if (!example) {
          const bits = seen[c.index];
          example = { user: c.spec.userId, missing: [] };
          for (let n = c.spec.channelIndex ?? 0; n < upTo && example.missing.length < 20; n += channels)
            if (!(bits[n >> 3] & (1 << (n & 7)))) example.missing.push(n);
        }
      }
    }
    return { lossy, lost, example };
  },

  close() {
    reconnecting = false;
    for (const c of clients) {
      c.stopped = true;
      c.destroy();
    }
    return {};
  },
};

process.on('message', async (message) => {
  const { id, cmd, payload } = message;
  try {
    const result = await commands[cmd](payload ?? {});
    process.send({ id, result });
  } catch (error) {
    process.send({ id, error: error?.stack ?? String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true, mark: MARK.toString() });

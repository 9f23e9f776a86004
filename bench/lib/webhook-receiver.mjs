// A webhook receiver on 127.0.0.1 for the webhooks scenario: answers 204 at once, verifies each
// request's Standard Webhooks signature (HMAC-SHA256 of `id.timestamp.body` with the endpoint's
// secret), and records per delivery its arrival time, its webhook-id (a repeat is a duplicate),
// the bench message's number and its lag from the send time in the text (`BMSG <n> <ms> …`) and
// from the message's `created_at`. Its own CPU use and event-loop delay are measured, to show it
// is not what limits the figures.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { nowMs } from './clients.mjs';

export async function startWebhookReceiver() {
  let key = null;
  let state;
  let cpuStart;
  let wallStart;
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  const reset = () => {
    state = {
      requests: 0,
      duplicates: 0,
      badSignatures: 0,
      unexpected: 0,
      ids: new Set(),
      numbers: new Set(),
      arrivals: [],
      lagMs: [],
      commitLagMs: [],
    };
    cpuStart = process.cpuUsage();
    wallStart = nowMs();
    eld.reset();
  };
  reset();

  const verify = (id, timestamp, signatures, body) => {
    if (!key || !id || !timestamp || !signatures) return false;
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
    return signatures.split(' ').some((entry) => {
      const [version, value] = entry.split(',');
      if (version !== 'v1' || !value) return false;
      const got = Buffer.from(value, 'base64');
      return got.length === expected.length && timingSafeEqual(got, expected);
    });
  };

  const onDelivery = (headers, body, at) => {
    state.requests++;
    const id = headers['webhook-id'];
    if (!verify(id, headers['webhook-timestamp'], headers['webhook-signature'], body)) state.badSignatures++;
    if (state.ids.has(id)) {
      state.duplicates++;
      return;
    }
    state.ids.add(id);
    let event;
    try {
      event = JSON.parse(body);
    } catch {
      state.unexpected++;
      return;
    }
    const message = event?.data?.message;
    const text = message?.text;
    if (event?.type !== 'message.new' || typeof text !== 'string' || !text.startsWith('BMSG ')) {
      state.unexpected++;
      return;
    }
    const [, n, sentAt] = text.split(' ', 3);
    state.numbers.add(Number(n));
    state.arrivals.push(at);
    state.lagMs.push(at - Number(sentAt));
    const createdAt = Date.parse(message.created_at ?? event.data.created_at);
    if (Number.isFinite(createdAt)) state.commitLagMs.push(at - createdAt);
  };

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const at = nowMs();
      res.writeHead(204);
      res.end();
      onDelivery(req.headers, Buffer.concat(chunks), at);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    /** The endpoint's signing secret (`whsec_…`), as the server answered when it was created. */
    setSecret(secret) {
      key = Buffer.from(String(secret).replace(/^whsec_/, ''), 'base64');
    },
    /** Starts a measurement: forgets what arrived so far. */
    reset,
    /** What arrived since the reset: `unique` counts distinct bench messages. */
    stats() {
      return {
        requests: state.requests,
        duplicates: state.duplicates,
        badSignatures: state.badSignatures,
        unexpected: state.unexpected,
        unique: state.numbers.size,
        arrivals: state.arrivals,
        lagMs: state.lagMs,
        commitLagMs: state.commitLagMs,
      };
    },
    /** The receiver's (this process's) CPU use and event-loop delay since the reset. */
    load() {
      const cpu = process.cpuUsage(cpuStart);
      return {
        cpuUtil: (cpu.user + cpu.system) / 1000 / (nowMs() - wallStart),
        eldP99Ms: eld.percentile(99) / 1e6,
        eldMaxMs: eld.max / 1e6,
      };
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

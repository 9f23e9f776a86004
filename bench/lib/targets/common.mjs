// What every target server process does the same way: announce where it listens on stdout (the
// bench reads `BENCH_READY {json}`), answer `gc` requests over IPC (so idle memory is measured
// after a collection), and stop on SIGTERM.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { memoryUsage } from 'node:process';

let session = null;

export function announce(info) {
  process.stdout.write(`BENCH_READY ${JSON.stringify(info)}\n`);
}

export function serveControl(stop) {
  process.on('message', (message) => {
    if (message?.type === 'gc') {
      globalThis.gc?.();
      const { rss, heapUsed, external, arrayBuffers } = memoryUsage();
      process.send?.({ type: 'gc', id: message.id, rss, heapUsed, external, arrayBuffers });
    }
    // A CPU profile of a measurement window only (not of startup and setup).
    if (message?.type === 'profile') void profile(message);
  });
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    Promise.resolve(stop())
      .catch((error) => process.stderr.write(`stop failed: ${error?.stack ?? error}\n`))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // The parent went away (the bench crashed or was interrupted): do not linger.
  process.on('disconnect', onSignal);
}

async function profile({ id, action, file }) {
  try {
    if (action === 'start') {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 500 });
      await session.post('Profiler.start');
    } else if (session) {
      const { profile: data } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(data));
      session.disconnect();
      session = null;
    }
    process.send?.({ type: 'profile', id, ok: true });
  } catch (error) {
    process.send?.({ type: 'profile', id, ok: false, error: String(error) });
  }
}

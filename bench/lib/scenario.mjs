// Small pieces every scenario script uses: sizes from the environment, logging, a hard time
// limit, and the tables of fan-out style runs.
import { QUICK } from './report.mjs';
import { fmt, mb, ratio } from './stats.mjs';

export { QUICK };

export const log = (line) => process.stderr.write(`${line}\n`);

/**
 * Stops the scenario (with a message) if it runs past `seconds`: every scenario ends by itself
 * even when a server under test hangs.
 */
export function deadline(name, seconds) {
  const timer = setTimeout(() => {
    log(`${name}: over its time limit of ${seconds} s, stopping`);
    process.exit(3);
  }, seconds * 1000);
  timer.unref();
}

/**
 * `"1000x20,10000x5:bare+sio"` → `[{ members: 1000, rate: 20 }, { members: 10000, rate: 5,
 * only: ['bare', 'sio'] }]` (`:targets` limits a size to those targets).
 */
export function parseSizes(value) {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [size, only] = s.split(':');
      const [members, rate] = size.split('x').map(Number);
      return { members, rate, ...(only && { only: only.split('+') }) };
    });
}

export function envNumber(name, fallback) {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : Number(raw);
}

const us = (v) => fmt(v, 1);
const ms = (v) => fmt(v, 1);
const pct = (v) => (Number.isFinite(v) ? `${fmt(v * 100, v < 0.01 && v > 0 ? 2 : 0)}%` : '–');

/** Flags that say a figure is not the server's own limit. */
export function flags(r) {
  const out = [];
  if (r.generatorSaturated) out.push('generator saturated');
  if (r.serverSaturated) out.push('server saturated');
  if (r.hostBusy > 0.95) out.push('host CPU full');
  if (r.drainMs > 2_000) out.push(`backlog ${fmt(r.drainMs / 1000, 1)} s`);
  if (r.unanswered > 0) out.push(`${fmt(r.unanswered)} sends unanswered after the drain`);
  const connected = Math.min(r.ready ?? Number.POSITIVE_INFINITY, r.readyAtStart ?? Number.POSITIVE_INFINITY);
  if (connected < r.members - 1)
    out.push(`${fmt(r.members - 1 - connected)} clients not connected at the start`);
  return out.join(', ') || 'ok';
}

export const FANOUT_COLUMNS = [
  'Target',
  'Delivered msgs/s',
  'Loss',
  'p50 ms',
  'p99 ms',
  'Server CPU µs/delivery',
  '× bare ws',
  '× socket.io',
  'Server CPU (core)',
  'Server RSS MB',
  'DB CPU µs/delivery',
  'Generator CPU (max worker)',
  'Host busy',
  'Setup / connect / watch s',
  'Flags',
];

/** One table row per fan-out result, with ratios against the bare ws and socket.io rows. */
export function fanoutRows(results, { bareId = 'bare', sioId = 'sio' } = {}) {
  const bare = results.find((r) => r.id === bareId && !r.error);
  const sio = results.find((r) => r.id === sioId && !r.error);
  return results.map((r) => {
    if (r.error) return [r.label, `failed: ${r.error.split('\n')[0].slice(0, 160)}`, ...Array(13).fill('–')];
    return [
      r.label,
      fmt(r.deliveredPerS),
      pct(r.loss),
      ms(r.latency.p50),
      ms(r.latency.p99),
      us(r.cpuPerDeliveryUs),
      bare ? ratio(r.cpuPerDeliveryUs, bare.cpuPerDeliveryUs) : '–',
      sio ? ratio(r.cpuPerDeliveryUs, sio.cpuPerDeliveryUs) : '–',
      pct(r.serverUtil),
      mb(r.rss),
      r.pgCpuPerDeliveryUs === null || r.pgCpuPerDeliveryUs === undefined ? '–' : us(r.pgCpuPerDeliveryUs),
      pct(r.genUtil),
      pct(r.hostBusy),
      `${fmt(r.setupS ?? 0, 1)} / ${fmt(r.connectS, 1)}${r.watchS !== undefined ? ` / ${fmt(r.watchS, 1)}` : ''}`,
      flags(r),
    ];
  });
}

/** The profile of a run as a short table: where the server's CPU went. */
export function profileTable(r) {
  if (!r.profile) return null;
  return {
    title: `Where ${r.label}'s CPU went (N=${r.members}, ${r.rate} msgs/s; CPU profile of the window, self time)`,
    columns: ['Function', 'Where', 'Share'],
    rows: r.profile.functions.slice(0, 12).map((f) => [`\`${f.name}\``, f.where, pct(f.share)]),
    note: `By origin: ${r.profile.origins
      .slice(0, 8)
      .map((o) => `${o.origin} ${pct(o.share)}`)
      .join(', ')}.`,
  };
}

// Small numeric helpers shared by the scenarios.

/** The p-th percentile (0..100) of numbers (sorted in place). */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  values.sort((a, b) => a - b);
  const index = Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1));
  return values[index];
}

export function summarize(values) {
  if (values.length === 0)
    return { count: 0, p50: Number.NaN, p90: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN };
  values.sort((a, b) => a - b);
  const at = (p) =>
    values[Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1))];
  return {
    count: values.length,
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    max: values[values.length - 1],
  };
}

/** Formats a number for a table: `digits` decimals, thousands separated, `–` when unknown. */
export function fmt(value, digits = 0) {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return '∞';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const mb = (bytes) => fmt(bytes / 1024 / 1024, 1);
export const kb = (bytes) => fmt(bytes / 1024, 1);

/** `ours / theirs` as `1.23×`. */
export function ratio(ours, theirs, digits = 2) {
  if (!Number.isFinite(ours) || !Number.isFinite(theirs) || theirs === 0) return '–';
  return `${fmt(ours / theirs, digits)}×`;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `task(item)` over `items`, at most `limit` at a time. */
export async function mapLimit(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return results;
}

// Reads a V8 CPU profile (.cpuprofile) and tells where the time went: self time by function and
// by origin (a package under node_modules, the server's own bundle, Node internals, GC).
import { readFileSync } from 'node:fs';

function origin(url) {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/(mock-server|packages\/[^/]+)\//.exec(url);
  if (own) return own[1] === 'mock-server' ? '@chat/server' : own[1];
  return url.split('/').slice(-2).join('/');
}

/** `{ totalMs, functions: [{ name, where, ms, share }], origins: [{ origin, ms, share }] }` */
export function summarizeProfile(file, top = 15) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas ?? [];
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0));
  });
  const functions = new Map();
  const origins = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    total += us;
    const name = functionName || '(anonymous)';
    const where = url ? `${origin(url)}:${lineNumber + 1}` : '';
    const key = `${name} ${where}`;
    const entry = functions.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    functions.set(key, entry);
    const o = functionName === '(garbage collector)' ? 'garbage collector' : origin(url);
    origins.set(o, (origins.get(o) ?? 0) + us);
  }
  const share = (us) => (total ? us / total : 0);
  return {
    totalMs: total / 1000,
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: f.us / 1000, share: share(f.us) })),
    origins: [...origins.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([o, us]) => ({ origin: o, ms: us / 1000, share: share(us) })),
  };
}

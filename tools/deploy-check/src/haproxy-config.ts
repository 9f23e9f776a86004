/** What the checks need to know of an HAProxy configuration, read from its text. */
export interface HaproxyServer {
  backend: string;
  name: string;
  host: string;
  port: number;
}

export interface HaproxyFacts {
  servers: HaproxyServer[];
  /** `timeout <name>` values of the `defaults` section, in milliseconds. */
  defaultTimeouts: Record<string, number>;
}

export function readHaproxyConfig(text: string): HaproxyFacts {
  const servers: HaproxyServer[] = [];
  const defaultTimeouts: Record<string, number> = {};
  let section = '';
  let sectionName = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const words = line.split(/\s+/);
    if (!/^\s/.test(raw)) {
      section = words[0]!;
      sectionName = words[1] ?? '';
      continue;
    }
    if (section === 'backend' && words[0] === 'server') {
      const match = /^(.+):(\d+)$/.exec(words[2] ?? '');
      if (match)
        servers.push({ backend: sectionName, name: words[1]!, host: match[1]!, port: Number(match[2]) });
    }
    if (section === 'defaults' && words[0] === 'timeout' && words[1] && words[2])
      defaultTimeouts[words[1]] = durationMs(words[2]);
  }
  return { servers, defaultTimeouts };
}

/** HAProxy's time format: a number with an optional unit (us, ms, s, m, h, d; default ms). */
export function durationMs(value: string): number {
  const match = /^(\d+)(us|ms|s|m|h|d)?$/.exec(value);
  if (!match) throw new Error(`not an HAProxy duration: ${value}`);
  const unit = { us: 0.001, ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms']!;
  return Number(match[1]) * unit;
}

/**
 * `haproxy -c` warns that it cannot resolve the compose service names here (they exist only on
 * compose's network; the config starts anyway: `init-addr last,libc,none`). Any other warning
 * is a problem.
 */
export function unexpectedWarnings(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => /\[(WARNING|ALERT)\]/.test(line))
    .filter((line) => !/could not resolve address '[^']+', disabling server/.test(line));
}

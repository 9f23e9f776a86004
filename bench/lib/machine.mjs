// The machine a run happened on, for the results header.
import { cpus, loadavg, totalmem } from 'node:os';

export function machine() {
  const list = cpus();
  return {
    cores: list.length,
    cpu: list[0]?.model?.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    load: loadavg()
      .map((v) => v.toFixed(2))
      .join(' '),
    date: new Date().toISOString(),
  };
}

export function describeMachine(m = machine(), when = 'as the results were written') {
  return `${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; load average (1, 5, 15 min) ${when}: ${m.load}`;
}

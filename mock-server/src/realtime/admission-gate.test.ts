import { describe, expect, it } from 'vitest';
import { AdmissionGate } from './admission-gate';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('AdmissionGate', () => {
  it('runs at most `limit` tasks at once, the rest in arrival order, and passes results and errors on', async () => {
    const gate = new AdmissionGate(2);
    const started: number[] = [];
    const release: (() => void)[] = [];
    let peak = 0;
    let running = 0;
    const results = Array.from({ length: 5 }, (_, i) =>
      gate.run(async () => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => release.push(resolve));
        running--;
        if (i === 3) throw new Error('task 3 failed');
        return i * 10;
      }),
    );
    const settled = Promise.allSettled(results);
    await tick();
    expect(started).toEqual([0, 1]);
    expect(gate.queued).toBe(3);
    while (release.length) {
      release.shift()!();
      await tick();
    }
    await tick();
    while (release.length) {
      release.shift()!();
      await tick();
    }
    const outcomes = await settled;
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
      0,
      10,
      20,
      'task 3 failed',
      40,
    ]);
    expect(gate.queued).toBe(0);
    // A failed task freed its slot: the gate still admits.
    expect(await gate.run(async () => 'after')).toBe('after');
  });

  it('lets `first` tasks ahead of the others waiting, each line in arrival order', async () => {
    const gate = new AdmissionGate(1);
    const started: string[] = [];
    const release: (() => void)[] = [];
    const task = (name: string) => async () => {
      started.push(name);
      await new Promise<void>((resolve) => release.push(resolve));
    };
    const all = [
      gate.run(task('running')),
      gate.run(task('auth 1')),
      gate.run(task('auth 2')),
      gate.run(task('watch 1'), { first: true }),
      gate.run(task('watch 2'), { first: true }),
    ];
    await tick();
    expect(gate.queued).toBe(4);
    while (started.length < 5 || release.length) {
      release.shift()?.();
      await tick();
    }
    await Promise.all(all);
    expect(started).toEqual(['running', 'watch 1', 'watch 2', 'auth 1', 'auth 2']);
    expect(gate.queued).toBe(0);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new AdmissionGate(0)).toThrow(TypeError);
    expect(() => new AdmissionGate(1.5)).toThrow(TypeError);
  });
});

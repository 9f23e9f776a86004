import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { AppRow } from '../store/schema';
import { Connection } from './connection';

const LIMITS = {
  maxBufferedBytes: 1024,
  framesPerWindow: 3,
  frameWindowMs: 1_000,
  invalidFramesPerWindow: 2,
};
const connection = () => new Connection({} as WebSocket, {} as Duplex, {} as AppRow, LIMITS);
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Connection', () => {
  it('serves queued work one task after another, in order, even when a task fails', async () => {
    const conn = connection();
    const log: string[] = [];
    let release!: () => void;
    const first = conn.enqueue(async () => {
      log.push('1 start');
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      log.push('1 end');
      throw new Error('boom');
    });
    const second = conn.enqueue(async () => {
      log.push('2');
    });
    await tick();
    expect(log).toEqual(['1 start']);
    release();
    await expect(first).rejects.toThrow('boom');
    await second;
    expect(log).toEqual(['1 start', '1 end', '2']);
  });

  it('keeps no queue once its work is done', async () => {
    const conn = connection();
    await conn.enqueue(async () => {});
    await tick();
    expect((conn as unknown as { inbox: unknown }).inbox).toBeUndefined();
  });

  it('counts frames and invalid frames in separate budgets per window', () => {
    const conn = connection();
    for (let i = 0; i < 3; i++) expect(conn.takeFrame(0).ok).toBe(true);
    expect(conn.takeFrame(0)).toEqual({ ok: false, retryAfterMs: 334 });
    expect(conn.takeInvalidFrame(0).ok).toBe(true);
    expect(conn.takeInvalidFrame(0).ok).toBe(true);
    expect(conn.takeInvalidFrame(0).ok).toBe(false);
    expect(conn.takeFrame(1_000).ok).toBe(true);
  });
});

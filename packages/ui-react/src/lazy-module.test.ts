import { describe, expect, it, vi } from 'vitest';
import { lazyModule } from './lazy-module';

describe('lazyModule', () => {
  it('loads once, however many ask, and keeps the module', async () => {
    const importer = vi.fn(async () => ({ value: 42 }));
    const lazy = lazyModule(importer);
    expect(lazy.current).toBeNull();
    const [a, b] = await Promise.all([lazy.load(), lazy.load()]);
    expect(a).toBe(b);
    expect(lazy.current).toBe(a);
    await lazy.load();
    expect(importer).toHaveBeenCalledTimes(1);
  });

  it('forgets a failed load, so the next one tries again', async () => {
    const importer = vi
      .fn<() => Promise<{ value: number }>>()
      .mockRejectedValueOnce(new Error('chunk failed'))
      .mockResolvedValueOnce({ value: 1 });
    const lazy = lazyModule(importer);
    await expect(lazy.load()).rejects.toThrow('chunk failed');
    expect(lazy.current).toBeNull();
    await expect(lazy.load()).resolves.toEqual({ value: 1 });
    expect(importer).toHaveBeenCalledTimes(2);
  });
});

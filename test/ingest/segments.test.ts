import { describe, expect, it, vi } from 'vitest';
import { segments } from '../../source/ingest/bulk.js';

async function* slow(items: number[], gapMs: number) {
  for (const item of items) {
    await new Promise((resolve) => setTimeout(resolve, gapMs));
    yield item;
  }
}

async function collect<T>(source: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const batch of source) out.push(batch);
  return out;
}

describe('segments (how streams reach the bulk sender)', () => {
  it('cuts by count and keeps every item in order', async () => {
    const batches = await collect(segments([1, 2, 3, 4, 5, 6, 7], 10_000, 3));
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('closes a batch on time while the source is idle', async () => {
    // Fake timers: with a real 40 ms timer against a real 150 ms pause, a loaded machine could
    // deliver the pause's end first and the test would fail for nothing.
    vi.useFakeTimers();
    try {
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      async function* idle() {
        yield 1;
        yield 2;
        await gate;
        yield 3;
      }
      const batches = segments(idle(), 40, 100);
      let first: IteratorResult<number[]> | undefined;
      void batches.next().then((result) => {
        first = result;
      });
      await vi.advanceTimersByTimeAsync(39);
      expect(first).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(first).toEqual({ done: false, value: [1, 2] });
      release();
      expect(await batches.next()).toEqual({ done: false, value: [3] });
      expect(await batches.next()).toEqual({ done: true, value: undefined });
    } finally {
      vi.useRealTimers();
    }
  });

  it('loses nothing from a trickling source', async () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const batches = await collect(segments(slow(items, 3), 10, 7));
    expect(batches.flat()).toEqual(items);
    expect(batches.every((batch) => batch.length > 0 && batch.length <= 7)).toBe(true);
  });
});

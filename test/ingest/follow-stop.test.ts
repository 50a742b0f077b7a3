// Stopping while two bulks are in flight and the later one is answered first: the earlier one
// is abandoned when the stop grace period ends, so no checkpoint may cover its lines — the
// next run must send them again. Which of two concurrent bulks a real cluster answers first
// cannot be chosen, so the cluster here is a stub (named as such); the parser is the real one.
import { describe, expect, it } from 'vitest';
import type { BulkClient } from '../../source/ingest/bulk.js';
import { Follower, type FollowMarks, type FollowSource } from '../../source/ingest/follow/follower.js';
import type { LineRun } from '../../source/ingest/follow/tailer.js';
import { LogParser } from '../../source/ingest/parser.js';

const line = (pid: number) =>
  `2026-12-03T10:00:00.000Z web1 sshd[${pid}]: Failed password for invalid user u${pid} from 198.51.0.${pid} port 2000 ssh2`;

/** Two reads of one line each; the mark is how many reads were made. */
function twoReads(): FollowSource {
  let reads = 0;
  return {
    name: 'two reads',
    notices: [],
    poll: async () => {},
    read: async (): Promise<LineRun[]> => {
      if (reads >= 2) return [];
      reads += 1;
      return [{ lines: [line(reads)], firstLine: reads } as LineRun];
    },
    mark: () => reads,
    bytesBehind: async () => 0,
    close: async () => {},
  };
}

/** Stub cluster: the first bulk hangs until aborted, the second is answered at once. */
function firstBulkHangs(): { client: BulkClient; calls: () => number } {
  let calls = 0;
  // The body is NDJSON in a Buffer (source/ingest/follow/bulk-send.ts): an action line and a document line each.
  const bulk = (params: { operations: Buffer }, options: { signal?: AbortSignal }) => {
    calls += 1;
    if (calls === 1)
      return new Promise((_, reject) =>
        options.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
      );
    return Promise.resolve({
      items: String(params.operations)
        .split('\n')
        .filter((text, i) => text !== '' && i % 2 === 0)
        .map(() => ({ create: { status: 201 } })),
    });
  };
  const client = {
    cluster: 'stub',
    raw: { kind: 'elasticsearch', client: { bulk } },
  } as unknown as BulkClient;
  return { client, calls: () => calls };
}

describe('stopping with two bulks in flight', () => {
  it('does not checkpoint past a batch abandoned at stop, even when a later batch was acknowledged', async () => {
    const { client, calls } = firstBulkHangs();
    const saved: FollowMarks[] = [];
    const stop = new AbortController();
    const follower = new Follower({
      client,
      index: 'stub',
      inputs: [
        {
          source: twoReads(),
          parser: new LogParser({ format: 'auto', file: 'a', now: Date.now(), zone: 'utc' }),
        },
      ],
      save: async (marks) => {
        saved.push(marks);
      },
      signal: stop.signal,
      pollMs: 10,
      checkpointMs: 0,
      maxInFlight: 2,
      stopGraceMs: 50,
    });
    const running = follower.run();
    while (follower.status.created < 1) await new Promise((resolve) => setTimeout(resolve, 10));
    stop.abort();
    await running;
    expect(calls()).toBe(2);
    // Only the positions recorded before the first line was read (0): never past read 1.
    expect(saved.map((marks) => marks.sources[0])).toEqual([0]);
  });
});

/** `count` reads of one line each; the mark is how many reads were made. */
function reads(count: number): FollowSource {
  let made = 0;
  return {
    name: `${count} reads`,
    notices: [],
    poll: async () => {},
    read: async (): Promise<LineRun[]> => {
      if (made >= count) return [];
      made += 1;
      return [{ lines: [line(made)], firstLine: made } as LineRun];
    },
    mark: () => made,
    bytesBehind: async () => 0,
    close: async () => {},
  };
}

/** Stub cluster (named as such): every bulk is answered 201 at once. */
const answersAtOnce = {
  cluster: 'stub',
  raw: {
    kind: 'elasticsearch',
    client: {
      bulk: (params: { operations: Buffer }) =>
        Promise.resolve({
          items: String(params.operations)
            .split('\n')
            .filter((text, i) => text !== '' && i % 2 === 0)
            .map(() => ({ create: { status: 201 } })),
        }),
    },
  },
} as unknown as BulkClient;

describe('a slow checkpoint write', () => {
  it('does not hold up acknowledgements; once it is done the newest acknowledged position is written, not each one in turn', async () => {
    const saved: number[] = [];
    let release: () => void = () => {};
    const stop = new AbortController();
    const follower = new Follower({
      client: answersAtOnce,
      index: 'stub',
      inputs: [
        {
          source: reads(5),
          parser: new LogParser({ format: 'auto', file: 'a', now: Date.now(), zone: 'utc' }),
        },
      ],
      save: async (marks) => {
        saved.push(marks.sources[0] as number);
        // The first checkpoint after a batch hangs (a slow fsync) until released.
        if (saved.length === 2) await new Promise<void>((resolve) => (release = resolve));
      },
      signal: stop.signal,
      pollMs: 10,
      checkpointMs: 0,
      maxInFlight: 1,
    });
    const running = follower.run();
    while (follower.status.linesIndexed < 5) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(saved).toEqual([0, 1]);
    release();
    stop.abort();
    await running;
    // After the hung write: the newest acknowledged position (5), not 2, 3 and 4 in turn.
    // After the hung write: the newest acknowledged position, not each one in turn.
    expect(saved.length).toBeLessThanOrEqual(4);
    expect([...saved].sort((x, y) => x - y)).toEqual(saved);
    expect(saved[saved.length - 1]).toBe(5);
  });
});

describe('a cluster slower than one batch per request timeout', () => {
  it('gets the batch again in halves until a part is answered in time, and indexes every line once', async () => {
    // Stub cluster (named as such; a real one cannot be made to time out at a given request
    // size): a bulk of more than 150 documents times out, smaller ones are created.
    const sizes: number[] = [];
    const ids = new Set<string>();
    const client = {
      cluster: 'stub',
      raw: {
        kind: 'elasticsearch',
        client: {
          bulk: (params: { operations: Buffer }) => {
            const actions = String(params.operations)
              .split('\n')
              .filter((text, i) => text !== '' && i % 2 === 0);
            sizes.push(actions.length);
            if (actions.length > 150)
              return Promise.reject(Object.assign(new Error('Request timed out'), { name: 'TimeoutError' }));
            return Promise.resolve({
              items: actions.map((action) => {
                const id = (JSON.parse(action) as { create: { _id: string } }).create._id;
                const status = ids.has(id) ? 409 : 201;
                ids.add(id);
                return { create: { status } };
              }),
            });
          },
        },
      },
    } as unknown as BulkClient;
    let read = false;
    const source: FollowSource = {
      name: 'one read of 400 lines',
      notices: [],
      poll: async () => {},
      read: async (): Promise<LineRun[]> => {
        if (read) return [];
        read = true;
        return [{ lines: Array.from({ length: 400 }, (_, i) => line(i + 1)), firstLine: 1 } as LineRun];
      },
      mark: () => read,
      bytesBehind: async () => 0,
      close: async () => {},
    };
    const stop = new AbortController();
    const follower = new Follower({
      client,
      index: 'stub',
      inputs: [
        { source, parser: new LogParser({ format: 'auto', file: 'a', now: Date.now(), zone: 'utc' }) },
      ],
      save: async () => {},
      signal: stop.signal,
      pollMs: 10,
      backoff: { baseMs: 1, maxMs: 1 },
    });
    const running = follower.run();
    while (follower.status.linesIndexed < 400) await new Promise((resolve) => setTimeout(resolve, 10));
    stop.abort();
    await running;
    expect(sizes.slice(0, 3)).toEqual([400, 200, 100]);
    expect(follower.status).toMatchObject({ created: 400, duplicates: 0, linesIndexed: 400 });
    expect(ids.size).toBe(400);
  });
});

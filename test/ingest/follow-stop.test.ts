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
  // The body is NDJSON (source/ingest/follow/bulk-send.ts): an action line and a document line each.
  const bulk = (params: { operations: string }, options: { signal?: AbortSignal }) => {
    calls += 1;
    if (calls === 1)
      return new Promise((_, reject) =>
        options.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
      );
    return Promise.resolve({
      items: params.operations
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

// Poller behaviour with fake timers and a scripted fetch (no I/O): no overlap, backoff that
// grows and caps, recovery, the slow window cadence, pause/resume/refresh/setWindow, and a
// stop() that aborts the request in flight and leaves no timer behind. The real-cluster
// counterpart (server cut and restored) is in faults.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../source/cluster/backoff.js';
import type { FetchWindow } from '../../source/cluster/fetch.js';
import {
  createPoller,
  nextPollDelay,
  type PollerStatus,
  type PollResult,
} from '../../source/cluster/poller.js';
import { type ClusterClient, ClusterError } from '../../source/cluster/types.js';
import type { Snapshot } from '../../source/contracts/snapshot.js';
import { testConfig } from '../support/config.js';

function snapshotFor(windowMs: number): Snapshot {
  return {
    schema: 1,
    backend: { kind: 'elasticsearch', version: '8.19.9' },
    cluster: 'test:9200',
    indexPattern: 'logs-*',
    window: { from: new Date(0).toISOString(), to: new Date(windowMs).toISOString(), ms: windowMs },
    bucketMs: windowMs / 60,
    services: [],
    customRules: [],
    took: 1,
    fetchMs: 2,
    fetchedAt: new Date(0).toISOString(),
    warnings: [],
  };
}

// The poller never touches the client when `fetch` is given; this stands in for its name.
const client = { cluster: 'test:9200' } as unknown as ClusterClient;

type Step = { delayMs: number; fail?: ClusterError };

/** A fetch that follows a script: each call waits `delayMs` (fake time), then answers or fails. */
function scriptedFetch(steps: Step[], fallback: Step = { delayMs: 100 }) {
  const calls: { windows: FetchWindow[]; at: number; signal: AbortSignal }[] = [];
  let active = 0;
  let maxActive = 0;
  const fetch = (windows: FetchWindow[], options: { now: number; signal: AbortSignal }) => {
    const step = steps[calls.length] ?? fallback;
    calls.push({ windows, at: Date.now(), signal: options.signal });
    active += 1;
    maxActive = Math.max(maxActive, active);
    return new Promise<Snapshot[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        active -= 1;
        if (step.fail) reject(step.fail);
        else resolve(windows.map((window) => snapshotFor(window.windowMs)));
      }, step.delayMs);
      options.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        active -= 1;
        reject(new ClusterError('aborted', 'aborted'));
      });
    });
  };
  return { fetch, calls, maxActive: () => maxActive };
}

let windowMs = 900_000;

function harness(
  steps: Step[],
  overrides: Parameters<typeof testConfig>[0] = {},
  fallback?: Step,
  /** Scripted probe: answers (true) or is refused (false); the default always answers. */
  answers: (at: number) => boolean = () => true,
) {
  const script = scriptedFetch(steps, fallback);
  windowMs = overrides.windowMs ?? 900_000;
  const results: PollResult[] = [];
  const statuses: PollerStatus[] = [];
  const poller = createPoller({
    client,
    config: testConfig({ refreshMs: 5000, ...overrides }),
    onResult: (result) => results.push(result),
    onStatus: (status) => statuses.push(status),
    random: () => 0.999_999,
    fetch: script.fetch,
    windowMs: () => windowMs,
    probe: async () => {
      if (!answers(Date.now())) throw down;
    },
  });
  return { poller, results, statuses, ...script };
}

const down = new ClusterError('unreachable', 'connection refused');

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('poller', () => {
  it('never overlaps polls, even when the cluster is slower than the refresh interval', async () => {
    const { poller, calls, maxActive, results } = harness([], {}, { delayMs: 12_000 });
    poller.start();
    for (let i = 0; i < 20; i++) {
      poller.refreshNow(); // impatient analyst
      await vi.advanceTimersByTimeAsync(3_000);
    }
    expect(maxActive()).toBe(1);
    expect(calls.length).toBeGreaterThan(3);
    expect(results.length).toBeGreaterThan(3);
    await poller.stop();
  });

  it('polls again at the next multiple of refreshMs after the previous poll finished (consoles poll together)', async () => {
    // Before: refreshMs after the previous poll finished (gaps of 6 s here), so consoles
    // drifted apart and the cluster's request cache could not answer one from another's.
    const { poller, calls } = harness([], {}, { delayMs: 1_000 });
    poller.start();
    await vi.advanceTimersByTimeAsync(20_000);
    const gaps = calls.slice(1).map((call, index) => call.at - (calls[index]?.at ?? 0));
    expect(gaps.length).toBeGreaterThan(2);
    expect(gaps.every((gap) => gap === 5_000)).toBe(true);
    expect(calls.slice(1).every((call) => call.at % 5_000 === 0)).toBe(true);
    await poller.stop();
  });

  it('a poll slower than the interval is never overlapped, and the next waits at least a quarter interval', () => {
    expect(nextPollDelay(1_000, 5_000)).toBe(4_000);
    expect(nextPollDelay(5_000, 5_000)).toBe(5_000);
    expect(nextPollDelay(4_000, 5_000)).toBe(6_000); // 1 s to the tick is under 1.25 s
    expect(nextPollDelay(12_345, 2_000)).toBe(1_655);
  });

  it('probes at the refresh rate while the cluster is down and polls at once when it answers (12.7)', async () => {
    // Before: the heavy poll itself backed off 1s, 2s, 4s … 30s, so a cluster back after a
    // minute was picked up up to 30 s late. Now the probe keeps the refresh pace.
    const probes: number[] = [];
    const { poller, statuses, results, calls } = harness(
      [{ delayMs: 10 }, { delayMs: 10, fail: down }],
      {},
      { delayMs: 10 },
      (at) => {
        probes.push(at);
        return probes.length <= 12; // down for 12 probes (60 s), then back
      },
    );
    poller.start();
    await vi.advanceTimersByTimeAsync(5_020); // first poll ok, second fails
    expect(statuses.at(-1)?.kind).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(70_000);
    const gaps = probes.slice(1).map((at, index) => at - probes[index]!);
    expect(gaps.every((gap) => gap === 5_000)).toBe(true);
    const back = probes[12]!;
    // The poll after recovery starts the moment the probe answers.
    const after = calls.find((call) => call.at >= back);
    expect(after?.at).toBe(back);
    expect(results.length).toBeGreaterThanOrEqual(2);
    expect(statuses.at(-1)).toEqual({ kind: 'live' });
    const attempts = statuses.flatMap((status) => (status.kind === 'reconnecting' ? [status.attempt] : []));
    expect(attempts).toEqual(attempts.map((_, index) => index + 1));
    await poller.stop();
  });

  it('backs off the heavy poll, not the probe, while the cluster answers but the poll fails', async () => {
    const busy = new ClusterError('rate-limited', 'too many requests (429)', { status: 429 });
    const failures = Array.from({ length: 8 }, () => ({ delayMs: 10, fail: busy }));
    const probes: number[] = [];
    const { poller, calls } = harness(failures, {}, { delayMs: 10 }, (at) => {
      probes.push(at);
      return true;
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(300_000);
    // Gap from each failed poll's end to the next poll: the backoff step (random ≈ 1: 1s,
    // 2s, 4s, … capped at 30s), but never less than one probe interval (5s).
    const gaps = calls.slice(1, 9).map((call, index) => call.at - (calls[index]!.at + 10));
    expect(gaps).toEqual([5_000, 5_000, 5_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    // The probe ran at the refresh pace in between.
    expect(probes.length).toBeGreaterThan(20);
    await poller.stop();
  });

  it('jitters the backoff between half and all of the exponential step', () => {
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 0)).toBe(500);
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 0.999_999)).toBe(1_000);
    expect(backoffDelay(10, DEFAULT_BACKOFF, () => 0)).toBe(15_000);
  });

  it('reports non-transient errors as errors and keeps retrying at the slowest pace', async () => {
    const denied = new ClusterError('auth', 'rejected the credentials (401)', { status: 401 });
    const { poller, statuses, calls } = harness([
      { delayMs: 5, fail: denied },
      { delayMs: 5, fail: denied },
    ]);
    poller.start();
    await vi.advanceTimersByTimeAsync(29_000);
    expect(statuses).toEqual([{ kind: 'connecting' }, { kind: 'error', error: denied }]);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls).toHaveLength(2);
    await poller.stop();
  });

  it('fetches the slow window in the same round trip, once per refresh of the slow rule', async () => {
    const { poller, calls, results } = harness(
      [],
      {
        rules: { slowBruteForce: { enabled: true, threshold: 10, windowMs: 21_600_000, refreshMs: 60_000 } },
      },
      { delayMs: 0 },
    );
    poller.start();
    await vi.advanceTimersByTimeAsync(61_000);
    const withSlow = calls.map((call) => call.windows.length === 2);
    expect(withSlow[0]).toBe(true);
    expect(withSlow.slice(1, 12).every((flag) => !flag)).toBe(true);
    expect(withSlow.filter(Boolean)).toHaveLength(2);
    expect(calls[0]?.windows[1]).toEqual({ windowMs: 21_600_000, includeCustomRules: false });
    expect(results[0]?.slowSnapshot?.window.ms).toBe(21_600_000);
    expect(results[1]?.slowSnapshot).toBeNull();
    await poller.stop();
  });

  it('fetches the long window for success-after-failures even with slow brute force off', async () => {
    const { poller, calls } = harness(
      [],
      {
        rules: {
          slowBruteForce: { enabled: false, threshold: 10, windowMs: 1_800_000, refreshMs: 60_000 },
          successAfterFailure: { enabled: true, failures: 5, correlationMs: 7_200_000 },
        },
      },
      { delayMs: 0 },
    );
    poller.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(calls[0]?.windows[1]).toEqual({ windowMs: 7_200_000, includeCustomRules: false });
    await poller.stop();
  });

  it('stop() aborts the request in flight, reports nothing after, and leaves no timer', async () => {
    const { poller, calls, results, statuses } = harness([{ delayMs: 60_000 }]);
    poller.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(1);
    const before = statuses.length;
    await poller.stop();
    expect(calls[0]?.signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(results).toHaveLength(0);
    expect(statuses).toHaveLength(before);
    expect(calls).toHaveLength(1);
  });

  it('stop() between polls clears the scheduled poll', async () => {
    const { poller, calls } = harness([], {}, { delayMs: 10 });
    poller.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(vi.getTimerCount()).toBe(1);
    await poller.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(1);
  });

  it('pause stops polling and resume polls at once', async () => {
    const { poller, calls, statuses } = harness([], {}, { delayMs: 10 });
    poller.start();
    await vi.advanceTimersByTimeAsync(100);
    poller.pause();
    expect(poller.paused).toBe(true);
    expect(statuses.at(-1)).toEqual({ kind: 'paused' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(1);
    poller.resume();
    await vi.advanceTimersByTimeAsync(20);
    expect(calls).toHaveLength(2);
    expect(statuses.at(-1)).toEqual({ kind: 'live' });
    await poller.stop();
  });

  it('windowChanged cancels a poll for the old window and asks again at once', async () => {
    const { poller, calls, results } = harness([{ delayMs: 5_000 }], {}, { delayMs: 10 });
    poller.start();
    await vi.advanceTimersByTimeAsync(100);
    windowMs = 3_600_000;
    poller.windowChanged();
    await vi.advanceTimersByTimeAsync(20);
    expect(calls[0]?.signal.aborted).toBe(true);
    expect(calls[1]?.windows[0]?.windowMs).toBe(3_600_000);
    expect(results.map((result) => result.snapshot.window.ms)).toEqual([3_600_000]);
    await poller.stop();
  });
});

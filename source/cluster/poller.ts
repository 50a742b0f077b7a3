// The poller behind the live console: one snapshot every `refreshMs`, never two requests at
// once, exponential backoff while the cluster is down, recovery without help, and a stop()
// that aborts the request in flight and clears its timer so nothing keeps the process alive.
// The next poll is scheduled when the previous one has finished (fixed delay, not fixed
// rate), which is what makes overlap impossible even when the cluster is slower than the
// refresh interval. The slow-brute-force window rides in the same `_msearch` when it is due.
import type { Config } from '../config/types.js';
import type { Snapshot } from '../contracts/snapshot.js';
import { type BackoffSettings, backoffDelay, DEFAULT_BACKOFF, isTransient } from './backoff.js';
import { toClusterError } from './errors.js';
import { type FetchWindow, fetchSnapshots } from './fetch.js';
import { type ClusterClient, ClusterError } from './types.js';

export type PollerStatus =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'paused' }
  | { kind: 'reconnecting'; attempt: number; nextTryAt: number; error: ClusterError }
  | { kind: 'error'; error: ClusterError };

export interface PollResult {
  snapshot: Snapshot;
  /** The slow-brute-force window, when it was due in this round trip; null otherwise. */
  slowSnapshot: Snapshot | null;
}

export interface Poller {
  start(): void;
  stop(): Promise<void>;
  pause(): void;
  resume(): void;
  refreshNow(): void;
  setWindow(ms: number): void;
  readonly paused: boolean;
}

export type TimerHandle = unknown;

export interface PollerOptions {
  client: ClusterClient;
  config: Config;
  onResult: (result: PollResult) => void;
  onStatus: (status: PollerStatus) => void;
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => TimerHandle;
  clearTimer?: (handle: TimerHandle) => void;
  random?: () => number;
  backoff?: BackoffSettings;
  /** Replaces the cluster round trip (unit tests). Defaults to fetchSnapshots on `client`. */
  fetch?: (windows: FetchWindow[], options: { now: number; signal: AbortSignal }) => Promise<Snapshot[]>;
}

export function createPoller(options: PollerOptions): Poller {
  const { client, config, onResult, onStatus } = options;
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? ((callback: () => void, ms: number) => setTimeout(callback, ms));
  const clearTimer = options.clearTimer ?? ((handle: TimerHandle) => clearTimeout(handle as NodeJS.Timeout));
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const fetch =
    options.fetch ??
    ((windows: FetchWindow[], fetchOptions: { now: number; signal: AbortSignal }) =>
      fetchSnapshots(client, config, windows, fetchOptions));
  // The long window serves two rules: slow brute force, and success-after-failures, whose
  // correlation window (≥ 1 h) is longer than a typical short window. Fetch it when either
  // is on, covering the longer of the two.
  const { slowBruteForce, successAfterFailure } = config.rules;
  const slow = {
    enabled: slowBruteForce.enabled || successAfterFailure.enabled,
    windowMs: Math.max(
      slowBruteForce.windowMs,
      successAfterFailure.enabled ? successAfterFailure.correlationMs : 0,
    ),
    refreshMs: slowBruteForce.refreshMs,
  };

  let started = false;
  let stopped = false;
  let paused = false;
  let windowMs = config.windowMs;
  let attempt = 0;
  let lastSlowAt: number | null = null;
  let timer: TimerHandle | null = null;
  let inFlight: { controller: AbortController; done: Promise<void> } | null = null;
  let again = false;

  const status = (next: PollerStatus) => {
    if (!stopped) onStatus(next);
  };

  const cancelTimer = () => {
    if (timer !== null) clearTimer(timer);
    timer = null;
  };

  const schedule = (delay: number) => {
    cancelTimer();
    if (stopped || paused) return;
    timer = setTimer(() => {
      timer = null;
      poll();
    }, delay);
  };

  function poll(): void {
    if (stopped) return;
    if (inFlight) {
      again = true;
      return;
    }
    cancelTimer();
    const startedAt = now();
    const slowDue = slow.enabled && (lastSlowAt === null || startedAt - lastSlowAt >= slow.refreshMs);
    const windows: FetchWindow[] = [{ windowMs, includeCustomRules: true }];
    if (slowDue) windows.push({ windowMs: slow.windowMs, includeCustomRules: false });
    const controller = new AbortController();
    const run = async () => {
      try {
        const snapshots = await fetch(windows, { now: startedAt, signal: controller.signal });
        if (controller.signal.aborted || stopped) return;
        const [snapshot, slowSnapshot] = snapshots;
        if (!snapshot) throw new ClusterError('bad-response', 'the poll returned no snapshot');
        attempt = 0;
        if (slowDue) lastSlowAt = startedAt;
        onResult({ snapshot, slowSnapshot: slowDue ? (slowSnapshot ?? null) : null });
        if (!paused) {
          status({ kind: 'live' });
          schedule(config.refreshMs);
        }
      } catch (caught) {
        // Aborted by us (stop, pause, new window): the caller decides what comes next.
        if (controller.signal.aborted || stopped) return;
        const error = toClusterError(caught, { cluster: client.cluster, timeoutMs: config.requestTimeoutMs });
        attempt += 1;
        const delay = isTransient(error.kind)
          ? backoffDelay(attempt, backoff, options.random)
          : backoff.maxMs;
        if (paused) return;
        if (isTransient(error.kind))
          status({ kind: 'reconnecting', attempt, nextTryAt: now() + delay, error });
        else status({ kind: 'error', error });
        schedule(delay);
      }
    };
    const done = run().finally(() => {
      inFlight = null;
      if (again && !stopped) {
        again = false;
        poll();
      }
    });
    inFlight = { controller, done };
  }

  const abortInFlight = () => {
    again = false;
    inFlight?.controller.abort();
  };

  return {
    get paused() {
      return paused;
    },
    start() {
      if (started || stopped) return;
      started = true;
      status({ kind: 'connecting' });
      poll();
    },
    async stop() {
      stopped = true;
      cancelTimer();
      const pending = inFlight;
      abortInFlight();
      await pending?.done;
    },
    pause() {
      if (stopped || paused) return;
      paused = true;
      cancelTimer();
      abortInFlight();
      status({ kind: 'paused' });
    },
    resume() {
      if (stopped || !paused) return;
      paused = false;
      status({ kind: 'connecting' });
      if (started) poll();
    },
    refreshNow() {
      if (stopped || !started) return;
      poll();
    },
    setWindow(ms: number) {
      if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`window must be positive (got ${ms})`);
      windowMs = ms;
      if (stopped || !started) return;
      // A poll for the old window is useless now: cancel it and ask again at once.
      if (inFlight) {
        inFlight.controller.abort();
        again = true;
      } else poll();
    },
  };
}

// The poller behind the live console. It owns the whole life of the connection: it connects
// (retrying while the cluster is down), takes one snapshot every `refreshMs`, never sends two
// polls at once, and recovers without help. stop() aborts the request in flight and clears
// its timer so nothing keeps the process alive.
//
// The next poll is scheduled when the previous one has finished, which is what makes overlap
// impossible even when the cluster is slower than the refresh interval; it runs at the next
// multiple of the refresh interval on the wall clock (nextPollDelay), so consoles with the
// same settings ask the same searches at the same moment: consoles on one host share the
// poll itself (`share`: share/shared-polls.ts, one console asks the cluster for all), others
// find the cluster's request cache warm. The slow-brute-force window rides in the same
// `_msearch` when it is due.
//
// Recovery: after a failed poll, the heavy poll backs off exponentially, but the detection
// of recovery does not. A cheap probe (a `size: 0` search that matches nothing) runs at the
// refresh rate; when it answers after the cluster was seen gone, the heavy poll runs at once.
// Measured before this split: a server killed and restarted was picked up 21–28 s after it
// was back at a 2 s refresh (the backoff had grown); now within one refresh + the poll.
import type { Config } from '../config/types.js';
import type { Snapshot } from '../contracts/snapshot.js';
import { type BackoffSettings, backoffDelay, DEFAULT_BACKOFF, isTransient } from './backoff.js';
import { toClusterError } from './errors.js';
import { type FetchWindow, fetchSnapshots } from './fetch.js';
import { createIncrementalSnapshots, type IncrementalSnapshots } from './incremental/engine.js';
import { createSharedPolls, type LocalRead, type ShareRole } from './share/shared-polls.js';
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
  /** The window (read through `windowMs`) changed: drop a poll for the old one and ask again. */
  windowChanged(): void;
  readonly paused: boolean;
  /** The connected client, once connected (null before, and after stop). */
  readonly client: ClusterClient | null;
  /**
   * A read this console makes at every poll (the escalation audit trail), shared with the
   * other consoles on this host as its polls are (share/shared-polls.ts read); made here
   * when they are not shared.
   */
  read<T>(name: string, local: LocalRead<T>, signal: AbortSignal): Promise<T>;
}

export type TimerHandle = unknown;

export interface PollerOptions {
  /** An already connected client, or … */
  client?: ClusterClient;
  /** … how to connect: the poller calls it until it succeeds (at the probe pace). */
  connect?: (signal: AbortSignal) => Promise<ClusterClient>;
  /** Called once, when `connect` has succeeded. */
  onConnected?: (client: ClusterClient) => void;
  config: Config;
  /** The window to poll, read at every poll: its one home is the caller's state. Defaults to config.windowMs. */
  windowMs?: () => number;
  onResult: (result: PollResult) => void;
  onStatus: (status: PollerStatus) => void;
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => TimerHandle;
  clearTimer?: (handle: TimerHandle) => void;
  random?: () => number;
  backoff?: BackoffSettings;
  /** Replaces the cluster round trip (unit tests). Defaults to fetchSnapshots on the client. */
  fetch?: (windows: FetchWindow[], options: { now: number; signal: AbortSignal }) => Promise<Snapshot[]>;
  /**
   * Share polls with the other consoles on this host that would send the same ones
   * (share/shared-polls.ts): the socket for a main window (null: alone), and who is told
   * when this console starts or stops leading or following.
   */
  share?: {
    socketPath: (windowMs: number) => string | null;
    onRole?: (role: ShareRole, detail: string) => void;
  };
  /** Replaces the recovery probe (unit tests). Defaults to a `size: 0` search on the client. */
  probe?: (signal: AbortSignal) => Promise<void>;
}

/** The probe's own time limit: it must not take longer than the pace it runs at. */
export function probeTimeoutMs(config: Pick<Config, 'refreshMs' | 'requestTimeoutMs'>): number {
  return Math.min(config.requestTimeoutMs, Math.max(1000, config.refreshMs));
}

/**
 * Time until the next poll: the next multiple of `refreshMs` since the epoch, at least a
 * quarter of it away (a slow poll does not run the next one back to back).
 */
export function nextPollDelay(at: number, refreshMs: number): number {
  if (!(refreshMs > 0)) return 0;
  let next = Math.ceil((at + 1) / refreshMs) * refreshMs;
  if (next - at < refreshMs / 4) next += refreshMs;
  return next - at;
}

export function createPoller(options: PollerOptions): Poller {
  const { config, onResult, onStatus } = options;
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? ((callback: () => void, ms: number) => setTimeout(callback, ms));
  const clearTimer = options.clearTimer ?? ((handle: TimerHandle) => clearTimeout(handle as NodeJS.Timeout));
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const windowOf = options.windowMs ?? (() => config.windowMs);
  let client: ClusterClient | null = options.client ?? null;
  if (!client && !options.connect) throw new TypeError('createPoller needs a client or connect');
  // The console's window is polled incrementally when config says `snapshots: incremental`
  // (the default; source/cluster/incremental/: same numbers, cost follows what changed); the
  // slow window (polled every few minutes) takes the full path, in parallel.
  let incremental: { client: ClusterClient; snapshots: IncrementalSnapshots } | null = null;
  const incrementalFor = (current: ClusterClient) => {
    if (incremental?.client !== current)
      incremental = { client: current, snapshots: createIncrementalSnapshots(current, config) };
    return incremental.snapshots;
  };
  const fetchWindows = async (windows: FetchWindow[], fetchOptions: { now: number; signal: AbortSignal }) => {
    const current = client!;
    const [main, ...rest] = windows;
    if (config.snapshots !== 'incremental' || !main || main.endAt !== undefined)
      return fetchSnapshots(current, config, windows, fetchOptions);
    const [snapshot, others] = await Promise.all([
      incrementalFor(current).fetch(main.windowMs, {
        ...fetchOptions,
        includeNewest: main.includeNewest === true,
      }),
      rest.length > 0 ? fetchSnapshots(current, config, rest, fetchOptions) : Promise.resolve([]),
    ]);
    return [snapshot, ...others];
  };
  // Shared with the other consoles on this host (share/shared-polls.ts): each window on its
  // own, as a follower asks for it; the main window (it carries the custom rules) by the
  // engine when polling incrementally.
  const fetchWindow = async (window: FetchWindow, fetchOptions: { now: number; signal: AbortSignal }) => {
    const current = client!;
    if (
      config.snapshots === 'incremental' &&
      window.includeCustomRules === true &&
      window.endAt === undefined
    )
      return incrementalFor(current).fetch(window.windowMs, {
        ...fetchOptions,
        includeNewest: window.includeNewest === true,
      });
    const [snapshot] = await fetchSnapshots(current, config, [window], fetchOptions);
    if (!snapshot) throw new ClusterError('bad-response', 'no snapshot was parsed');
    return snapshot;
  };
  const shared = options.share
    ? createSharedPolls({
        socketPath: options.share.socketPath,
        local: fetchWindow,
        refreshMs: config.refreshMs,
        requestTimeoutMs: config.requestTimeoutMs,
        ...(options.share.onRole ? { onRole: options.share.onRole } : {}),
      })
    : null;
  const fetch = options.fetch ?? (shared ? shared.fetch : fetchWindows);
  const probe =
    options.probe ??
    (async (signal: AbortSignal) => {
      await client!.search(
        {
          index: config.indexPattern,
          body: { size: 0, track_total_hits: false, query: { match_none: {} } },
          header: { ignore_unavailable: true, allow_no_indices: true },
        },
        { signal, timeoutMs: probeTimeoutMs(config) },
      );
    });
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
  const errorContext = () => ({
    cluster: client?.cluster ?? 'the cluster',
    timeoutMs: config.requestTimeoutMs,
  });

  let started = false;
  let stopped = false;
  let paused = false;
  /** Consecutive failed tries (connects, polls, probes): the number on the RECONNECTING badge. */
  let attempt = 0;
  /** Heavy-poll failures since the last success: what the heavy poll's backoff grows with. */
  let pollFailures = 0;
  /** The heavy poll waits for this while the cluster answers probes but not polls. */
  let pollNotBefore = 0;
  /** A probe failed since the last failed poll: the cluster was gone, so its answer means it is back. */
  let goneSeen = false;
  let lastError: ClusterError | null = null;
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

  const schedule = (delay: number, step: () => void = poll) => {
    cancelTimer();
    if (stopped || paused) return;
    timer = setTimer(() => {
      timer = null;
      step();
    }, delay);
  };

  /** Runs one step (connect, probe or poll) as the one request in flight. */
  function run(step: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    const done = step(controller.signal).finally(() => {
      inFlight = null;
      if (again && !stopped && !paused) {
        again = false;
        poll();
      }
    });
    inFlight = { controller, done };
  }

  /** A try failed: report it and schedule the next one. Returns nothing to do when aborted. */
  function failed(caught: unknown, signal: AbortSignal, next: 'probe' | 'connect' | 'poll'): void {
    // Aborted by us (stop, pause, new window): the caller decides what comes next.
    if (signal.aborted || stopped) return;
    const error = toClusterError(caught, errorContext());
    lastError = error;
    attempt += 1;
    if (paused) return;
    if (!isTransient(error.kind)) {
      // Credentials, privileges, TLS, a query the mapping rejects: waiting rarely cures these,
      // so retry at the slowest pace and say it needs a person.
      status({ kind: 'error', error });
      schedule(backoff.maxMs, next === 'connect' ? connect : poll);
      return;
    }
    const delay = config.refreshMs;
    status({ kind: 'reconnecting', attempt, nextTryAt: now() + delay, error });
    schedule(delay, next === 'connect' ? connect : probeStep);
  }

  function connect(): void {
    if (stopped || inFlight) return;
    cancelTimer();
    const open = options.connect!;
    run(async (signal) => {
      try {
        const connected = await open(signal);
        if (signal.aborted || stopped) {
          await connected.close().catch(() => undefined);
          return;
        }
        client = connected;
        attempt = 0;
        options.onConnected?.(connected);
        again = true; // poll as soon as this step has finished
      } catch (caught) {
        failed(caught, signal, 'connect');
      }
    });
  }

  function probeStep(): void {
    if (stopped || inFlight) return;
    cancelTimer();
    run(async (signal) => {
      try {
        await probe(signal);
        if (signal.aborted || stopped) return;
        const wait = pollNotBefore - now();
        if (goneSeen || wait <= 0) {
          again = true;
          return;
        }
        // The cluster answers but the last poll failed (overloaded, 429): the heavy poll
        // keeps its backoff, the probe keeps its pace.
        const delay = Math.min(config.refreshMs, wait);
        if (lastError) status({ kind: 'reconnecting', attempt, nextTryAt: now() + delay, error: lastError });
        schedule(delay, wait <= config.refreshMs ? poll : probeStep);
      } catch (caught) {
        if (!signal.aborted && !stopped) goneSeen = true;
        failed(caught, signal, 'probe');
      }
    });
  }

  function poll(): void {
    if (stopped) return;
    if (inFlight) {
      again = true;
      return;
    }
    if (!client) {
      connect();
      return;
    }
    cancelTimer();
    const startedAt = now();
    const slowDue = slow.enabled && (lastSlowAt === null || startedAt - lastSlowAt >= slow.refreshMs);
    const windows: FetchWindow[] = [{ windowMs: windowOf(), includeCustomRules: true, includeNewest: true }];
    if (slowDue) windows.push({ windowMs: slow.windowMs, includeCustomRules: false });
    run(async (signal) => {
      try {
        const snapshots = await fetch(windows, { now: startedAt, signal });
        if (signal.aborted || stopped) return;
        const [snapshot, slowSnapshot] = snapshots;
        if (!snapshot) throw new ClusterError('bad-response', 'the poll returned no snapshot');
        attempt = 0;
        pollFailures = 0;
        goneSeen = false;
        lastError = null;
        if (slowDue) lastSlowAt = startedAt;
        onResult({ snapshot, slowSnapshot: slowDue ? (slowSnapshot ?? null) : null });
        if (!paused) {
          status({ kind: 'live' });
          schedule(nextPollDelay(now(), config.refreshMs));
        }
      } catch (caught) {
        if (!signal.aborted && !stopped) {
          pollFailures += 1;
          pollNotBefore = now() + backoffDelay(pollFailures, backoff, options.random);
          goneSeen = false;
        }
        failed(caught, signal, 'probe');
      }
    });
  }

  const abortInFlight = () => {
    again = false;
    inFlight?.controller.abort();
  };

  return {
    get paused() {
      return paused;
    },
    get client() {
      return stopped ? null : client;
    },
    read(name, local, signal) {
      if (!shared || stopped) return local({ now: now(), signal });
      return shared.read(name, local, { now: now(), signal });
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
      await shared?.close();
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
    windowChanged() {
      const ms = windowOf();
      if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`window must be positive (got ${ms})`);
      if (stopped || !started || paused) return;
      // A poll for the old window is useless now: cancel it and ask again at once.
      if (inFlight) {
        inFlight.controller.abort();
        again = true;
      } else poll();
    },
  };
}

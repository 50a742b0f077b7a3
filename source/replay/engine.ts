// Replay: the live detector run poll by poll over a past period. The same pure detector
// (source/detect/) the console runs gets each step's snapshots and the step's time as its
// clock, so for the same data a replay raises the alerts a console polling at those instants
// would have raised. Deterministic: the steps are on an absolute grid, every window ends
// exactly at its step (window.ts), and nothing reads the wall clock.
//
// Speed: a step needs one `_msearch`; 12 h at 30 s is 1,440 of them. Steps are independent
// questions to the cluster (only the detector, which is cheap, is sequential), so they are
// sent `batchSteps` to one `_msearch` with `inFlight` of those in flight at once, and the
// detector consumes their answers in step order. bench/replay.ts measures it against the
// naive one-poll-per-step loop.
import type { FetchWindow } from '../cluster/fetch.js';
import { ClusterError } from '../cluster/types.js';
import type { Snapshot } from '../contracts/snapshot.js';
import { createDetectorState, type DetectorState, detect } from '../detect/detector.js';
import type { DetectionSettings } from '../detect/settings.js';
import { type DetectionWindows, type Step, stepWindows } from './steps.js';
import { stepEvents, type TimelineEvent } from './timeline.js';

/** Answers the windows in order (one `_msearch`): fetchSnapshots on a client, in the product. */
export type FetchSteps = (windows: FetchWindow[], signal?: AbortSignal) => Promise<Snapshot[]>;

export interface ReplayOptions {
  steps: readonly Step[];
  windows: DetectionWindows;
  settings: DetectionSettings;
  fetch: FetchSteps;
  /** Steps per `_msearch` (default 4). */
  batchSteps?: number;
  /** `_msearch` requests in flight at once (default 2: the cluster runs each one's searches in parallel already). */
  inFlight?: number;
  signal?: AbortSignal;
  /** Called after each step, in order, with the state and that step's events. */
  onStep?: (step: Step, state: DetectorState, events: TimelineEvent[]) => void;
}

export interface ReplayResult {
  state: DetectorState;
  events: TimelineEvent[];
  steps: number;
  /** `_msearch` round trips made. */
  requests: number;
  /**
   * Problems with the data behind the steps (no indices, failed shards), each with the
   * number of steps it affected: "no data" must not read as "no attacks".
   */
  warnings: { text: string; steps: number }[];
}

export interface StepAnswer {
  snapshot: Snapshot;
  slowSnapshot: Snapshot | null;
}

async function fetchBatch(batch: readonly Step[], options: ReplayOptions): Promise<StepAnswer[]> {
  const windows = batch.flatMap((step) => stepWindows(step, options.windows));
  const snapshots = await options.fetch(windows, options.signal);
  if (snapshots.length !== windows.length)
    throw new ClusterError('bad-response', `expected ${windows.length} snapshots, got ${snapshots.length}`);
  const answers: StepAnswer[] = [];
  let index = 0;
  for (const step of batch) {
    const snapshot = snapshots[index++]!;
    const slowSnapshot = step.slowDue ? snapshots[index++]! : null;
    answers.push({ snapshot, slowSnapshot });
  }
  return answers;
}

/** The detector run over answered steps in order: state, timeline events, data warnings. */
function detectorRun(options: Pick<ReplayOptions, 'settings' | 'onStep'>) {
  let state = createDetectorState();
  const events: TimelineEvent[] = [];
  const warnings = new Map<string, number>();
  return {
    take(step: Step, answer: StepAnswer): void {
      const previous = state;
      const seen = new Set([...(answer.snapshot.warnings ?? []), ...(answer.slowSnapshot?.warnings ?? [])]);
      for (const text of seen) warnings.set(text, (warnings.get(text) ?? 0) + 1);
      state = detect(state, answer, options.settings, step.at);
      const stepped = stepEvents(previous, state, step.at);
      events.push(...stepped);
      options.onStep?.(step, state, stepped);
    },
    result(steps: number, requests: number): ReplayResult {
      return {
        state,
        events,
        steps,
        requests,
        warnings: [...warnings].map(([text, count]) => ({ text, steps: count })),
      };
    },
  };
}

export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  const batchSteps = Math.max(1, Math.floor(options.batchSteps ?? 4));
  const inFlight = Math.max(1, Math.floor(options.inFlight ?? 2));
  const batches: Step[][] = [];
  for (let start = 0; start < options.steps.length; start += batchSteps)
    batches.push(options.steps.slice(start, start + batchSteps));

  // Keep `inFlight` batches requested ahead of the one being consumed; a failure stops the
  // replay (the caller reports it) after the requests already sent have settled.
  const pending: Promise<StepAnswer[]>[] = [];
  let next = 0;
  const request = () => {
    const batch = batches[next++];
    if (!batch) return;
    const answer = fetchBatch(batch, options);
    answer.catch(() => undefined); // observed below, in order
    pending.push(answer);
  };
  for (let i = 0; i < inFlight; i++) request();

  const run = detectorRun(options);
  let consumed = 0;
  try {
    for (const batch of batches) {
      const answers = await pending[consumed]!;
      consumed += 1;
      request();
      batch.forEach((step, index) => {
        run.take(step, answers[index]!);
      });
    }
  } finally {
    await Promise.allSettled(pending.slice(consumed));
  }
  return run.result(options.steps.length, batches.length);
}

/** Answers one step; called in step order, one call at a time (incremental.ts). */
export type AnswerStep = (step: Step, signal?: AbortSignal) => Promise<StepAnswer>;

export interface SteppedReplayOptions extends Omit<ReplayOptions, 'fetch' | 'batchSteps' | 'inFlight'> {
  /**
   * A new lane: a stateful source that answers the steps given to it (`steps`, the ones it
   * will be asked, in order), one at a time.
   */
  lane: (steps: readonly Step[]) => AnswerStep;
  /**
   * Lanes stepping at once (default 1): lane k answers steps k, k + lanes, k + 2 × lanes, …
   * Each lane reads every slice of the period and its first step reads a whole window, so
   * more lanes cost more than they overlap on 2 cores (bench:replay, 12 h at 100,000/h, 1.2M
   * events: 1 lane 198 s, 4 lanes 332 s; the last hour alone 26.8 s against 63–98 s).
   */
  lanes?: number;
}

/**
 * The same replay with stateful sources that answer step after step (the incremental
 * snapshots: each step reads only what changed since that lane's previous step). A step
 * costs round trips one after the other (slices, then the rows shown), so several lanes step
 * at once, round robin, each at most two of its steps ahead of the detector; the detector
 * consumes the answers in step order. Each lane reads the period's slices once.
 */
export async function runSteppedReplay(options: SteppedReplayOptions): Promise<ReplayResult> {
  const steps = options.steps;
  const count = Math.max(1, Math.min(Math.floor(options.lanes ?? 1), steps.length || 1));
  const lanes = Array.from({ length: count }, (_, lane) =>
    options.lane(steps.filter((_, index) => index % count === lane)),
  );
  const tails: Promise<unknown>[] = lanes.map(() => Promise.resolve());
  const pending: (Promise<StepAnswer> | undefined)[] = [];
  let started = 0;
  const start = () => {
    const index = started++;
    const step = steps[index];
    if (!step) return;
    const lane = index % count;
    const answer = tails[lane]!.then(() => {
      if (options.signal?.aborted) throw new ClusterError('aborted', 'the replay was aborted');
      return lanes[lane]!(step, options.signal);
    });
    answer.catch(() => undefined); // observed below, in order
    tails[lane] = answer.catch(() => undefined);
    pending[index] = answer;
  };
  while (started < Math.min(steps.length, 2 * count)) start();
  const run = detectorRun(options);
  let consumed = 0;
  try {
    for (const step of steps) {
      const answer = await pending[consumed]!;
      pending[consumed] = undefined;
      consumed += 1;
      start();
      run.take(step, answer);
    }
  } finally {
    // A failure stops the replay once what was started has settled.
    started = steps.length;
    await Promise.allSettled(tails);
  }
  return run.result(steps.length, steps.length);
}

// The fast way to step the detector through the past: the incremental snapshots of
// source/cluster/incremental/ (the same Snapshot as the full query, field for field, from
// the window's slices), one instance for the window and one for the slow window, each
// polled as of the step's time. Past data: a slice is sealed once a step's time is past its
// end by the late margin, so a step reads only the slices new since the lane's previous step
// plus the small searches for the rows shown, instead of counting the 15 m and the 6 h window
// again at every step (engine.ts's batched full path). Nothing is resynced: the data of a
// past period is all there already.
//
// Slices are cut to the steps' spacing (stepSliceMs): the slow window (6 min buckets) is
// polled every minute, so each step moved its window by less than a bucket; with slices of
// the bucket size every such step realigned the slices and was answered by the full 6 h
// query (bench:replay: incremental 11.5 min for 12 h against 10.8 min batched); with 1 min
// slices every step keeps what the one before read (3.3 min).
// A stepper is one lane of runSteppedReplay: its steps come in time order, one at a time.
import { createIncrementalSnapshots, type IncrementalSnapshots } from '../cluster/incremental/engine.js';
import type { ClusterClient } from '../cluster/types.js';
import { bucketSize } from '../cluster/window.js';
import type { Config } from '../config/types.js';
import type { AnswerStep, StepAnswer } from './engine.js';
import type { DetectionWindows, Step } from './steps.js';

export interface IncrementalStepper {
  answer: AnswerStep;
  /** Polls made (each one or two `_msearch` round trips per window). */
  polls(): number;
}

/** At most this many slices a bucket: finer spacing is left to the full query (memory, merge time). */
export const MAX_SLICES_PER_BUCKET = 12;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The slice size that keeps a window's slices from one of `instants` to the next: the
 * largest divisor of its bucket size that divides every spacing (so each step's window starts
 * on the same slice grid), in whole seconds, at most MAX_SLICES_PER_BUCKET a bucket;
 * `undefined` (the bucket size) otherwise.
 */
export function stepSliceMs(windowMs: number, instants: readonly number[]): number | undefined {
  const bucketMs = bucketSize(windowMs);
  const fits = (slice: number) => slice % 1000 === 0 && bucketMs / slice <= MAX_SLICES_PER_BUCKET;
  let slice = bucketMs;
  for (let i = 1; i < instants.length; i++) {
    const next = gcd(slice, Math.abs(instants[i]! - instants[0]!));
    // An off-grid last step (a lookback's "previous poll", steps.ts) realigns once, at the
    // end, rather than every step before it.
    if (!fits(next) && i === instants.length - 1) break;
    slice = next;
  }
  return slice === bucketMs || !fits(slice) ? undefined : slice;
}

export function incrementalStepper(
  client: ClusterClient,
  config: Config,
  windows: DetectionWindows,
  laneSteps: readonly Step[] = [],
): IncrementalStepper {
  // Steps farther apart than the late margin's slices are read directly, not by the full query
  // and a background fill (engine.ts directSlices): the data of the past is not arriving.
  const options = { resyncMs: Number.POSITIVE_INFINITY, directSlices: Number.POSITIVE_INFINITY };
  const shortSlice = stepSliceMs(
    windows.windowMs,
    laneSteps.map((step) => step.at),
  );
  const short = createIncrementalSnapshots(client, config, {
    ...options,
    ...(shortSlice ? { sliceMs: shortSlice } : {}),
  });
  // Custom rules ride along with the short window only (as steps.ts stepWindows asks).
  const slowSlice = stepSliceMs(
    windows.slow.windowMs,
    laneSteps.filter((step) => step.slowDue).map((step) => step.at),
  );
  const slow: IncrementalSnapshots | null = windows.slow.enabled
    ? createIncrementalSnapshots(
        client,
        { ...config, customRules: [] },
        { ...options, ...(slowSlice ? { sliceMs: slowSlice } : {}) },
      )
    : null;
  let polls = 0;
  let lastAt = Number.NEGATIVE_INFINITY;
  return {
    async answer(step: Step, signal?: AbortSignal): Promise<StepAnswer> {
      // Sealed slices are only right for later steps: a step back starts from scratch.
      if (step.at < lastAt) {
        short.reset();
        slow?.reset();
      }
      lastAt = step.at;
      const asOf = { now: step.at, endAt: step.at, ...(signal ? { signal } : {}) };
      const [snapshot, slowSnapshot] = await Promise.all([
        short.fetch(windows.windowMs, asOf),
        step.slowDue && slow ? slow.fetch(windows.slow.windowMs, asOf) : Promise.resolve(null),
      ]);
      polls += slowSnapshot ? 2 : 1;
      return { snapshot, slowSnapshot };
    },
    polls: () => polls,
  };
}

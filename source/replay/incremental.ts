// The fast way to step the detector through the past: the incremental snapshots of
// source/cluster/incremental/ (the same Snapshot as the full query, field for field, from
// the window's slices), one instance for the window and one for the slow window, each
// polled as of the step's time. Past data: a slice is sealed once a step's time is past its
// end by the late margin, so a step reads only the newest slice(s) plus the small searches
// for the rows shown, instead of counting the 15 m and the 6 h window again at every step
// (engine.ts's batched full path). A step that realigns a window's slices (the slow
// window's 6 min slices stepped every minute) is answered by the full query. Nothing is resynced: the data of a past period is all there already.
// A stepper is one lane of runSteppedReplay: its steps come in time order, one at a time.
import { createIncrementalSnapshots, type IncrementalSnapshots } from '../cluster/incremental/engine.js';
import type { ClusterClient } from '../cluster/types.js';
import type { Config } from '../config/types.js';
import type { AnswerStep, StepAnswer } from './engine.js';
import type { DetectionWindows, Step } from './steps.js';

export interface IncrementalStepper {
  answer: AnswerStep;
  /** Polls made (each one or two `_msearch` round trips per window). */
  polls(): number;
}

export function incrementalStepper(
  client: ClusterClient,
  config: Config,
  windows: DetectionWindows,
): IncrementalStepper {
  const options = { resyncMs: Number.POSITIVE_INFINITY };
  const short = createIncrementalSnapshots(client, config, options);
  // Custom rules ride along with the short window only (as steps.ts stepWindows asks).
  const slow: IncrementalSnapshots | null = windows.slow.enabled
    ? createIncrementalSnapshots(client, { ...config, customRules: [] }, options)
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

// One evaluation: what a console would show at a time, now or as of a past time. The windows
// at that time are the poller's (steps.ts), fetched in ONE `_msearch`; the detector is the
// console's. Live (`at` absent) the window ends after now exactly as the poller's does;
// `--at` ends it exactly at that time (window.ts), like a replay step.
// The alerts have the state the lifecycle would have given them: the detector is first run
// over a lookback before that time (steps.ts lookbackSteps: back over the slow window, one
// poll a minute over the last window + quietAfter + closeAfter, then the console's previous poll), so an alert that was already firing at the previous poll is
// active, not new, one that stopped is quiet or closed, and slow brute force knows which
// failures a brute-force alert already reported. Only what is older than the lookback is
// forgotten (a repeat offender whose last alert closed before it). `lookbackMs: 0` is the
// bare evaluation (every alert `new`). The lookback's polls step the incremental snapshots
// (incremental.ts, one lane: each poll reads only the slices new since the previous one):
// on 12 h at 100,000 failures/hour (1.2M events), `once --at` with the default lookback took
// 58.6 s (2.2 s with `--lookback 0`; 114 s before the slices followed the steps' spacing).
import { type FetchWindow, fetchSnapshots } from '../cluster/fetch.js';
import { type ClusterClient, ClusterError } from '../cluster/types.js';
import type { Config } from '../config/types.js';
import type { Snapshot } from '../contracts/snapshot.js';
import { createDetectorState, type DetectorState, detect } from '../detect/detector.js';
import { detectionSettings } from '../detect/settings.js';
import { runSteppedReplay } from './engine.js';
import { incrementalStepper } from './incremental.js';
import {
  type DetectionWindows,
  defaultLookback,
  detectionWindows,
  lookbackSteps,
  stepWindows,
} from './steps.js';

export interface Evaluation {
  /** Detector clock: the `--at` time, or the run's wall clock. */
  at: number;
  /** True for `--at` (the windows end exactly at `at`). */
  asOf: boolean;
  windows: DetectionWindows;
  /** The windows of the one `_msearch`, in order (short, then long when enabled). */
  fetchWindows: FetchWindow[];
  snapshot: Snapshot;
  slowSnapshot: Snapshot | null;
  state: DetectorState;
  /** The polls replayed before `at` (none with a lookback of 0). */
  lookback: { ms: number; steps: number };
}

export interface EvaluateOptions {
  at?: number;
  now?: number;
  /** How far back the detector is replayed first (default defaultLookback; 0 = none). */
  lookbackMs?: number;
  signal?: AbortSignal;
}

export async function evaluateOnce(
  client: ClusterClient,
  config: Config,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const asOf = options.at !== undefined;
  const at = options.at ?? options.now ?? Date.now();
  const windows = detectionWindows(config);
  const settings = detectionSettings(config);
  const signal = options.signal ? { signal: options.signal } : {};
  const fetchWindows = stepWindows({ at, slowDue: windows.slow.enabled }, windows).map((window, index) => {
    const base = asOf
      ? window
      : { windowMs: window.windowMs, includeCustomRules: window.includeCustomRules ?? false };
    // The short window also reads each service's newest event (ingest lag, issue 13 A3).
    return index === 0 ? { ...base, includeNewest: true } : base;
  });
  const lookback = defaultLookback(config);
  if (options.lookbackMs !== undefined) lookback.ms = Math.max(0, options.lookbackMs);
  const steps = lookbackSteps(at, lookback, config.refreshMs, windows);
  // The evaluation's own `_msearch` goes out with the lookback's, not after it.
  const current = fetchSnapshots(client, config, fetchWindows, { now: at, ...signal });
  current.catch(() => undefined); // awaited below
  const history =
    steps.length === 0
      ? createDetectorState()
      : (
          await runSteppedReplay({
            steps,
            windows,
            settings,
            lane: (laneSteps) => incrementalStepper(client, config, windows, laneSteps).answer,
            ...signal,
          })
        ).state;
  const [snapshot, slowSnapshot] = await current;
  if (!snapshot) throw new ClusterError('bad-response', 'no snapshot was parsed');
  const state = detect(history, { snapshot, slowSnapshot: slowSnapshot ?? null }, settings, at);
  return {
    at,
    asOf,
    windows,
    fetchWindows,
    snapshot,
    slowSnapshot: slowSnapshot ?? null,
    state,
    lookback: { ms: lookback.ms, steps: steps.length },
  };
}

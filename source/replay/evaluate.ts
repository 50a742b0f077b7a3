// One evaluation: what a console would show after its first poll, now or as of a past time.
// The windows are the poller's (steps.ts), fetched in ONE `_msearch`; the detector is the
// console's. Live (`at` absent) the window ends after now exactly as the poller's does;
// `--at` ends it exactly at that time (window.ts), like a replay step.
// One evaluation has no history: every alert it finds is `new`, and a slow-brute-force check
// cannot know that a brute-force alert already reported a burst (the live console and replay
// remember that). docs/snapshot.md says so.
import { type FetchWindow, fetchSnapshots } from '../cluster/fetch.js';
import { type ClusterClient, ClusterError } from '../cluster/types.js';
import type { Config } from '../config/types.js';
import type { Snapshot } from '../contracts/snapshot.js';
import { createDetectorState, type DetectorState, detect } from '../detect/detector.js';
import { detectionSettings } from '../detect/settings.js';
import { type DetectionWindows, detectionWindows, stepWindows } from './steps.js';

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
}

export async function evaluateOnce(
  client: ClusterClient,
  config: Config,
  options: { at?: number; now?: number; signal?: AbortSignal } = {},
): Promise<Evaluation> {
  const asOf = options.at !== undefined;
  const at = options.at ?? options.now ?? Date.now();
  const windows = detectionWindows(config);
  const fetchWindows = stepWindows({ at, slowDue: windows.slow.enabled }, windows).map((window, index) => {
    const base = asOf
      ? window
      : { windowMs: window.windowMs, includeCustomRules: window.includeCustomRules ?? false };
    // The short window also reads each service's newest event (ingest lag, issue 13 A3).
    return index === 0 ? { ...base, includeNewest: true } : base;
  });
  const [snapshot, slowSnapshot] = await fetchSnapshots(client, config, fetchWindows, {
    now: at,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!snapshot) throw new ClusterError('bad-response', 'no snapshot was parsed');
  const state = detect(
    createDetectorState(),
    { snapshot, slowSnapshot: slowSnapshot ?? null },
    detectionSettings(config),
    at,
  );
  return { at, asOf, windows, fetchWindows, snapshot, slowSnapshot: slowSnapshot ?? null, state };
}

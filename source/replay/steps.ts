// The poll schedule of a past period, computed the way the live poller polls (poller.ts):
// every step the short window ends at the step's time; the long window (slow brute force and
// success-after-failure correlation) rides along when `rules.slowBruteForce.refresh` has passed
// since it was last fetched. Pure: the same period gives the same steps on every run.
import type { FetchWindow } from '../cluster/fetch.js';
import type { Config } from '../config/types.js';

export interface DetectionWindows {
  windowMs: number;
  slow: { enabled: boolean; windowMs: number; refreshMs: number };
}

/**
 * The windows a poll fetches: the short window, and the long window serving slow brute force
 * and success-after-failure (the longer of the two when both are on), as the poller does.
 */
export function detectionWindows(config: Config, windowMs = config.windowMs): DetectionWindows {
  const { slowBruteForce, successAfterFailure } = config.rules;
  return {
    windowMs,
    slow: {
      enabled: slowBruteForce.enabled || successAfterFailure.enabled,
      windowMs: Math.max(
        slowBruteForce.windowMs,
        successAfterFailure.enabled ? successAfterFailure.correlationMs : 0,
      ),
      refreshMs: slowBruteForce.refreshMs,
    },
  };
}

export interface Step {
  /** Epoch ms: the detector's clock at this step and the (exclusive) end of its windows. */
  at: number;
  /** The long window is fetched at this step. */
  slowDue: boolean;
}

/**
 * Steps from `from` to `to` (both included when on the grid), on the absolute grid of
 * multiples of `stepMs`: the same instants whatever the requested bounds, so two replays over
 * overlapping periods ask the same questions (and the request cache answers repeats).
 */
export function replaySteps(from: number, to: number, stepMs: number, windows: DetectionWindows): Step[] {
  if (!Number.isFinite(stepMs) || stepMs <= 0) throw new RangeError(`step must be positive (got ${stepMs})`);
  if (!(from <= to)) throw new RangeError('the period must end after it starts');
  const steps: Step[] = [];
  let lastSlowAt: number | null = null;
  for (let at = Math.ceil(from / stepMs) * stepMs; at <= to; at += stepMs) {
    const slowDue =
      windows.slow.enabled && (lastSlowAt === null || at - lastSlowAt >= windows.slow.refreshMs);
    if (slowDue) lastSlowAt = at;
    steps.push({ at, slowDue });
  }
  return steps;
}

/** What one step asks for: the windows of the poll at `step.at`, ending exactly there. */
export function stepWindows(step: Step, windows: DetectionWindows): FetchWindow[] {
  const short: FetchWindow = { windowMs: windows.windowMs, endAt: step.at, includeCustomRules: true };
  if (!step.slowDue) return [short];
  return [short, { windowMs: windows.slow.windowMs, endAt: step.at, includeCustomRules: false }];
}

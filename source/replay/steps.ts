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

/**
 * How far back a one-shot evaluation (`once`, the console's "as of") replays before its time,
 * so that its alerts have the state the lifecycle would have given them (new only when they
 * appeared at the last poll, quiet, recently closed): `recentMs`, long enough for an alert to
 * fire through the window, go quiet and close, polled once a minute; and, when slow brute
 * force is on, back over the slow window, polled every half window: enough for every burst
 * in it to have been seen by the brute-force rule, which slow brute force defers to (a burst
 * the console reported as brute force does not come back as "slow").
 */
export function defaultLookback(config: Config): { ms: number; recentMs: number } {
  const recentMs = config.windowMs + config.rules.quietAfterMs + config.rules.closeAfterMs;
  const slowMs = config.rules.slowBruteForce.enabled ? config.rules.slowBruteForce.windowMs : 0;
  return { ms: Math.max(recentMs, slowMs), recentMs };
}

/** Steps of the recent lookback: one a minute is enough for lifecycle times counted in minutes. */
export const LOOKBACK_STEP_MS = 60_000;

/**
 * The polls replayed before an evaluation at `at`, on absolute grids (the same instants on
 * every run): every half window from `at - ms`, every LOOKBACK_STEP_MS over the last
 * `recentMs`, then one at `at - refreshMs`, the console's previous poll, so "new" at `at`
 * means what it means live (first found at this poll). `at` itself is not included: the
 * caller evaluates it, with the slow window fetched fresh.
 */
export function lookbackSteps(
  at: number,
  lookback: { ms: number; recentMs: number },
  refreshMs: number,
  windows: DetectionWindows,
): Step[] {
  if (!(lookback.ms > 0)) return [];
  const previous = at - Math.min(refreshMs, lookback.ms);
  const recentFrom = at - Math.min(lookback.ms, lookback.recentMs);
  const coarseMs = Math.max(LOOKBACK_STEP_MS, Math.floor(windows.windowMs / 2 / 1000) * 1000);
  const instants: number[] = [];
  for (let t = Math.ceil((at - lookback.ms) / coarseMs) * coarseMs; t < recentFrom; t += coarseMs)
    instants.push(t);
  for (
    let t = Math.ceil(recentFrom / LOOKBACK_STEP_MS) * LOOKBACK_STEP_MS;
    t < previous;
    t += LOOKBACK_STEP_MS
  )
    instants.push(t);
  instants.push(previous);
  let lastSlowAt: number | null = null;
  return instants.map((t) => {
    const slowDue = windows.slow.enabled && (lastSlowAt === null || t - lastSlowAt >= windows.slow.refreshMs);
    if (slowDue) lastSlowAt = t;
    return { at: t, slowDue };
  });
}

// Retry delays while the cluster is down: exponential, capped, with jitter so that several
// consoles that lost the same cluster do not all come back in the same millisecond.
import type { ClusterErrorKind } from './types.js';

export interface BackoffSettings {
  /** First retry delay (ms). */
  baseMs: number;
  /** Longest delay (ms); also the pace of retries after a non-transient error. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { baseMs: 1000, maxMs: 30_000 };

/**
 * Delay before retry number `attempt` (1-based): base·2^(attempt−1), capped at max, then
 * scaled by a factor in [0.5, 1) from `random` ("equal jitter": never less than half).
 */
export function backoffDelay(
  attempt: number,
  settings: BackoffSettings,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** exponent);
  const factor = 0.5 + Math.min(Math.max(random(), 0), 0.999_999) / 2;
  return Math.max(1, Math.round(ceiling * factor));
}

/**
 * Errors that waiting may cure (the cluster is down, busy or slow) versus errors that need a
 * person (credentials, privileges, TLS, a mapping that does not fit the query). The poller
 * keeps retrying both, but reports the second kind as `error` rather than `reconnecting`.
 */
export function isTransient(kind: ClusterErrorKind): boolean {
  return (
    kind === 'unreachable' ||
    kind === 'dns' ||
    kind === 'timeout' ||
    kind === 'rate-limited' ||
    kind === 'unavailable' ||
    kind === 'unknown'
  );
}

// The time window of a snapshot, aligned to its timeline buckets. About 60 buckets of whole
// seconds; `to` is the first bucket boundary after `now` and `from = to - window`, so the
// timeline histogram returns exactly `buckets` buckets (empty ones included) and the same
// request repeats byte for byte within a bucket period, which lets the shard request cache
// answer it when the index has not been refreshed in between.
// An "as of" window (`once --at`, replay) ends exactly at the given time instead: `to = endAt`
// (exclusive), so it holds what had happened before that instant and nothing after, and the
// request is the same bytes for the same instant on every run (the request cache answers a
// re-run). Its buckets are then aligned to `to` (the histogram gets an offset when `to` is not
// a multiple of the bucket size, e.g. the 6 h slow window's 6 min buckets at a 30 s step).

export const TARGET_BUCKETS = 60;

export interface SnapshotWindow {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  /** to - from; the requested window rounded up to whole buckets. */
  ms: number;
  bucketMs: number;
  buckets: number;
}

/** Bucket size for a window: window/60 rounded to whole seconds, at least 1 s. */
export function bucketSize(windowMs: number): number {
  return Math.max(1000, Math.round(windowMs / TARGET_BUCKETS / 1000) * 1000);
}

export function snapshotWindow(windowMs: number, now: number): SnapshotWindow {
  if (!Number.isFinite(windowMs) || windowMs <= 0)
    throw new RangeError(`window must be positive (got ${windowMs})`);
  if (!Number.isFinite(now)) throw new RangeError('now must be a finite epoch time');
  const bucketMs = bucketSize(windowMs);
  // A window that is not a whole number of buckets (e.g. 1000 s with 17 s buckets) is
  // widened to the next whole bucket so every bucket has the same width.
  const buckets = Math.ceil(windowMs / bucketMs);
  // Strictly after `now`, so an event stamped exactly `now` is inside the window.
  const to = Math.floor(now / bucketMs) * bucketMs + bucketMs;
  const ms = buckets * bucketMs;
  return { from: to - ms, to, ms, bucketMs, buckets };
}

/** The window of `windowMs` ending exactly at `endAt` (exclusive): the "as of" window. */
export function snapshotWindowEndingAt(windowMs: number, endAt: number): SnapshotWindow {
  if (!Number.isFinite(windowMs) || windowMs <= 0)
    throw new RangeError(`window must be positive (got ${windowMs})`);
  if (!Number.isFinite(endAt)) throw new RangeError('the end time must be a finite epoch time');
  const bucketMs = bucketSize(windowMs);
  const buckets = Math.ceil(windowMs / bucketMs);
  const ms = buckets * bucketMs;
  const to = Math.floor(endAt);
  return { from: to - ms, to, ms, bucketMs, buckets };
}

/** Histogram offset that makes buckets start at `window.from` (0 for live, aligned windows). */
export function bucketOffset(window: SnapshotWindow): number {
  return ((window.from % window.bucketMs) + window.bucketMs) % window.bucketMs;
}

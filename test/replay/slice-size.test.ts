import { describe, expect, it } from 'vitest';
import { slicedWindow } from '../../source/cluster/incremental/engine.js';
import {
  detailBucketsPerSlice,
  ipGroups,
  SLICE_SEARCH_BUCKETS,
} from '../../source/cluster/incremental/row-slices.js';
import { snapshotWindowEndingAt } from '../../source/cluster/window.js';
import { MAX_SLICES_PER_BUCKET, stepSliceMs } from '../../source/replay/incremental.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 11, 3, 5, 0, 0);

describe('slices cut to a replay lane’s spacing', () => {
  it('the 6 h window (6 min buckets) stepped every 2 min gets 2 min slices', () => {
    const instants = [0, 1, 2, 3].map((k) => T0 + k * 2 * MINUTE);
    expect(stepSliceMs(6 * HOUR, instants)).toBe(2 * MINUTE);
  });

  it('a spacing of whole buckets needs no finer slices', () => {
    expect(stepSliceMs(15 * MINUTE, [T0, T0 + 2 * MINUTE, T0 + 4 * MINUTE])).toBeUndefined();
    expect(stepSliceMs(6 * HOUR, [T0])).toBeUndefined();
  });

  it('mixed spacings take the divisor of all of them', () => {
    // 90 s and 60 s apart: every window starts on the 30 s grid.
    expect(stepSliceMs(6 * HOUR, [T0, T0 + 90_000, T0 + 150_000])).toBe(30_000);
  });

  it('a spacing of less than a whole second, or too fine for the bucket, is left to the full query', () => {
    expect(stepSliceMs(6 * HOUR, [T0, T0 + 60_500])).toBeUndefined();
    // 6 min buckets at 10 s spacing would be 36 slices a bucket.
    expect(360_000 / 10_000).toBeGreaterThan(MAX_SLICES_PER_BUCKET);
    expect(stepSliceMs(6 * HOUR, [T0, T0 + 10_000])).toBeUndefined();
  });

  it('an off-grid last step (a lookback’s previous poll) does not cost the steps before it their slices', () => {
    const instants = [T0, T0 + 2 * MINUTE, T0 + 4 * MINUTE, T0 + 5 * MINUTE - 5_123];
    expect(stepSliceMs(6 * HOUR, instants)).toBe(2 * MINUTE);
    // Off the grid earlier than last: nothing fits every step.
    expect(stepSliceMs(6 * HOUR, [T0, T0 + 60_500, T0 + 2 * MINUTE])).toBeUndefined();
  });

  it('slicedWindow keeps the bounds and cuts the buckets; a size that does not divide them is ignored', () => {
    const shown = snapshotWindowEndingAt(6 * HOUR, T0 + 2 * MINUTE);
    expect(slicedWindow(shown, 2 * MINUTE)).toEqual({ ...shown, bucketMs: 2 * MINUTE, buckets: 180 });
    expect(slicedWindow(shown, 7 * MINUTE)).toBe(shown);
    expect(slicedWindow(shown, 100_000)).toBe(shown);
    expect(slicedWindow(shown, undefined)).toBe(shown);
  });
});

describe('per-slice row searches stay under the cluster’s bucket limit', () => {
  const ips = Array.from({ length: 25 }, (_, k) => `198.51.100.${k}`);

  it('25 IPs over the 6 h window in 2 min slices are split (one search made 25 × 180 × 129 buckets)', () => {
    const window = slicedWindow(snapshotWindowEndingAt(6 * HOUR, T0), 2 * MINUTE);
    const groups = ipGroups(ips, window.buckets, detailBucketsPerSlice());
    expect(groups.flat()).toEqual(ips);
    for (const group of groups)
      expect(group.length * window.buckets * detailBucketsPerSlice()).toBeLessThanOrEqual(
        SLICE_SEARCH_BUCKETS,
      );
    expect(groups.length).toBeGreaterThan(1);
  });

  it('a steady poll that asks from the last few slices is one search', () => {
    expect(ipGroups(ips, 3, detailBucketsPerSlice())).toEqual([ips]);
    expect(ipGroups([], 3, 1)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { buildSnapshotSearches } from '../../source/cluster/query.js';
import { snapshotWindow, snapshotWindowEndingAt } from '../../source/cluster/window.js';
import {
  defaultLookback,
  detectionWindows,
  lookbackSteps,
  replaySteps,
  stepWindows,
} from '../../source/replay/steps.js';
import { testConfig } from '../support/config.js';

const T = Date.parse('2026-12-02T03:00:00.000Z');

describe('replay steps', () => {
  it('sit on the absolute grid of the step and fetch the slow window as the poller does', () => {
    const windows = detectionWindows(testConfig()); // slow refresh 1 m
    const steps = replaySteps(T + 10_000, T + 150_000, 30_000, windows);
    expect(steps.map((step) => (step.at - T) / 1000)).toEqual([30, 60, 90, 120, 150]);
    expect(steps.map((step) => step.slowDue)).toEqual([true, false, true, false, true]);
    expect(stepWindows(steps[0]!, windows)).toEqual([
      { windowMs: 900_000, endAt: T + 30_000, includeCustomRules: true },
      { windowMs: 6 * 3_600_000, endAt: T + 30_000, includeCustomRules: false },
    ]);
  });

  it('use the longer of the slow window and the success correlation window', () => {
    const config = testConfig({
      rules: {
        slowBruteForce: { enabled: false, threshold: 10, windowMs: 3_600_000, refreshMs: 60_000 },
        successAfterFailure: { enabled: true, failures: 5, correlationMs: 2 * 3_600_000 },
      },
    });
    expect(detectionWindows(config).slow).toEqual({
      enabled: true,
      windowMs: 2 * 3_600_000,
      refreshMs: 60_000,
    });
  });

  it('refuse an empty or reversed period and a zero step', () => {
    const windows = detectionWindows(testConfig());
    expect(() => replaySteps(T, T - 1, 30_000, windows)).toThrow(RangeError);
    expect(() => replaySteps(T, T + 1, 0, windows)).toThrow(RangeError);
  });
});

describe('as-of windows', () => {
  it('end exactly at the given time (exclusive), where a live window ends after now', () => {
    expect(snapshotWindowEndingAt(900_000, T + 7_000)).toEqual({
      from: T + 7_000 - 900_000,
      to: T + 7_000,
      ms: 900_000,
      bucketMs: 15_000,
      buckets: 60,
    });
    expect(snapshotWindow(900_000, T + 7_000).to).toBe(T + 15_000);
  });

  it('align the timeline buckets to their start with a histogram offset; live windows get none', () => {
    const config = testConfig({ indexPattern: 'x' });
    const timeline = (options: { now: number; endAt?: number; windowMs: number }) => {
      const { searches } = buildSnapshotSearches(config, options);
      const aggs = searches[0]!.body.aggs as { timeline: { histogram: Record<string, unknown> } };
      return aggs.timeline.histogram;
    };
    // 6 h window: 360 s buckets; an end at 03:00:30 is 30 s past a bucket boundary.
    expect(timeline({ now: 0, endAt: T + 30_000, windowMs: 6 * 3_600_000 })).toMatchObject({
      interval: 360_000,
      offset: 30_000,
      extended_bounds: { min: T + 30_000 - 6 * 3_600_000, max: T + 30_000 - 360_000 },
    });
    expect(timeline({ now: T + 30_000, windowMs: 6 * 3_600_000 })).not.toHaveProperty('offset');
    expect(timeline({ now: 0, endAt: T, windowMs: 900_000 })).not.toHaveProperty('offset');
  });
});

describe('lookback steps (once, as of)', () => {
  const windows = detectionWindows(testConfig()); // window 15 m, slow 6 h refreshed every minute
  const at = T + 7_000;

  it('poll every half window back over the slow window, every minute over the recent part, then at the previous poll', () => {
    const steps = lookbackSteps(at, { ms: 6 * 3_600_000, recentMs: 90 * 60_000 }, 5_000, windows);
    const coarse = steps.filter((step) => step.at < at - 90 * 60_000);
    const recent = steps.filter((step) => step.at >= at - 90 * 60_000);
    expect(coarse).toHaveLength((4.5 * 60) / 7.5);
    expect(coarse.every((step) => step.at % 450_000 === 0)).toBe(true);
    expect(recent.slice(0, -1).every((step) => step.at % 60_000 === 0)).toBe(true);
    // The previous poll (at − refresh) is 2 s after the last minute step: the slow window is not due.
    expect(recent.at(-1)).toEqual({ at: at - 5_000, slowDue: false });
    expect(recent.at(-2)!.at).toBe(T);
    expect(steps.every((step, index) => index === 0 || step.at > steps[index - 1]!.at)).toBe(true);
    expect(steps.filter((step) => step.slowDue).length).toBe(steps.length - 1);
  });

  it('are none for a lookback of 0, and follow the config by default', () => {
    expect(lookbackSteps(at, { ms: 0, recentMs: 90 * 60_000 }, 5_000, windows)).toEqual([]);
    expect(defaultLookback(testConfig())).toEqual({ ms: 6 * 3_600_000, recentMs: 90 * 60_000 });
    const noSlow = testConfig({ rules: { slowBruteForce: { enabled: false } } } as never);
    expect(defaultLookback(noSlow)).toEqual({ ms: 90 * 60_000, recentMs: 90 * 60_000 });
  });
});

// Bounded memory: however long the console runs and however many sources churn through,
// the detector state stays within fixed bounds.
import { describe, expect, it } from 'vitest';
import { createDetectorState, type DetectorState, detect } from '../../source/detect/detector.js';
import { CLOSED_MAX_AGE_MS, MAX_CLOSED_ALERTS, MAX_LIVE_ALERTS } from '../../source/detect/lifecycle.js';
import { MEMORY_MAX_ENTRIES } from '../../source/detect/memory.js';
import { iso, offender, service, settings, snapshot, T0 } from './builders.js';

const config = settings();
const PER_POLL = 10;

/** Poll `i`: PER_POLL sources never seen before, each over the brute-force threshold. */
function churn(i: number, now: number) {
  const offenders = Array.from({ length: PER_POLL }, (_, j) => {
    const n = i * PER_POLL + j;
    const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    return offender(ip, 5, { now, lastFailure: iso(now - 1000) });
  });
  return snapshot([service('ssh', offenders)], { now });
}

function size(state: DetectorState) {
  return {
    alerts: state.alerts.length,
    live: state.alerts.filter((alert) => alert.state !== 'closed').length,
    closed: state.alerts.filter((alert) => alert.state === 'closed').length,
    remembered: state.memory.alerts.size,
    sources: state.memory.sources.size,
  };
}

function expectBounded(state: DetectorState) {
  const now = size(state);
  expect(now.closed).toBeLessThanOrEqual(MAX_CLOSED_ALERTS);
  expect(now.live).toBeLessThanOrEqual(MAX_LIVE_ALERTS + PER_POLL);
  expect(now.remembered).toBeLessThanOrEqual(MEMORY_MAX_ENTRIES);
  expect(now.sources).toBeLessThanOrEqual(MEMORY_MAX_ENTRIES);
}

describe('bounded memory', () => {
  // 10 new sources every 5 s reach every bound by poll 199 (live cap at 99, closed feed at 119,
  // closed-alert and source memory at 199; measured). 600 polls hold them through two more
  // turnovers of the memory, in about 1 s (6 s on a loaded 2-core machine). The same churn over
  // 10,000 polls (14 h) with heap figures: `npx tsx bench/detector-memory.ts` (a bench, not a
  // unit test: it took 15–49 s).
  it('600 polls of churning sources, 5 s apart, keep the state bounded', () => {
    let state = createDetectorState();
    let now = T0;
    for (let i = 0; i < 600; i++) {
      now += 5000;
      state = detect(state, { snapshot: churn(i, now), slowSnapshot: null }, config, now);
      if (i % 100 === 99) expectBounded(state);
    }
    expectBounded(state);
    // Closed alerts seen are all younger than a day, and every bound has really been reached.
    expect(
      state.alerts.every((alert) => alert.closedAt == null || alert.closedAt > now - CLOSED_MAX_AGE_MS),
    ).toBe(true);
    expect(size(state).live).toBeGreaterThanOrEqual(MAX_LIVE_ALERTS);
    expect(size(state).closed).toBe(MAX_CLOSED_ALERTS);
    expect(size(state).remembered).toBe(MEMORY_MAX_ENTRIES);
    expect(size(state).sources).toBe(MEMORY_MAX_ENTRIES);
  });

  it('stays bounded even when the clock does not move (every source still new)', () => {
    let state = createDetectorState();
    // 300 polls bring 3,000 sources: three times the live cap.
    for (let i = 0; i < 300; i++) {
      state = detect(state, { snapshot: churn(i, T0), slowSnapshot: null }, config, T0);
    }
    expectBounded(state);
    expect(size(state).live).toBe(MAX_LIVE_ALERTS);
  });
});

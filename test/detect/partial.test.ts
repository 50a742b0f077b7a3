// Issue 13 A6 (detector part) and A8: a partial poll (failed shards) is missing data, not a
// drop, so an alert whose count fell neither goes quiet nor closes and is marked partial;
// an alert that stopped firing because the threshold was raised says which threshold.
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../source/contracts/snapshot.js';
import type { Alert } from '../../source/detect/alert.js';
import { createDetectorState, type DetectorState, detect, reevaluate } from '../../source/detect/detector.js';
import { withThreshold } from '../../source/detect/settings.js';
import { iso, MINUTE, offender, service, settings, snapshot, T0 } from './builders.js';

const config = settings(); // threshold 5, quiet after 5 min, closed after 30 min quiet
const IP = '203.0.113.5';
const ID = `brute-force|ssh|${IP}`;

function sshAt(now: number, failures: number, shards = { total: 3, failed: 0 }): Snapshot {
  return snapshot(
    [
      service('ssh', failures > 0 ? [offender(IP, failures, { now, lastFailure: iso(T0 - 1000) })] : [], {
        shards,
      }),
    ],
    { now },
  );
}

const PARTIAL = { total: 3, failed: 1 };

function poll(state: DetectorState, snap: Snapshot, now: number): DetectorState {
  return detect(state, { snapshot: snap, slowSnapshot: null }, config, now);
}

function alert(state: DetectorState): Alert {
  const found = state.alerts.find((entry) => entry.id === ID);
  if (!found) throw new Error(`no alert ${ID}`);
  return found;
}

describe('partial polls (A6)', () => {
  it('an alert whose count fell in a partial poll keeps its last whole count and is marked partial', () => {
    let state = poll(createDetectorState(), sshAt(T0, 30), T0);
    state = poll(state, sshAt(T0 + 5000, 21, PARTIAL), T0 + 5000);
    expect(alert(state)).toMatchObject({ failures: 30, partial: true, state: 'active' });
  });

  it('an alert that stops firing in partial polls does not go quiet or close, however long they last', () => {
    let state = poll(createDetectorState(), sshAt(T0, 30), T0);
    for (let minute = 1; minute <= 60; minute += 1) {
      state = poll(state, sshAt(T0 + minute * MINUTE, 3, PARTIAL), T0 + minute * MINUTE);
    }
    expect(alert(state)).toMatchObject({ failures: 30, partial: true, state: 'active', closedAt: null });
  });

  it('the first whole poll settles it as usual and clears the mark', () => {
    let state = poll(createDetectorState(), sshAt(T0, 30), T0);
    state = poll(state, sshAt(T0 + MINUTE, 0, PARTIAL), T0 + MINUTE);
    expect(alert(state).partial).toBe(true);
    state = poll(state, sshAt(T0 + 2 * MINUTE, 0), T0 + 2 * MINUTE);
    expect(alert(state)).toMatchObject({ partial: false, state: 'quiet' });
  });

  it('a whole poll with a lower count lowers it (the data says so)', () => {
    let state = poll(createDetectorState(), sshAt(T0, 30), T0);
    state = poll(state, sshAt(T0 + 5000, 21), T0 + 5000);
    expect(alert(state).failures).toBe(21);
    expect(alert(state).partial ?? false).toBe(false);
  });
});

describe('threshold raised above the count (A8)', () => {
  it('says which threshold it is below, and drops that once the threshold is lowered again', () => {
    let state = poll(createDetectorState(), sshAt(T0, 6), T0);
    state = reevaluate(state, withThreshold(config, 'ssh', 10), T0 + 1000);
    expect(alert(state)).toMatchObject({ state: 'quiet', belowThreshold: 10, failures: 6 });
    state = reevaluate(state, config, T0 + 2000);
    expect(alert(state)).toMatchObject({ state: 'active', belowThreshold: null });
  });

  it('an alert the window slid past is plainly quiet (not "below threshold")', () => {
    let state = poll(createDetectorState(), sshAt(T0, 6), T0);
    state = poll(state, sshAt(T0 + MINUTE, 0), T0 + MINUTE);
    expect(alert(state).state).toBe('quiet');
    expect(alert(state).belowThreshold ?? null).toBeNull();
  });
});

// The alert lifecycle under a fake clock: new → active → quiet → closed, back to active,
// repeat offenders, stale data, re-evaluation after a threshold change, rates.
import { describe, expect, it } from 'vitest';
import type { Offender, Snapshot } from '../../source/contracts/snapshot.js';
import type { Alert } from '../../source/detect/alert.js';
import {
  alertsNewestFirst,
  createDetectorState,
  type DetectorState,
  detect,
  reevaluate,
} from '../../source/detect/detector.js';
import { withThreshold } from '../../source/detect/settings.js';
import { iso, MINUTE, offender, service, settings, snapshot, T0 } from './builders.js';

const config = settings(); // quiet after 5 min, closed after 30 min quiet
const IP = '203.0.113.5';
const ID = `brute-force|ssh|${IP}`;

/** An SSH snapshot at `now` with one offender whose last failure is at `last`. */
function sshAt(now: number, failures: number, last: number, extra: Partial<Offender> = {}): Snapshot {
  return snapshot(
    [service('ssh', failures > 0 ? [offender(IP, failures, { now, lastFailure: iso(last), ...extra })] : [])],
    { now },
  );
}

function poll(state: DetectorState, snap: Snapshot, now: number, cfg = config): DetectorState {
  return detect(state, { snapshot: snap, slowSnapshot: null }, cfg, now);
}

function alert(state: DetectorState, id = ID): Alert {
  const found = state.alerts.find((entry) => entry.id === id);
  if (!found) throw new Error(`no alert ${id}`);
  return found;
}

describe('lifecycle', () => {
  it('new on the first poll, active on the next poll that still fires', () => {
    let state = poll(createDetectorState(), sshAt(T0, 5, T0 - 1000), T0);
    expect(alert(state)).toMatchObject({ state: 'new', firstSeen: T0, lastSeen: T0, lastChange: T0 });
    state = poll(state, sshAt(T0 + 5000, 5, T0 - 1000), T0 + 5000);
    expect(alert(state).state).toBe('active');
  });

  it('updates one alert as the attack grows instead of raising new ones', () => {
    let state = poll(createDetectorState(), sshAt(T0, 5, T0 - 1000), T0);
    state = poll(state, sshAt(T0 + 5000, 40, T0 + 4000, { distinctUsers: 3 }), T0 + 5000);
    expect(state.alerts).toHaveLength(1);
    expect(alert(state)).toMatchObject({
      failures: 40,
      distinctUsers: 3,
      firstSeen: T0,
      lastSeen: T0 + 5000,
      lastChange: T0 + 5000,
      lastFailure: iso(T0 + 4000),
      summary: '40 failures · 3 users · 15m',
    });
  });

  it('goes quiet after quietAfterMs without new failures, exactly at the boundary', () => {
    let state = poll(createDetectorState(), sshAt(T0, 5, T0 - 1000), T0);
    state = poll(state, sshAt(T0 + 5 * MINUTE - 1, 5, T0 - 1000), T0 + 5 * MINUTE - 1);
    expect(alert(state).state).toBe('active');
    state = poll(state, sshAt(T0 + 5 * MINUTE, 5, T0 - 1000), T0 + 5 * MINUTE);
    expect(alert(state)).toMatchObject({ state: 'quiet', quietSince: T0 + 5 * MINUTE });
  });

  it('a count that does not change keeps lastChange; one that drops moves it', () => {
    let state = poll(createDetectorState(), sshAt(T0, 8, T0 - 1000), T0);
    state = poll(state, sshAt(T0 + MINUTE, 8, T0 - 1000), T0 + MINUTE);
    expect(alert(state).lastChange).toBe(T0);
    state = poll(state, sshAt(T0 + 2 * MINUTE, 6, T0 - 1000), T0 + 2 * MINUTE);
    expect(alert(state)).toMatchObject({ lastChange: T0 + 2 * MINUTE, lastSeen: T0, failures: 6 });
  });

  it('back to active when failures resume while quiet', () => {
    let state = poll(createDetectorState(), sshAt(T0, 5, T0 - 1000), T0);
    state = poll(state, sshAt(T0 + 6 * MINUTE, 5, T0 - 1000), T0 + 6 * MINUTE);
    expect(alert(state).state).toBe('quiet');
    state = poll(state, sshAt(T0 + 7 * MINUTE, 6, T0 + 7 * MINUTE - 500), T0 + 7 * MINUTE);
    expect(alert(state)).toMatchObject({ state: 'active', quietSince: null, lastSeen: T0 + 7 * MINUTE });
    expect(state.alerts).toHaveLength(1);
  });

  it('quiet at once when it stops firing; closed after closeAfterMs quiet', () => {
    let state = poll(createDetectorState(), sshAt(T0, 5, T0 - 1000), T0);
    state = poll(state, sshAt(T0 + MINUTE, 0, 0), T0 + MINUTE);
    expect(alert(state)).toMatchObject({ state: 'quiet', quietSince: T0 + MINUTE, failures: 5 });
    state = poll(state, sshAt(T0 + 31 * MINUTE - 1, 0, 0), T0 + 31 * MINUTE - 1);
    expect(alert(state).state).toBe('quiet');
    state = poll(state, sshAt(T0 + 31 * MINUTE, 0, 0), T0 + 31 * MINUTE);
    expect(alert(state)).toMatchObject({ state: 'closed', closedAt: T0 + 31 * MINUTE });
  });

  it('closes closeAfterMs after going quiet while still firing on old data', () => {
    let state = poll(createDetectorState(), sshAt(T0, 5, T0 - 1000), T0);
    // quiet at T0 + 5 min (lastSeen + quietAfterMs), closed 30 min later.
    state = poll(state, sshAt(T0 + 35 * MINUTE - 1, 5, T0 - 1000), T0 + 35 * MINUTE - 1);
    expect(alert(state)).toMatchObject({ state: 'quiet', quietSince: T0 + 5 * MINUTE });
    state = poll(state, sshAt(T0 + 35 * MINUTE, 5, T0 - 1000), T0 + 35 * MINUTE);
    expect(alert(state).state).toBe('closed');
  });

  it('old failures still in the window do not reopen a closed alert; new ones do, as a repeat offender', () => {
    let state = poll(createDetectorState(), sshAt(T0, 5, T0 - 1000), T0);
    state = poll(state, sshAt(T0 + 35 * MINUTE, 5, T0 - 1000), T0 + 35 * MINUTE);
    expect(alert(state).state).toBe('closed');
    state = poll(state, sshAt(T0 + 36 * MINUTE, 5, T0 - 1000), T0 + 36 * MINUTE);
    expect(state.alerts.map((entry) => entry.state)).toEqual(['closed']);
    const back = T0 + 2 * 60 * MINUTE;
    state = poll(state, sshAt(back, 5, back - 1000), back);
    expect(state.alerts).toHaveLength(1);
    expect(alert(state)).toMatchObject({
      state: 'new',
      repeatOffender: true,
      firstSeen: back,
      acknowledged: false,
      closedAt: null,
      // low base + real account (root) + repeat offender = high
      severity: 'high',
    });
  });

  it('a repeat offender is recognised across rules and services', () => {
    let state = poll(createDetectorState(), sshAt(T0, 5, T0 - 1000), T0);
    state = poll(state, sshAt(T0 + 35 * MINUTE, 0, 0), T0 + 35 * MINUTE);
    const later = T0 + 3 * 60 * MINUTE;
    const spray = offender(IP, 5, { now: later, distinctUsers: 5, invalidUserFailures: 5 });
    state = poll(state, snapshot([service('rdp', [spray])], { now: later }), later);
    const fresh = state.alerts.filter((entry) => entry.state !== 'closed');
    expect(fresh.map((entry) => entry.id).sort()).toEqual([
      `brute-force|rdp|${IP}`,
      `enumeration|rdp|${IP}`,
      `spraying|rdp|${IP}`,
    ]);
    expect(fresh.every((entry) => entry.repeatOffender)).toBe(true);
  });

  it('records the peak rate: over the attack span, and from the count delta between polls', () => {
    // 60 failures within one minute → 60/min.
    let state = poll(createDetectorState(), sshAt(T0, 60, T0 - 1000, { firstFailure: iso(T0 - 61_000) }), T0);
    expect(alert(state).peakRate).toBe(60);
    // 300 more in the next 30 s poll: the delta (300 per 1 min minimum) beats the span average.
    state = poll(
      state,
      sshAt(T0 + 30_000, 360, T0 + 29_000, { firstFailure: iso(T0 - 61_000) }),
      T0 + 30_000,
    );
    expect(alert(state).peakRate).toBe(300);
    // A slower stretch does not lower the peak.
    state = poll(
      state,
      sshAt(T0 + 10 * MINUTE, 361, T0 + 10 * MINUTE - 1000, { firstFailure: iso(T0 - 61_000) }),
      T0 + 10 * MINUTE,
    );
    expect(alert(state).peakRate).toBe(300);
  });
});

describe('re-evaluation after a settings change', () => {
  it('a lower threshold raises alerts at once, without a new snapshot', () => {
    let state = poll(createDetectorState(), sshAt(T0, 3, T0 - 1000), T0);
    expect(state.alerts).toEqual([]);
    state = reevaluate(state, withThreshold(config, 'ssh', 3), T0 + 2000);
    expect(state.alerts.map((entry) => entry.id)).toEqual([ID]);
    expect(alert(state)).toMatchObject({ state: 'new', threshold: 3, firstSeen: T0 + 2000 });
  });

  it('a higher threshold quiets alerts at once; lowering it again makes them active', () => {
    let state = poll(createDetectorState(), sshAt(T0, 6, T0 - 1000), T0);
    state = poll(state, sshAt(T0 + 5000, 7, T0 + 4000), T0 + 5000);
    expect(alert(state).state).toBe('active');
    const raised = withThreshold(config, 'ssh', 10);
    state = reevaluate(state, raised, T0 + 6000);
    expect(alert(state)).toMatchObject({ state: 'quiet', quietSince: T0 + 6000 });
    state = reevaluate(state, withThreshold(raised, 'ssh', 5), T0 + 7000);
    expect(alert(state)).toMatchObject({ state: 'active', quietSince: null });
  });

  it('keeps a new alert new until the next poll', () => {
    let state = poll(createDetectorState(), sshAt(T0, 5, T0 - 1000), T0);
    state = reevaluate(state, withThreshold(config, 'ssh', 4), T0 + 1000);
    expect(alert(state).state).toBe('new');
    state = poll(state, sshAt(T0 + 5000, 5, T0 - 1000), T0 + 5000, withThreshold(config, 'ssh', 4));
    expect(alert(state).state).toBe('active');
  });

  it('does nothing before the first snapshot', () => {
    const state = createDetectorState();
    expect(reevaluate(state, config, T0)).toBe(state);
  });

  it('does not mutate the previous state', () => {
    const first = poll(createDetectorState(), sshAt(T0, 5, T0 - 1000), T0);
    const copy = structuredClone(first.alerts);
    poll(first, sshAt(T0 + 5000, 50, T0 + 4000), T0 + 5000);
    reevaluate(first, withThreshold(config, 'ssh', 50), T0 + 6000);
    expect(first.alerts).toEqual(copy);
  });
});

describe('custom rules (no event times)', () => {
  const cfg = settings({
    customRules: [
      {
        name: 'lockouts',
        service: 'rdp',
        groupBy: 'user.name',
        metric: 'count',
        threshold: 3,
        windowMs: 15 * MINUTE,
        severity: 'medium',
        technique: 'T1110',
      },
    ],
  });
  const at = (now: number, value: number) =>
    snapshot([], {
      now,
      customRules: [
        {
          rule: 'lockouts',
          service: 'rdp',
          windowMs: 15 * MINUTE,
          groups: value ? [{ key: 'bob', value, count: value }] : [],
        },
      ],
    });

  it('go quiet when the count stops growing, and reopen only after they stopped firing', () => {
    let state = poll(createDetectorState(), at(T0, 3), T0, cfg);
    state = poll(state, at(T0 + 5 * MINUTE, 3), T0 + 5 * MINUTE, cfg);
    expect(alert(state, 'custom:lockouts|rdp|bob').state).toBe('quiet');
    state = poll(state, at(T0 + 35 * MINUTE, 3), T0 + 35 * MINUTE, cfg);
    expect(alert(state, 'custom:lockouts|rdp|bob').state).toBe('closed');
    state = poll(state, at(T0 + 36 * MINUTE, 3), T0 + 36 * MINUTE, cfg);
    expect(state.alerts.map((entry) => entry.state)).toEqual(['closed']);
    state = poll(state, at(T0 + 40 * MINUTE, 0), T0 + 40 * MINUTE, cfg);
    state = poll(state, at(T0 + 50 * MINUTE, 3), T0 + 50 * MINUTE, cfg);
    expect(alert(state, 'custom:lockouts|rdp|bob')).toMatchObject({ state: 'new', repeatOffender: true });
  });
});

describe('alertsNewestFirst', () => {
  it("orders by the attack's first failure (event time), newest first, then by severity", () => {
    const first = (ip: string, minutesAgo: number, extra: Partial<Offender> = {}) =>
      offender(ip, 5, { firstFailure: iso(T0 - minutesAgo * MINUTE), ...extra });
    // .1 is seen first by the console but its attack started last.
    let state = poll(createDetectorState(), snapshot([service('ssh', [first('198.51.100.1', 1)])]), T0);
    const later = snapshot(
      [
        service('ssh', [
          first('198.51.100.1', 1),
          first('198.51.100.2', 5, { invalidUserFailures: 5 }),
          first('198.51.100.3', 10),
        ]),
      ],
      { now: T0 + 5000 },
    );
    state = poll(state, later, T0 + 5000);
    expect(alertsNewestFirst(state).map((entry) => `${entry.rule} ${entry.key} ${entry.severity}`)).toEqual([
      'brute-force 198.51.100.1 medium',
      'brute-force 198.51.100.2 low',
      'enumeration 198.51.100.2 low',
      'brute-force 198.51.100.3 medium',
    ]);
  });
});

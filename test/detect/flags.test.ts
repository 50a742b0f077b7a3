// offenderFlags: what the console shows in the flags column of an offender row.
import { describe, expect, it } from 'vitest';
import {
  applyAction,
  createDetectorState,
  type DetectorState,
  detect,
  offenderFlags,
} from '../../source/detect/detector.js';
import { withThreshold } from '../../source/detect/settings.js';
import {
  HOUR,
  iso,
  MINUTE,
  offender,
  rules,
  service,
  settings,
  slowSnapshot,
  snapshot,
  T0,
} from './builders.js';

const config = settings();

function stateWith(...offenders: ReturnType<typeof offender>[]): DetectorState {
  return detect(
    createDetectorState(),
    { snapshot: snapshot([service('ssh', offenders)]), slowSnapshot: null },
    config,
    T0,
  );
}

describe('offenderFlags', () => {
  it('flags each rule condition at its boundary', () => {
    const below = offender('203.0.113.1', 4, { distinctUsers: 4, invalidUserFailures: 4 });
    const at = offender('203.0.113.2', 5, { distinctUsers: 5, invalidUserFailures: 5 });
    const state = stateWith(below, at);
    expect(offenderFlags(state, config, 'ssh', below, T0)).toEqual([]);
    expect(offenderFlags(state, config, 'ssh', at, T0)).toEqual([
      'over-threshold',
      'spraying',
      'enumeration',
    ]);
  });

  it('follows a threshold change at once', () => {
    const row = offender('203.0.113.1', 4);
    const state = stateWith(row);
    expect(offenderFlags(state, withThreshold(config, 'ssh', 4), 'ssh', row, T0)).toEqual(['over-threshold']);
  });

  it('flags success after failure, also when only the slow window holds the failures', () => {
    const row = offender('203.0.113.3', 2, { successesAfterFailure: 1, firstSuccessAfterFailure: iso(T0) });
    const long = offender('203.0.113.3', 9, { firstFailure: iso(T0 - 2 * HOUR), successesAfterFailure: 1 });
    const state = detect(
      createDetectorState(),
      { snapshot: snapshot([service('ssh', [row])]), slowSnapshot: slowSnapshot([service('ssh', [long])]) },
      config,
      T0,
    );
    expect(offenderFlags(state, config, 'ssh', row, T0)).toEqual(['success-after-failure']);
    expect(offenderFlags(stateWith(row), config, 'ssh', row, T0)).toEqual([]);
  });

  it('flags slow sources below the short threshold', () => {
    const row = offender('203.0.113.4', 2);
    const long = offender('203.0.113.4', 10, { firstFailure: iso(T0 - 5 * HOUR) });
    const state = detect(
      createDetectorState(),
      { snapshot: snapshot([service('ssh', [row])]), slowSnapshot: slowSnapshot([service('ssh', [long])]) },
      config,
      T0,
    );
    expect(offenderFlags(state, config, 'ssh', row, T0)).toEqual(['slow']);
    const off = settings({
      rules: rules({ slowBruteForce: { ...config.rules.slowBruteForce, enabled: false } }),
    });
    expect(offenderFlags(state, off, 'ssh', row, T0)).toEqual([]);
  });

  it('keeps the numbers of allow-listed and muted sources visible, with their flag', () => {
    const row = offender('10.1.2.3', 20);
    const allow = settings({ allowList: { cidrs: ['10.0.0.0/8'], users: [] } });
    let state = detect(
      createDetectorState(),
      { snapshot: snapshot([service('ssh', [row])]), slowSnapshot: null },
      allow,
      T0,
    );
    expect(state.alerts).toEqual([]);
    expect(offenderFlags(state, allow, 'ssh', row, T0)).toEqual(['over-threshold', 'allow-listed']);
    state = applyAction(state, { type: 'mute', cidr: '10.1.0.0/16', untilMs: T0 + MINUTE }, T0);
    expect(offenderFlags(state, allow, 'ssh', row, T0)).toEqual(['over-threshold', 'muted', 'allow-listed']);
    expect(offenderFlags(state, allow, 'ssh', row, T0 + MINUTE)).toEqual(['over-threshold', 'allow-listed']);
  });

  it('flags repeat offenders once their earlier alert has closed', () => {
    const row = offender('203.0.113.5', 5);
    let state = stateWith(row);
    expect(offenderFlags(state, config, 'ssh', row, T0)).toEqual(['over-threshold']);
    const later = T0 + 40 * MINUTE;
    state = detect(
      state,
      { snapshot: snapshot([service('ssh', [])], { now: later }), slowSnapshot: null },
      config,
      later,
    );
    expect(state.alerts[0]?.state).toBe('closed');
    expect(offenderFlags(state, config, 'ssh', row, later)).toEqual(['over-threshold', 'repeat']);
  });
});

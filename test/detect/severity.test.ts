// The severity table (source/detect/severity.ts), checked through the detector so the
// inputs (real accounts, volume, internal source, repeat) are the ones the rules compute.
import { describe, expect, it } from 'vitest';
import type { Offender } from '../../source/contracts/snapshot.js';
import type { Alert } from '../../source/detect/alert.js';
import { createDetectorState, detect } from '../../source/detect/detector.js';
import { score } from '../../source/detect/severity.js';
import { iso, MINUTE, offender, service, settings, snapshot, T0, targeted } from './builders.js';

function severityOf(
  rule: string,
  entry: Offender,
  extra: { targetedUsers?: ReturnType<typeof targeted>[] } = {},
) {
  const snap = snapshot([service('ssh', [entry], extra)]);
  const alerts: readonly Alert[] = detect(
    createDetectorState(),
    { snapshot: snap, slowSnapshot: null },
    settings(),
    T0,
  ).alerts;
  return alerts.find((alert) => alert.rule === rule)?.severity;
}

describe('severity', () => {
  it.each([
    // [case, ip, failures, invalid-user failures, expected]
    ['external, unknown accounts only', '203.0.113.5', 5, 5, 'low'],
    ['external, a real account', '203.0.113.5', 5, 4, 'medium'],
    ['external, real account, 10× threshold', '203.0.113.5', 50, 0, 'high'],
    ['external, real account, 10× − 1', '203.0.113.5', 49, 0, 'medium'],
    ['internal (RFC 1918), unknown accounts only', '10.0.0.7', 5, 5, 'medium'],
    ['internal, a real account', '192.168.1.20', 5, 0, 'high'],
    ['internal (RFC 4193), real account, 10× (clamped)', 'fd00::7', 50, 0, 'high'],
    ['documentation range counts as external', '2001:db8::7', 5, 0, 'medium'],
  ])('brute force: %s', (_case, ip, failures, invalid, expected) => {
    expect(severityOf('brute-force', offender(ip, failures, { invalidUserFailures: invalid }))).toBe(
      expected,
    );
  });

  it('spraying starts at medium; enumeration at low', () => {
    const spray = offender('203.0.113.9', 5, { distinctUsers: 5, invalidUserFailures: 5 });
    expect(severityOf('spraying', spray)).toBe('medium');
    expect(severityOf('spraying', { ...spray, invalidUserFailures: 0 })).toBe('high');
    expect(severityOf('enumeration', spray)).toBe('low');
    expect(severityOf('enumeration', { ...spray, failures: 50, invalidUserFailures: 50 })).toBe('medium');
  });

  it('distributed: medium, high when the account exists', () => {
    const spread = (invalid: number) => {
      const offenders = Array.from({ length: 5 }, (_, i) =>
        offender(`203.0.113.${20 + i}`, 1, { topUsers: [{ name: 'svc', count: 1 }] }),
      );
      const snap = snapshot([service('ssh', offenders, { targetedUsers: [targeted('svc', 5, 5, invalid)] })]);
      return detect(createDetectorState(), { snapshot: snap, slowSnapshot: null }, settings(), T0).alerts[0]
        ?.severity;
    };
    expect(spread(5)).toBe('medium');
    expect(spread(0)).toBe('high');
  });

  it('success after failures is critical, even from inside', () => {
    const inside = offender('10.0.0.9', 5, {
      invalidUserFailures: 5,
      successesAfterFailure: 1,
      firstSuccessAfterFailure: iso(T0 - MINUTE),
      successUser: 'ops',
    });
    expect(severityOf('success-after-failure', inside)).toBe('critical');
  });

  it('repeat offenders score one step higher; the result never reaches critical', () => {
    const base = {
      kind: 'scored',
      base: 1,
      realAccounts: false,
      highVolume: false,
      internal: false,
    } as const;
    expect(score(base, false)).toBe('low');
    expect(score(base, true)).toBe('medium');
    expect(score({ ...base, base: 2, realAccounts: true, highVolume: true, internal: true }, true)).toBe(
      'high',
    );
    expect(score({ kind: 'fixed', severity: 'critical' }, false)).toBe('critical');
  });
});

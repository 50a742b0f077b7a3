// Every rule at its exact boundary (threshold − 1 → nothing, threshold → alert), with its
// ATT&CK techniques, and the allow-lists.
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../source/contracts/snapshot.js';
import type { Alert } from '../../source/detect/alert.js';
import { createDetectorState, detect } from '../../source/detect/detector.js';
import type { DetectionSettings } from '../../source/detect/settings.js';
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
  targeted,
  users,
} from './builders.js';

function alertsFor(
  snap: Snapshot,
  config: DetectionSettings = settings(),
  slow: Snapshot | null = null,
): Alert[] {
  return [...detect(createDetectorState(), { snapshot: snap, slowSnapshot: slow }, config, T0).alerts];
}

function ids(alerts: readonly Alert[], rule?: string): string[] {
  return alerts.filter((alert) => rule === undefined || alert.rule === rule).map((alert) => alert.id);
}

const techniqueIds = (alert: Alert | undefined) => alert?.techniques.map((entry) => entry.id);

describe('brute-force', () => {
  it('fires at the service threshold, not one below', () => {
    expect(alertsFor(snapshot([service('ssh', [offender('203.0.113.5', 4)])]))).toEqual([]);
    const alerts = alertsFor(snapshot([service('ssh', [offender('203.0.113.5', 5)])]));
    expect(ids(alerts)).toEqual(['brute-force|ssh|203.0.113.5']);
    expect(techniqueIds(alerts[0])).toEqual(['T1110.001', 'T1021.004']);
    expect(alerts[0]).toMatchObject({
      rule: 'brute-force',
      service: 'ssh',
      key: '203.0.113.5',
      keyKind: 'ip',
      failures: 5,
      threshold: 5,
      windowMs: 15 * MINUTE,
      summary: '5 failures · 1 user · 15m',
    });
  });

  it('uses each service its own threshold and remote-service technique', () => {
    const config = settings({ thresholds: { ssh: 5, rdp: 3 } });
    const snap = snapshot([
      service('ssh', [offender('198.51.100.1', 3)]),
      service('rdp', [offender('198.51.100.2', 2), offender('198.51.100.3', 3)]),
    ]);
    const alerts = alertsFor(snap, config);
    expect(ids(alerts)).toEqual(['brute-force|rdp|198.51.100.3']);
    expect(techniqueIds(alerts[0])).toEqual(['T1110.001', 'T1021.001']);
  });

  it('does nothing when disabled', () => {
    const config = settings({ rules: rules({ bruteForce: { enabled: false } }) });
    expect(alertsFor(snapshot([service('ssh', [offender('203.0.113.5', 50)])]), config)).toEqual([]);
  });
});

describe('spraying', () => {
  it('fires at the distinct-user setting, not one below', () => {
    const four = offender('203.0.113.9', 4, { distinctUsers: 4 });
    const five = offender('203.0.113.9', 5, { distinctUsers: 5 });
    expect(ids(alertsFor(snapshot([service('ssh', [four])])), 'spraying')).toEqual([]);
    const alerts = alertsFor(snapshot([service('ssh', [five])])).filter((alert) => alert.rule === 'spraying');
    expect(ids(alerts)).toEqual(['spraying|ssh|203.0.113.9']);
    expect(techniqueIds(alerts[0])).toEqual(['T1110.003', 'T1021.004']);
    expect(alerts[0]?.summary).toBe('5 users · 5 failures · 15m');
  });

  it('follows a changed setting', () => {
    const config = settings({ rules: rules({ spraying: { enabled: true, distinctUsers: 12 } }) });
    const snap = snapshot([service('ssh', [offender('203.0.113.9', 11, { distinctUsers: 11 })])]);
    expect(ids(alertsFor(snap, config), 'spraying')).toEqual([]);
    const more = snapshot([service('ssh', [offender('203.0.113.9', 12, { distinctUsers: 12 })])]);
    expect(ids(alertsFor(more, config), 'spraying')).toEqual(['spraying|ssh|203.0.113.9']);
  });
});

describe('enumeration', () => {
  it('fires at the invalid-user setting, not one below', () => {
    const below = offender('198.51.100.7', 4, { invalidUserFailures: 4 });
    const at = offender('198.51.100.7', 5, { invalidUserFailures: 5 });
    expect(ids(alertsFor(snapshot([service('ssh', [below])])), 'enumeration')).toEqual([]);
    const alerts = alertsFor(snapshot([service('ssh', [at])])).filter(
      (alert) => alert.rule === 'enumeration',
    );
    expect(ids(alerts)).toEqual(['enumeration|ssh|198.51.100.7']);
    expect(techniqueIds(alerts[0])).toEqual(['T1110', 'T1021.004']);
    expect(alerts[0]?.summary).toBe('5 invalid-user failures · 1 user · 15m');
  });
});

describe('distributed', () => {
  // Each IP tries `admin` `perIp` times.
  const spread = (count: number, perIp = 1) =>
    Array.from({ length: count }, (_, i) =>
      offender(`203.0.113.${10 + i}`, perIp, { topUsers: [{ name: 'admin', count: perIp }] }),
    );

  it('fires at the distinct-IP setting, not one below', () => {
    const four = service('ssh', spread(4), { targetedUsers: [targeted('admin', 4, 4)] });
    expect(alertsFor(snapshot([four]))).toEqual([]);
    const five = service('ssh', spread(5), { targetedUsers: [targeted('admin', 5, 5)] });
    const alerts = alertsFor(snapshot([five]));
    expect(ids(alerts)).toEqual(['distributed|ssh|admin']);
    expect(alerts[0]).toMatchObject({ keyKind: 'user', key: 'admin', distinctIps: 5, failures: 5 });
    expect(techniqueIds(alerts[0])).toEqual(['T1110', 'T1021.004']);
    expect(alerts[0]?.summary).toBe('5 failures · 5 IPs · 15m');
  });

  it('does not count an IP that crossed the brute-force threshold on that account', () => {
    const crossed = offender('198.51.100.99', 5, { topUsers: [{ name: 'admin', count: 5 }] });
    const five = service('ssh', [crossed, ...spread(4)], { targetedUsers: [targeted('admin', 9, 5)] });
    expect(ids(alertsFor(snapshot([five])), 'distributed')).toEqual([]);
    // One more low-volume IP: five IPs stayed below the threshold → distributed again.
    const six = service('ssh', [crossed, ...spread(5)], { targetedUsers: [targeted('admin', 10, 6)] });
    expect(ids(alertsFor(snapshot([six])), 'distributed')).toEqual(['distributed|ssh|admin']);
  });

  it('counts an IP below the threshold for that account even if its total is higher', () => {
    // 4 on admin + 6 on others: 10 failures (a brute force itself) but below 5 on admin.
    const busy = offender('198.51.100.99', 10, {
      distinctUsers: 2,
      topUsers: [
        { name: 'oracle', count: 6 },
        { name: 'admin', count: 4 },
      ],
    });
    const five = service('ssh', [busy, ...spread(4)], { targetedUsers: [targeted('admin', 8, 5)] });
    expect(ids(alertsFor(snapshot([five])), 'distributed')).toEqual(['distributed|ssh|admin']);
  });

  it('is suppressed for an allow-listed account and ignores allow-listed IPs', () => {
    const five = service('ssh', spread(5), { targetedUsers: [targeted('admin', 5, 5)] });
    const byUser = settings({ allowList: { cidrs: [], users: ['ADMIN'] } });
    expect(alertsFor(snapshot([five]), byUser)).toEqual([]);
    const byIp = settings({ allowList: { cidrs: ['203.0.113.10/32'], users: [] } });
    expect(alertsFor(snapshot([five]), byIp)).toEqual([]);
  });
});

describe('slow-brute-force', () => {
  const slowOffender = (failures: number, last = T0 - 10 * MINUTE) =>
    offender('192.0.2.44', failures, { firstFailure: iso(T0 - 5 * HOUR), lastFailure: iso(last) });

  it('fires from the slow snapshot at its threshold, not one below', () => {
    const short = snapshot([service('ssh', [])]);
    expect(alertsFor(short, settings(), slowSnapshot([service('ssh', [slowOffender(9)])]))).toEqual([]);
    const alerts = alertsFor(short, settings(), slowSnapshot([service('ssh', [slowOffender(10)])]));
    expect(ids(alerts)).toEqual(['slow-brute-force|ssh|192.0.2.44']);
    expect(techniqueIds(alerts[0])).toEqual(['T1110.001', 'T1021.004']);
    expect(alerts[0]).toMatchObject({
      windowMs: 6 * HOUR,
      threshold: 10,
      summary: '10 failures · 1 user · 6h',
    });
  });

  it('stays silent while the IP is over the short-window threshold (brute force covers it)', () => {
    const short = snapshot([service('ssh', [offender('192.0.2.44', 5)])]);
    const alerts = alertsFor(
      short,
      settings(),
      slowSnapshot([service('ssh', [slowOffender(30, T0 - 1000)])]),
    );
    expect(ids(alerts)).toEqual(['brute-force|ssh|192.0.2.44']);
  });

  it('does not re-report failures a brute-force alert already reported, only later ones', () => {
    // Poll 1: a burst → brute force. Its last failure is T0 − 1 s.
    let state = detect(
      createDetectorState(),
      { snapshot: snapshot([service('ssh', [offender('192.0.2.44', 8)])]), slowSnapshot: null },
      settings(),
      T0,
    );
    // 20 minutes later the burst has left the short window; the slow window still holds it.
    const later = T0 + 20 * MINUTE;
    const stale = slowSnapshot([service('ssh', [slowOffender(8 + 2, T0 - 1000)])], later);
    state = detect(
      state,
      { snapshot: snapshot([service('ssh', [])], { now: later }), slowSnapshot: stale },
      settings(),
      later,
    );
    expect(ids(state.alerts, 'slow-brute-force')).toEqual([]);
    // A new failure after the burst: a slow attack goes on.
    const fresh = slowSnapshot([service('ssh', [slowOffender(11, later - 1000)])], later + MINUTE);
    state = detect(
      state,
      { snapshot: snapshot([service('ssh', [])], { now: later + MINUTE }), slowSnapshot: fresh },
      settings(),
      later + MINUTE,
    );
    expect(ids(state.alerts, 'slow-brute-force')).toEqual(['slow-brute-force|ssh|192.0.2.44']);
  });

  it('keeps the last slow snapshot when the poll brings none', () => {
    const slow = slowSnapshot([service('ssh', [slowOffender(12)])]);
    let state = detect(createDetectorState(), { snapshot: snapshot([]), slowSnapshot: slow }, settings(), T0);
    state = detect(
      state,
      { snapshot: snapshot([], { now: T0 + 5000 }), slowSnapshot: null },
      settings(),
      T0 + 5000,
    );
    expect(state.slowSnapshot).toBe(slow);
    expect(ids(state.alerts)).toEqual(['slow-brute-force|ssh|192.0.2.44']);
    expect(state.alerts[0]?.state).toBe('active');
  });
});

describe('success-after-failure', () => {
  const compromised = (failures: number) =>
    offender('203.0.113.66', failures, {
      successesAfterFailure: 1,
      firstSuccessAfterFailure: iso(T0 - 2000),
      successUser: 'deploy',
    });

  it('fires at the failure setting, not one below, as critical', () => {
    expect(alertsFor(snapshot([service('ssh', [compromised(4)])]))).toEqual([]);
    const alerts = alertsFor(snapshot([service('ssh', [compromised(5)])]));
    expect(ids(alerts)).toEqual(['brute-force|ssh|203.0.113.66', 'success-after-failure|ssh|203.0.113.66']);
    const alert = alerts.find((entry) => entry.rule === 'success-after-failure');
    expect(alert).toMatchObject({
      severity: 'critical',
      success: { user: 'deploy', at: iso(T0 - 2000) },
      summary: 'success as deploy with 5 failures · 15m',
    });
    expect(techniqueIds(alert)).toEqual(['T1078', 'T1110', 'T1021.004']);
  });

  it('correlates over the slow window when the short one has aged out the failures', () => {
    // Failures 50 minutes ago (outside 15 m), success just now: only the 6 h window sees both.
    const long = offender('203.0.113.66', 7, {
      firstFailure: iso(T0 - 55 * MINUTE),
      lastFailure: iso(T0 - 50 * MINUTE),
      successesAfterFailure: 1,
      firstSuccessAfterFailure: iso(T0 - 30_000),
      successUser: 'deploy',
    });
    const alerts = alertsFor(
      snapshot([service('ssh', [])]),
      settings(),
      slowSnapshot([service('ssh', [long])]),
    );
    const alert = alerts.find((entry) => entry.rule === 'success-after-failure');
    expect(alert).toMatchObject({ severity: 'critical', failures: 7, windowMs: 6 * HOUR });
  });

  it('does not fire without a success, however many failures', () => {
    expect(
      ids(alertsFor(snapshot([service('ssh', [offender('203.0.113.66', 99)])])), 'success-after-failure'),
    ).toEqual([]);
  });

  it('sanitizes the account name in the summary', () => {
    const hostile = offender('203.0.113.66', 5, {
      successesAfterFailure: 1,
      firstSuccessAfterFailure: iso(T0),
      successUser: 'r\u001b[31moot\u202e',
    });
    const alert = alertsFor(snapshot([service('ssh', [hostile])])).find(
      (entry) => entry.rule === 'success-after-failure',
    );
    expect(alert?.summary).toBe('success as root with 5 failures · 15m');
  });
});

describe('custom rules', () => {
  const config = settings({
    customRules: [
      {
        name: 'vpn-fail',
        service: 'ssh',
        groupBy: 'source.ip',
        metric: 'count',
        threshold: 20,
        windowMs: 15 * MINUTE,
        severity: 'high',
        technique: 'T1110.004',
      },
      {
        name: 'hosts-per-user',
        indexPattern: 'auth-*',
        groupBy: 'user.name',
        metric: 'distinct:host.name',
        threshold: 3,
        windowMs: HOUR,
        severity: 'low',
        technique: 'T1021',
      },
    ],
  });
  const results = (vpn: number, hostsPerUser: number) =>
    snapshot([], {
      customRules: [
        {
          rule: 'vpn-fail',
          service: 'ssh',
          windowMs: 15 * MINUTE,
          groups: [{ key: '198.51.100.8', value: vpn, count: vpn }],
        },
        {
          rule: 'hosts-per-user',
          service: null,
          windowMs: HOUR,
          groups: [{ key: 'alice', value: hostsPerUser, count: 40 }],
        },
      ],
    });

  it('fires groups at the rule threshold with its severity and technique', () => {
    expect(alertsFor(results(19, 2), config)).toEqual([]);
    const alerts = alertsFor(results(20, 3), config);
    expect(ids(alerts)).toEqual(['custom:vpn-fail|ssh|198.51.100.8', 'custom:hosts-per-user|custom|alice']);
    expect(alerts[0]).toMatchObject({
      severity: 'high',
      keyKind: 'ip',
      failures: 20,
      summary: '20 events · 15m',
    });
    expect(techniqueIds(alerts[0])).toEqual(['T1110.004', 'T1021.004']);
    expect(alerts[1]).toMatchObject({
      severity: 'low',
      keyKind: 'other',
      summary: '3 distinct host.name · 40 events · 1h',
    });
    expect(alerts[1]?.techniques).toEqual([{ id: 'T1021', name: 'Remote Services' }]);
  });

  it('ignores results of rules no longer configured, and allow-listed keys', () => {
    expect(alertsFor(results(50, 50), settings())).toEqual([]);
    const allowed = { ...config, allowList: { cidrs: ['198.51.100.0/24'], users: ['al*'] } };
    expect(alertsFor(results(50, 50), allowed)).toEqual([]);
  });
});

describe('allow-lists', () => {
  it('suppresses sources in an allow-listed CIDR (IPv4 and IPv6)', () => {
    const config = settings({ allowList: { cidrs: ['203.0.113.0/24', '2001:db8:1::/48'], users: [] } });
    const snap = snapshot([
      service('ssh', [
        offender('203.0.113.5', 50, { distinctUsers: 10, invalidUserFailures: 20 }),
        offender('2001:db8:1::7', 50),
        offender('2001:db8:2::7', 50),
      ]),
    ]);
    expect(ids(alertsFor(snap, config))).toEqual(['brute-force|ssh|2001:db8:2::7']);
  });

  it('suppresses an offender whose tried accounts are all machine accounts (*$)', () => {
    const config = settings({ allowList: { cidrs: [], users: ['*$'] } });
    const machines = offender('198.51.100.20', 30, {
      topUsers: [
        { name: 'WKS01$', count: 20 },
        { name: 'wks02$', count: 10 },
      ],
    });
    expect(alertsFor(snapshot([service('rdp', [machines])]), config)).toEqual([]);
  });

  it('does not suppress when one tried account is not allow-listed', () => {
    const config = settings({ allowList: { cidrs: [], users: ['*$'] } });
    const mixed = offender('198.51.100.20', 30, {
      topUsers: [
        { name: 'WKS01$', count: 20 },
        { name: 'administrator', count: 10 },
      ],
    });
    expect(ids(alertsFor(snapshot([service('rdp', [mixed])]), config))).toEqual([
      'brute-force|rdp|198.51.100.20',
    ]);
  });

  it('does not suppress when some tried accounts are not listed (top users truncated)', () => {
    const config = settings({ allowList: { cidrs: [], users: ['*$'] } });
    const truncated = offender('198.51.100.20', 30, {
      distinctUsers: 3,
      topUsers: users(2, 30, 'WKS').map((u) => ({ ...u, name: `${u.name}$` })),
    });
    expect(ids(alertsFor(snapshot([service('rdp', [truncated])]), config))).toEqual([
      'brute-force|rdp|198.51.100.20',
    ]);
  });

  it('matches ANONYMOUS LOGON case-insensitively and literally (no regex meaning)', () => {
    const config = settings({ allowList: { cidrs: [], users: ['ANONYMOUS LOGON', 'svc.backup'] } });
    const anonymous = offender('198.51.100.21', 9, { topUsers: [{ name: 'anonymous logon', count: 9 }] });
    const lookalike = offender('198.51.100.22', 9, { topUsers: [{ name: 'svcXbackup', count: 9 }] });
    expect(ids(alertsFor(snapshot([service('rdp', [anonymous, lookalike])]), config))).toEqual([
      'brute-force|rdp|198.51.100.22',
    ]);
  });

  it('suppresses success after failure from an allow-listed bastion', () => {
    const config = settings({ allowList: { cidrs: ['10.0.0.0/8'], users: [] } });
    const bastion = offender('10.1.2.3', 6, {
      successesAfterFailure: 1,
      firstSuccessAfterFailure: iso(T0),
      successUser: 'ops',
    });
    expect(alertsFor(snapshot([service('ssh', [bastion])]), config)).toEqual([]);
  });
});

// Console fixtures: a snapshot with realistic offenders (IPv4, long IPv6, geo, success after
// failures), hostile strings as they arrive in auth logs, and the app state after polls,
// produced by the real reducer and detector (no hand-made alerts).

import { ALERTS_PANE } from '../../source/console/state/panes.js';
import { reduce } from '../../source/console/state/reduce.js';
import { alertList } from '../../source/console/state/selectors.js';
import { type AppState, initialState } from '../../source/console/state/state.js';
import type { Offender, ServiceSnapshot, Snapshot } from '../../source/contracts/snapshot.js';
import type { Alert } from '../../source/detect/alert.js';
import { HOUR, iso, MINUTE, offender, service, settings, snapshot, T0, users } from '../detect/builders.js';

export { HOUR, iso, MINUTE, offender, service, settings, snapshot, T0, users };

export const LONG_IPV6 = '2001:0db8:85a3:0000:0000:8a2e:0370:7334';

/** What attackers type at a login prompt, or put in a hostname. */
export const HOSTILE = {
  ansi: '\u001b[31mroot\u001b[0m\u001b[2J',
  osc: 'adm\u001b]0;pwned title\u0007in',
  osc8: '\u001b]8;;http://evil.example\u001b\\click\u001b]8;;\u001b\\',
  bidi: 'user\u202etxt.exe',
  newline: 'line1\nline2\rline3',
  long: `x${'A'.repeat(299)}`,
  wide: '管理者アカウント',
  emoji: 'root😀😀😀',
  c1: 'a\u009b31mb',
} as const;

/** Escape and control characters that must never reach the terminal from data. */
export const RAW_DANGER =
  /\u001b\]|\u001b\[2J|\u202e|\u009b|[\u0000-\u0008\u000b\u000c\u000e-\u001a\u001c-\u001f]/;

export function normalSnapshot(now = T0): Snapshot {
  const ssh: ServiceSnapshot = service(
    'ssh',
    [
      offender('203.0.113.10', 42, {
        now,
        distinctUsers: 7,
        topUsers: users(7, 42, 'admin'),
        country: 'CN',
        asn: 4134,
        asOrg: 'CHINANET-BACKBONE',
        successesAfterFailure: 1,
        firstSuccessAfterFailure: iso(now - 20_000),
        successUser: 'admin1',
      }),
      offender('198.51.100.7', 12, {
        now,
        invalidUserFailures: 12,
        distinctUsers: 6,
        topUsers: users(6, 12),
      }),
      offender(LONG_IPV6, 9, { now, country: 'DE', asn: 3320, asOrg: 'Deutsche Telekom AG' }),
      offender('192.0.2.55', 3, { now }),
    ],
    { label: 'SSH', timeline: Array.from({ length: 60 }, (_, index) => (index * 7) % 11) },
  );
  const rdp: ServiceSnapshot = service(
    'rdp',
    [offender('45.67.89.10', 9, { now, topUsers: [{ name: 'Administrator', count: 9 }], country: 'RU' })],
    {
      label: 'RDP',
      unknownSource: 4,
      timeline: Array.from({ length: 60 }, (_, index) => (index % 5 === 0 ? 3 : 0)),
    },
  );
  return snapshot([ssh, rdp], { now });
}

/** Offenders whose names and addresses are hostile. */
export function hostileSnapshot(now = T0): Snapshot {
  const names = Object.values(HOSTILE);
  const offenders: Offender[] = names.map((name, index) =>
    offender(index === 0 ? LONG_IPV6 : `203.0.113.${index + 1}`, 100 - index, {
      now,
      topUsers: [{ name, count: 100 - index }],
      hosts: [{ name: `${name}-host`, count: 1 }],
      country: index === 1 ? '\u001b[31mCN' : null,
      asOrg: index === 2 ? HOSTILE.bidi : null,
      asn: index === 2 ? 64512 : null,
    }),
  );
  return snapshot([service('ssh', offenders, { label: 'SSH' }), service('rdp', [], { label: 'RDP' })], {
    now,
  });
}

export function baseState(now = T0, overrides: Partial<Parameters<typeof initialState>[0]> = {}): AppState {
  return initialState({
    now,
    services: [
      { name: 'ssh', label: 'SSH' },
      { name: 'rdp', label: 'RDP' },
    ],
    cluster: '127.0.0.1:9200',
    indexPattern: 'logs-*,winlogbeat-*',
    refreshMs: 5000,
    windowMs: 15 * MINUTE,
    settings: settings(),
    escalation: { configured: true, hint: 'Slack: configured' },
    ...overrides,
  });
}

/** The state after one poll of `data` (real detector). */
export function polledState(
  data: Snapshot = normalSnapshot(),
  now = T0,
  base: AppState = baseState(now),
): AppState {
  const polled = reduce(base, { type: 'poll', snapshot: data, slowSnapshot: null, now });
  return reduce(polled, { type: 'status', status: { kind: 'live' }, now });
}

export function withFocus(state: AppState, pane: string): AppState {
  return { ...state, focus: pane };
}

export function feedFocused(state: AppState): AppState {
  return withFocus(state, ALERTS_PANE);
}

export function alertFor(state: AppState, rule: string, key: string): Alert {
  const alert = alertList(state).find((candidate) => candidate.rule === rule && candidate.key === key);
  if (!alert)
    throw new Error(
      `no ${rule} alert for ${key}: ${alertList(state)
        .map((a) => a.id)
        .join(', ')}`,
    );
  return alert;
}

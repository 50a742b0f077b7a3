// Small builders for detector tests: snapshots with just the numbers a test cares about,
// timestamps relative to a fixed clock, and settings with the documented defaults.

import type { RuleSettings } from '../../source/contracts/rules.js';
import type {
  CustomRuleResult,
  NamedCount,
  Offender,
  ServiceSnapshot,
  Snapshot,
  TargetedUser,
} from '../../source/contracts/snapshot.js';
import type { DetectionSettings } from '../../source/detect/settings.js';

export const T0 = Date.parse('2026-03-01T12:00:00.000Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export const iso = (ms: number): string => new Date(ms).toISOString();

export function rules(overrides: Partial<RuleSettings> = {}): RuleSettings {
  return {
    bruteForce: { enabled: true },
    slowBruteForce: { enabled: true, threshold: 10, windowMs: 6 * HOUR, refreshMs: MINUTE },
    spraying: { enabled: true, distinctUsers: 5 },
    enumeration: { enabled: true, invalidUsers: 5 },
    distributed: { enabled: true, distinctIps: 5 },
    successAfterFailure: { enabled: true, failures: 5, correlationMs: HOUR },
    quietAfterMs: 5 * MINUTE,
    closeAfterMs: 30 * MINUTE,
    ...overrides,
  };
}

export function settings(overrides: Partial<DetectionSettings> = {}): DetectionSettings {
  return {
    thresholds: { ssh: 5, rdp: 5 },
    rules: rules(),
    customRules: [],
    allowList: { cidrs: [], users: [] },
    services: [
      { name: 'ssh', label: 'SSH', technique: 'T1021.004' },
      { name: 'rdp', label: 'RDP', technique: 'T1021.001' },
    ],
    ...overrides,
  };
}

/** `n` distinct users named user1…userN, one failure each except the first takes the rest. */
export function users(n: number, failures: number, prefix = 'user'): NamedCount[] {
  if (n === 0) return [];
  const out: NamedCount[] = [];
  for (let i = 1; i <= n; i++) out.push({ name: `${prefix}${i}`, count: 1 });
  out[0]!.count += Math.max(0, failures - n);
  return out.sort((a, b) => b.count - a.count);
}

/**
 * An offender with `failures` failures on one account (root) by default, its last failure
 * one second before `now` and its first one minute before.
 */
export function offender(
  ip: string,
  failures: number,
  options: Partial<Offender> & { now?: number } = {},
): Offender {
  const { now = T0, ...rest } = options;
  const distinctUsers = rest.distinctUsers ?? (rest.topUsers ? rest.topUsers.length : 1);
  return {
    ip,
    failures,
    distinctUsers,
    topUsers:
      rest.topUsers ??
      (distinctUsers === 1 ? [{ name: 'root', count: failures }] : users(distinctUsers, failures)),
    invalidUserFailures: 0,
    hosts: [{ name: 'web1', count: failures }],
    firstFailure: iso(now - MINUTE),
    lastFailure: iso(now - 1000),
    successesAfterFailure: 0,
    firstSuccessAfterFailure: null,
    successUser: null,
    country: null,
    asn: null,
    asOrg: null,
    ...rest,
  };
}

export function targeted(
  user: string,
  failures: number,
  distinctIps: number,
  invalidUserFailures = 0,
): TargetedUser {
  return { user, failures, distinctIps, invalidUserFailures };
}

export function service(
  name: string,
  offenders: Offender[],
  overrides: Partial<ServiceSnapshot> = {},
): ServiceSnapshot {
  const failures = offenders.reduce((sum, entry) => sum + entry.failures, 0);
  return {
    service: name,
    label: name.toUpperCase(),
    failures,
    successes: 0,
    distinctIps: offenders.length,
    unknownSource: 0,
    invalidUserFailures: offenders.reduce((sum, entry) => sum + entry.invalidUserFailures, 0),
    offenders,
    offendersTruncated: false,
    timeline: [failures],
    targetedUsers: [],
    took: 1,
    ...overrides,
  };
}

export function snapshot(
  services: ServiceSnapshot[],
  options: { now?: number; windowMs?: number; customRules?: CustomRuleResult[] } = {},
): Snapshot {
  const { now = T0, windowMs = 15 * MINUTE, customRules = [] } = options;
  return {
    schema: 1,
    backend: { kind: 'elasticsearch', version: '8.19.9' },
    cluster: '127.0.0.1:9200',
    indexPattern: 'logs-*',
    window: { from: iso(now - windowMs), to: iso(now), ms: windowMs },
    bucketMs: MINUTE,
    services,
    customRules,
    took: 1,
    fetchMs: 2,
    fetchedAt: iso(now),
  };
}

/** A long-window (slow) snapshot, 6 h by default. */
export function slowSnapshot(services: ServiceSnapshot[], now = T0, windowMs = 6 * HOUR): Snapshot {
  return snapshot(services, { now, windowMs });
}

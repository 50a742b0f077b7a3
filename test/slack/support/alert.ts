// A complete Alert as the detector produces it, for Slack tests (override what a test is about).
import type { Alert } from '../../../source/detect/alert.js';

export const T0 = Date.parse('2025-06-01T12:00:00.000Z');

export function testAlert(overrides: Partial<Alert> = {}): Alert {
  const rule = overrides.rule ?? 'brute-force';
  const service = overrides.service ?? 'ssh';
  const key = overrides.key ?? '203.0.113.7';
  return {
    id: `${rule}|${service}|${key}`,
    rule,
    service,
    key,
    keyKind: 'ip',
    severity: 'high',
    techniques: [{ id: 'T1110.001', name: 'Password Guessing' }],
    state: 'active',
    firstSeen: T0 - 10 * 60_000,
    lastSeen: T0 - 30_000,
    lastChange: T0 - 30_000,
    peakRate: 12,
    failures: 50,
    distinctUsers: 4,
    distinctIps: 1,
    invalidUserFailures: 0,
    topUsers: [
      { name: 'root', count: 30 },
      { name: 'admin', count: 12 },
    ],
    hosts: [{ name: 'bastion-1', count: 50 }],
    country: 'NL',
    asn: 64_500,
    success: null,
    summary: '50 failures, 4 users in 15m',
    internalSource: false,
    repeatOffender: false,
    acknowledged: false,
    mutedUntil: null,
    escalation: null,
    firstFailure: new Date(T0 - 12 * 60_000).toISOString(),
    lastFailure: new Date(T0 - 30_000).toISOString(),
    windowMs: 15 * 60_000,
    ...overrides,
  };
}

/** The success-after-failure alert of the demo. */
export function successAfterFailureAlert(overrides: Partial<Alert> = {}): Alert {
  return testAlert({
    rule: 'success-after-failure',
    severity: 'critical',
    techniques: [
      { id: 'T1110.001', name: 'Password Guessing' },
      { id: 'T1078', name: 'Valid Accounts' },
    ],
    success: { user: 'deploy', at: new Date(T0 - 60_000).toISOString() },
    summary: '37 failures then a successful login as deploy',
    failures: 37,
    ...overrides,
  });
}

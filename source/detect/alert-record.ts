// An alert as scripts read it: the `alerts` of `once --json` (schema 2, docs/snapshot.md), the
// alert in an evidence bundle. Plain data, stable key order; times are ISO strings in UTC,
// event times (from the data) and detector times named as such. Pure.
import type { Severity } from '../contracts/rules.js';
import type { Alert, AlertState, Technique } from './alert.js';

/** An escalation as the audit trail records it (the escalator's delivery state, passed through). */
export interface EscalationView {
  /** The escalator's delivery state of the latest attempt (e.g. pending, sent, failed). */
  state: string;
  by: string;
  /** Epoch ms when the escalation was started. */
  at: number;
}

export interface AlertRecord {
  /** What `once --escalate` and `once --evidence` take: `<rule>:<service>:<key>`. */
  id: string;
  rule: string;
  service: string;
  key: string;
  keyKind: 'ip' | 'user' | 'other';
  severity: Severity;
  techniques: Technique[];
  state: AlertState;
  failures: number;
  distinctUsers: number;
  distinctIps: number;
  invalidUserFailures: number;
  /** Event time (from the data) of the earliest and latest failure behind the alert. */
  firstFailure: string | null;
  lastFailure: string | null;
  /** Success after failures: account and event time of the success. */
  success: { user: string | null; at: string } | null;
  /** The rule's threshold, and the window (ms) its counts are over. */
  threshold: number | null;
  windowMs: number | null;
  summary: string;
  /** Detector clock (the run's "now", or the `--at` time) when the alert was first and last seen. */
  firstSeen: string;
  lastSeen: string;
  escalation: { state: 'none' } | { state: string; by: string; at: string };
}

/** `<rule>:<service>:<key>`: the spec `once --escalate` parses (rule, then service, then the key). */
export function alertSpec(alert: Pick<Alert, 'rule' | 'service' | 'key'>): string {
  return `${alert.rule}:${alert.service}:${alert.key}`;
}

export function alertRecord(alert: Alert, escalation: EscalationView | null): AlertRecord {
  return {
    id: alertSpec(alert),
    rule: alert.rule,
    service: alert.service,
    key: alert.key,
    keyKind: alert.keyKind,
    severity: alert.severity,
    techniques: alert.techniques.map((technique) => ({ id: technique.id, name: technique.name })),
    state: alert.state,
    failures: alert.failures,
    distinctUsers: alert.distinctUsers,
    distinctIps: alert.distinctIps,
    invalidUserFailures: alert.invalidUserFailures,
    firstFailure: alert.firstFailure ?? null,
    lastFailure: alert.lastFailure ?? null,
    success: alert.success,
    threshold: alert.threshold ?? null,
    windowMs: alert.windowMs ?? null,
    summary: alert.summary,
    firstSeen: new Date(alert.firstSeen).toISOString(),
    lastSeen: new Date(alert.lastSeen).toISOString(),
    escalation: escalation
      ? { state: escalation.state, by: escalation.by, at: new Date(escalation.at).toISOString() }
      : { state: 'none' },
  };
}

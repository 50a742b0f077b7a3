// Alerts: what the detector produces from snapshots and what the console and Slack show.
// Plain data; lifecycle changes are made by the detector's pure functions only.

import type { Severity } from '../contracts/rules.js';
import type { NamedCount } from '../contracts/snapshot.js';

export type BuiltInRule =
  | 'brute-force'
  | 'slow-brute-force'
  | 'spraying'
  | 'enumeration'
  | 'distributed'
  | 'success-after-failure';

/** Built-in rule id, or `custom:<name>` for a configured custom rule. */
export type RuleId = BuiltInRule | `custom:${string}`;

export type AlertState = 'new' | 'active' | 'quiet' | 'closed';

/** Escalation status of an alert, as the console shows it. */
export type EscalationStatus =
  /** `retry`: the last attempt failed (429/5xx/unreachable) and the next follows at `at + delayMs`. */
  | { kind: 'sending'; since: number; retry?: EscalationRetry }
  | { kind: 'sent'; at: number; by: string; update: boolean }
  | { kind: 'failed'; at: number; reason: string }
  | { kind: 'already'; at: number; by: string };

export interface EscalationRetry {
  /** The retry's number, of `max`. */
  attempt: number;
  max: number;
  /** Short: "rate-limited", "Slack 500". */
  reason: string;
  delayMs: number;
  /** The delay is Slack's own Retry-After. */
  retryAfter: boolean;
  /** Console time (epoch ms) the wait started. */
  at: number;
}

export interface Technique {
  id: string;
  name: string;
}

export interface Alert {
  /** `${rule}|${service}|${key}`: one live alert per (rule, service, key). */
  id: string;
  rule: RuleId;
  service: string;
  /** An IP (most rules) or an account (distributed), or a custom group value. */
  key: string;
  keyKind: 'ip' | 'user' | 'other';
  severity: Severity;
  techniques: Technique[];
  state: AlertState;
  /** Epoch ms (detector clock). */
  firstSeen: number;
  lastSeen: number;
  /** Epoch ms of the last change of any count. */
  lastChange: number;
  /** Peak failures per minute observed. */
  peakRate: number;
  failures: number;
  distinctUsers: number;
  distinctIps: number;
  invalidUserFailures: number;
  topUsers: NamedCount[];
  hosts: NamedCount[];
  country: string | null;
  asn: number | null;
  /** Success after failures: account and time (ISO) of the success. */
  success: { user: string | null; at: string } | null;
  /** Human summary of the numbers, e.g. "37 failures, 12 users in 15m". */
  summary: string;
  internalSource: boolean;
  repeatOffender: boolean;
  acknowledged: boolean;
  /** Epoch ms until which the alert is muted, or null. */
  mutedUntil: number | null;
  escalation: EscalationStatus | null;
  // Added by the detector (optional so hand-built fixtures elsewhere stay valid; the
  // detector always sets them).
  /** Event time (ISO, from the data) of the earliest / latest failure behind the alert. */
  firstFailure?: string | null;
  lastFailure?: string | null;
  /** The rule's threshold when the alert was last evaluated (e.g. 5 failures, 5 users). */
  threshold?: number;
  /** Window (ms) the counts are over: the short window, or the slow/correlation window. */
  windowMs?: number;
  /** Epoch ms (detector clock) when the alert went quiet; null while new/active. */
  quietSince?: number | null;
  /** Epoch ms (detector clock) when the alert was closed; null until then. */
  closedAt?: number | null;
  /**
   * Not firing because the rule's threshold is now above the alert's count (the analyst
   * raised it): that threshold. Null or absent otherwise.
   */
  belowThreshold?: number | null;
  /**
   * The last poll of the alert's service was partial (failed shards): its counts are the
   * last whole ones, and it neither went quiet nor closed for lack of data.
   */
  partial?: boolean;
}

/**
 * When the attack behind an alert started, from the data (its first failure, event time);
 * the detector clock's firstSeen only when the data has no time (custom rules). The feed's
 * TIME and its order (issue 13 A5): "first seen by this console" meant nothing after a restart.
 */
export function alertStartedAt(alert: Pick<Alert, 'firstFailure' | 'firstSeen'>): number {
  const at = alert.firstFailure ? Date.parse(alert.firstFailure) : Number.NaN;
  return Number.isFinite(at) ? at : alert.firstSeen;
}

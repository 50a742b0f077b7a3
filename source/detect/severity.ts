// Severity scoring. One table for every built-in rule, so an analyst can predict it:
//
//   rule                          base
//   brute-force                   low    (1)
//   slow-brute-force              low    (1)
//   enumeration                   low    (1)
//   spraying                      medium (2)
//   distributed                   medium (2)
//   success-after-failure         critical, always (a possible compromise)
//   custom:<name>                 the severity configured for the rule, as-is
//
//   adjustment                                                              steps
//   real accounts targeted (failures − invalid-user failures > 0)           +1
//   volume: the rule's own measure ≥ 10 × its threshold                     +1
//   repeat offender (the source had an alert that closed earlier)           +1
//   internal source (RFC 1918 / 4193, loopback, link-local, CGNAT)          +1
//
// The result is clamped to low..high: critical is reserved for success after failures, so
// "critical" always means "someone may be in". Internal sources score higher, as in
// Elastic's prebuilt rules (external SSH brute force: low, risk 21, "a lot of noise for
// systems with a front-facing SSH service"; internal: medium, risk 47): the internet
// brute-forces every exposed SSH/RDP port all day, while a brute force from inside means a
// compromised host or an insider moving laterally. A plain internet brute force on a real
// account is therefore medium; on unknown accounts only, low.
import type { Severity } from '../contracts/rules.js';

export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export type Scoring =
  | { kind: 'fixed'; severity: Severity }
  | { kind: 'scored'; base: 1 | 2; realAccounts: boolean; highVolume: boolean; internal: boolean };

/** How many times the threshold counts as high volume. */
export const HIGH_VOLUME_FACTOR = 10;

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

export function score(scoring: Scoring, repeatOffender: boolean): Severity {
  if (scoring.kind === 'fixed') return scoring.severity;
  let level: number = scoring.base;
  if (scoring.realAccounts) level += 1;
  if (scoring.highVolume) level += 1;
  if (repeatOffender) level += 1;
  if (scoring.internal) level += 1;
  const clamped = Math.min(3, Math.max(1, level));
  return SEVERITIES[clamped - 1]!;
}

// Alert lifecycle: findings of one evaluation merged into the alerts that live across polls.
//
// One live alert per id (`${rule}|${service}|${key}`). States, all on the detector clock:
//   new     created by this evaluation; stays new through re-evaluations (threshold edits)
//           until the next poll (detect) that still finds it firing.
//   active  firing, with new failures seen within rules.quietAfterMs.
//   quiet   firing but no new failures for rules.quietAfterMs, or no longer firing (the
//           window slid past it, or the analyst raised the threshold / allow-listed it).
//           Back to active as soon as it fires with new failures again.
//   closed  quiet for rules.closeAfterMs. A later finding for the same id reopens it as a
//           new alert (same id, repeatOffender) — but only with new activity: the same old
//           failures still inside a long window do not reopen it.
// Partial polls (failed shards on a service, issue 13 A6): the numbers are low because data is
// missing, not because the attack stopped. A live alert of that service keeps its last whole
// counts where the partial ones are lower, neither goes quiet nor closes, and is marked
// `partial` until a whole poll of its service settles it as usual.
// "New failures" = the latest failure time in the data moved forward, or the count grew
// (late events), or a new success appeared. Rules without event times (custom) use counts,
// and reopen a closed alert only after they stopped firing or their count grew.
import type { Alert } from './alert.js';
import { continues, type KnownAlert } from './known.js';
import type { ClosedMemory, ClosedRecord } from './memory.js';
import { remember, sourceKey } from './memory.js';
import type { Finding } from './rules.js';
import { maxSeverity, score } from './severity.js';

/** Closed alerts kept in the feed: at most this many, for at most this long. */
export const MAX_CLOSED_ALERTS = 200;
export const CLOSED_MAX_AGE_MS = 86_400_000;
/** Live alerts that are not firing (quiet) beyond this many are closed early, oldest first. */
export const MAX_LIVE_ALERTS = 1000;

export interface LifecycleInput {
  alerts: readonly Alert[];
  memory: ClosedMemory;
  /** Ids that fired at the previous evaluation. */
  firing: ReadonlySet<string>;
  /** Detector time of the previous poll, for rates from the count delta between polls. */
  lastPollAt: number | null;
  /** Alerts an earlier session showed (known.ts): one that continues is not `new` again. */
  known?: ReadonlyMap<string, KnownAlert>;
}

export interface LifecycleOutput {
  alerts: Alert[];
  memory: ClosedMemory;
  firing: Set<string>;
}

export interface Timing {
  quietAfterMs: number;
  closeAfterMs: number;
}

function epoch(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const value = Date.parse(iso);
  return Number.isFinite(value) ? value : null;
}

function laterIso(a: string | null | undefined, b: string | null): string | null {
  const x = epoch(a);
  const y = epoch(b);
  if (x === null) return b;
  if (y === null) return a ?? null;
  return y > x ? b : (a ?? null);
}

function earlierIso(a: string | null | undefined, b: string | null): string | null {
  const x = epoch(a);
  const y = epoch(b);
  if (x === null) return b;
  if (y === null) return a ?? null;
  return y < x ? b : (a ?? null);
}

interface Seen {
  lastFailure: number | null;
  failures: number;
  successAt: string | null;
}

function newActivity(seen: Seen, finding: Finding): boolean {
  const last = epoch(finding.lastFailure);
  if (last !== null && (seen.lastFailure === null || last > seen.lastFailure)) return true;
  if (finding.failures > seen.failures) return true;
  return finding.success !== null && finding.success.at !== seen.successAt;
}

function seenOf(alert: Alert): Seen {
  return {
    lastFailure: epoch(alert.lastFailure),
    failures: alert.failures,
    successAt: alert.success?.at ?? null,
  };
}

function create(finding: Finding, repeatOffender: boolean, now: number): Alert {
  return {
    id: finding.id,
    rule: finding.rule,
    service: finding.service,
    key: finding.key,
    keyKind: finding.keyKind,
    severity: score(finding.scoring, repeatOffender),
    techniques: finding.techniques,
    state: 'new',
    firstSeen: now,
    lastSeen: now,
    lastChange: now,
    peakRate: finding.rate,
    failures: finding.failures,
    distinctUsers: finding.distinctUsers,
    distinctIps: finding.distinctIps,
    invalidUserFailures: finding.invalidUserFailures,
    topUsers: finding.topUsers,
    hosts: finding.hosts,
    country: finding.country,
    asn: finding.asn,
    success: finding.success,
    summary: finding.summary,
    internalSource: finding.internalSource,
    repeatOffender,
    acknowledged: false,
    mutedUntil: null,
    escalation: null,
    firstFailure: finding.firstFailure,
    lastFailure: finding.lastFailure,
    threshold: finding.threshold,
    windowMs: finding.windowMs,
    quietSince: null,
    closedAt: null,
  };
}

function countsChanged(alert: Alert, finding: Finding): boolean {
  return (
    alert.failures !== finding.failures ||
    alert.distinctUsers !== finding.distinctUsers ||
    alert.distinctIps !== finding.distinctIps ||
    alert.invalidUserFailures !== finding.invalidUserFailures ||
    (alert.success?.at ?? null) !== (finding.success?.at ?? null)
  );
}

/** Update a live alert with this evaluation's finding (state is settled afterwards). */
function update(alert: Alert, finding: Finding, input: LifecycleInput, now: number, poll: boolean): Alert {
  const activity = newActivity(seenOf(alert), finding);
  // Count growth between two consecutive polls is a lower bound of the arrival rate.
  let deltaRate = 0;
  if (poll && input.lastPollAt !== null && input.firing.has(alert.id) && now > input.lastPollAt) {
    const grown = finding.failures - alert.failures;
    if (grown > 0)
      deltaRate = Math.round((grown / Math.max(1, (now - input.lastPollAt) / 60_000)) * 100) / 100;
  }
  return {
    ...alert,
    severity: maxSeverity(alert.severity, score(finding.scoring, alert.repeatOffender)),
    techniques: finding.techniques,
    lastSeen: activity ? now : alert.lastSeen,
    lastChange: countsChanged(alert, finding) ? now : alert.lastChange,
    peakRate: Math.max(alert.peakRate, finding.rate, deltaRate),
    failures: finding.failures,
    distinctUsers: finding.distinctUsers,
    distinctIps: finding.distinctIps,
    invalidUserFailures: finding.invalidUserFailures,
    topUsers: finding.topUsers,
    hosts: finding.hosts,
    country: finding.country ?? alert.country,
    asn: finding.asn ?? alert.asn,
    success: finding.success ?? alert.success,
    summary: finding.summary,
    firstFailure: earlierIso(alert.firstFailure, finding.firstFailure),
    lastFailure: laterIso(alert.lastFailure, finding.lastFailure),
    threshold: finding.threshold,
    windowMs: finding.windowMs,
  };
}

/** new / active / quiet / closed for a live alert after this evaluation. */
function settle(
  alert: Alert,
  firing: boolean,
  created: boolean,
  timing: Timing,
  now: number,
  poll: boolean,
): Alert {
  if (alert.state === 'closed' || created) return alert;
  let state: Alert['state'];
  let quietSince: number | null;
  if (!firing) {
    // Quiet from now, or from when it would have gone quiet anyway (polls missed while the
    // cluster was unreachable or the console paused).
    state = 'quiet';
    quietSince = alert.quietSince ?? Math.min(now, alert.lastSeen + timing.quietAfterMs);
  } else if (now - alert.lastSeen >= timing.quietAfterMs) {
    state = 'quiet';
    quietSince = alert.quietSince ?? alert.lastSeen + timing.quietAfterMs;
  } else {
    state = alert.state === 'new' && !poll ? 'new' : 'active';
    quietSince = null;
  }
  if (state === 'quiet' && quietSince !== null && now - quietSince >= timing.closeAfterMs) {
    return { ...alert, state: 'closed', quietSince, closedAt: now };
  }
  if (state === alert.state && quietSince === (alert.quietSince ?? null)) return alert;
  return { ...alert, state, quietSince };
}

function closedRecord(alert: Alert, now: number): ClosedRecord {
  return {
    closedAt: alert.closedAt ?? now,
    lastFailure: epoch(alert.lastFailure),
    failures: alert.failures,
    successAt: alert.success?.at ?? null,
  };
}

/** A finding from a partial poll with no count lower than the alert's (missing data is not a drop). */
function holdCounts(alert: Alert, finding: Finding): Finding {
  return {
    ...finding,
    failures: Math.max(alert.failures, finding.failures),
    distinctUsers: Math.max(alert.distinctUsers, finding.distinctUsers),
    distinctIps: Math.max(alert.distinctIps, finding.distinctIps),
    invalidUserFailures: Math.max(alert.invalidUserFailures, finding.invalidUserFailures),
    summary: finding.failures < alert.failures ? alert.summary : finding.summary,
  };
}

/** A live alert of a partially answered service: state held (a new one still turns active on a poll). */
function hold(alert: Alert, poll: boolean): Alert {
  const state = alert.state === 'new' && poll ? 'active' : alert.state;
  return state === alert.state && alert.partial === true ? alert : { ...alert, state, partial: true };
}

const NO_SERVICES: ReadonlySet<string> = new Set();

/**
 * Merge one evaluation's findings into the alerts. Pure; `poll` is false for re-evaluations.
 * `partial`: services whose searches had failed shards in this evaluation's snapshots.
 */
export function advance(
  input: LifecycleInput,
  findings: readonly Finding[],
  timing: Timing,
  now: number,
  poll: boolean,
  partial: ReadonlySet<string> = NO_SERVICES,
): LifecycleOutput {
  const byId = new Map<string, Alert>();
  const wasClosed = new Set<string>();
  for (const alert of input.alerts) {
    byId.set(alert.id, alert);
    if (alert.state === 'closed') wasClosed.add(alert.id);
  }
  const firing = new Set<string>();
  const created = new Set<string>();

  for (const finding of findings) {
    if (firing.has(finding.id)) continue;
    firing.add(finding.id);
    const existing = byId.get(finding.id);
    if (existing && existing.state !== 'closed') {
      const whole = partial.has(finding.service) ? holdCounts(existing, finding) : finding;
      byId.set(finding.id, update(existing, whole, input, now, poll));
      continue;
    }
    const record = existing ? closedRecord(existing, now) : input.memory.alerts.get(finding.id);
    if (record) {
      const hasTimes = epoch(finding.lastFailure) !== null;
      const reopen = hasTimes
        ? newActivity(record, finding)
        : !input.firing.has(finding.id) || finding.failures > record.failures;
      if (!reopen) continue;
    }
    const repeat = input.memory.sources.has(sourceKey(finding.keyKind, finding.key)) || record !== undefined;
    // A reopened alert replaces its closed predecessor: ids stay unique in the feed.
    byId.delete(finding.id);
    const prior = existing || record ? undefined : input.known?.get(finding.id);
    if (prior && continues(prior, finding.firstFailure)) {
      // Live before a restart: the same attack, already shown (and maybe acknowledged).
      const alert = create(finding, repeat, now);
      byId.set(finding.id, {
        ...alert,
        state: 'active',
        acknowledged: prior.acknowledged,
        firstFailure: earlierIso(prior.firstFailure, finding.firstFailure),
      });
      continue;
    }
    byId.set(finding.id, create(finding, repeat, now));
    created.add(finding.id);
  }

  let alerts: Alert[] = [];
  let live = 0;
  for (const alert of byId.values()) {
    if (alert.state !== 'closed' && !created.has(alert.id) && partial.has(alert.service)) {
      // Still firing as far as anyone can tell: the missing shards may hold its failures.
      firing.add(alert.id);
      alerts.push(hold(alert, poll));
      live += 1;
      continue;
    }
    const settled = settle(alert, firing.has(alert.id), created.has(alert.id), timing, now, poll);
    const next = settled.partial && !created.has(alert.id) ? { ...settled, partial: false } : settled;
    alerts.push(next);
    if (next.state !== 'closed') live += 1;
  }

  // Bound the live set: quiet alerts beyond MAX_LIVE_ALERTS close early, longest quiet first.
  // Firing alerts are bounded by the snapshot itself (offenders per service × rules).
  if (live > MAX_LIVE_ALERTS) {
    const evict = new Set(oldestQuiet(alerts, live - MAX_LIVE_ALERTS).map((alert) => alert.id));
    alerts = alerts.map((alert) =>
      evict.has(alert.id)
        ? { ...alert, state: 'closed', quietSince: alert.quietSince ?? now, closedAt: now }
        : alert,
    );
  }

  const closed: Alert[] = [];
  const closing: { id: string; source: string; record: ClosedRecord }[] = [];
  for (const alert of alerts) {
    if (alert.state !== 'closed') continue;
    closed.push(alert);
    if (!wasClosed.has(alert.id)) {
      closing.push({
        id: alert.id,
        source: sourceKey(alert.keyKind, alert.key),
        record: closedRecord(alert, now),
      });
    }
  }
  const memory = remember(input.memory, closing, now);
  return { alerts: pruneClosed(alerts, closed, now), memory, firing };
}

function older(a: Alert, b: Alert): number {
  return a.lastSeen - b.lastSeen || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The `count` quiet alerts seen longest ago. A bounded insertion buffer: count is usually small. */
function oldestQuiet(alerts: readonly Alert[], count: number): Alert[] {
  const picked: Alert[] = [];
  for (const alert of alerts) {
    if (alert.state !== 'quiet') continue;
    if (picked.length === count && older(alert, picked[count - 1]!) >= 0) continue;
    let low = 0;
    let high = picked.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (older(picked[mid]!, alert) <= 0) low = mid + 1;
      else high = mid;
    }
    picked.splice(low, 0, alert);
    if (picked.length > count) picked.pop();
  }
  return picked;
}

/** Closed alerts age out of the feed: older than a day, or beyond the newest MAX_CLOSED_ALERTS. */
function pruneClosed(alerts: Alert[], closed: Alert[], now: number): Alert[] {
  const fresh = closed.filter((alert) => (alert.closedAt ?? now) > now - CLOSED_MAX_AGE_MS);
  if (fresh.length === closed.length && closed.length <= MAX_CLOSED_ALERTS) return alerts;
  const keep = new Set(
    fresh
      .sort((a, b) => (b.closedAt ?? 0) - (a.closedAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, MAX_CLOSED_ALERTS)
      .map((alert) => alert.id),
  );
  return alerts.filter((alert) => alert.state !== 'closed' || keep.has(alert.id));
}

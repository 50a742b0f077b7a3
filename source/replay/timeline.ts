// The alert timeline of a replay: what changed from one step's detector state to the next,
// as events (opened, grew, active, quiet, closed), and per alert episode a summary of when
// it opened, last grew, went quiet and closed, with its peak counts. Pure.
import type { Severity } from '../contracts/rules.js';
import type { Alert, AlertState } from '../detect/alert.js';
import type { DetectorState } from '../detect/detector.js';
import { severityRank } from '../detect/severity.js';

export type TimelineEventKind = 'opened' | 'grew' | 'active' | 'quiet' | 'closed';

export interface TimelineEvent {
  /** Epoch ms of the step (detector clock). */
  at: number;
  kind: TimelineEventKind;
  alertId: string;
  rule: string;
  service: string;
  key: string;
  severity: Severity;
  state: AlertState;
  failures: number;
  distinctUsers: number;
  distinctIps: number;
  invalidUserFailures: number;
  /** Event times (ISO, from the data) of the alert's earliest and latest failure. */
  firstFailure: string | null;
  lastFailure: string | null;
}

function event(at: number, kind: TimelineEventKind, alert: Alert): TimelineEvent {
  return {
    at,
    kind,
    alertId: alert.id,
    rule: alert.rule,
    service: alert.service,
    key: alert.key,
    severity: alert.severity,
    state: alert.state,
    failures: alert.failures,
    distinctUsers: alert.distinctUsers,
    distinctIps: alert.distinctIps,
    invalidUserFailures: alert.invalidUserFailures,
    firstFailure: alert.firstFailure ?? null,
    lastFailure: alert.lastFailure ?? null,
  };
}

function grew(before: Alert, after: Alert): boolean {
  return (
    after.failures > before.failures ||
    after.distinctUsers > before.distinctUsers ||
    after.distinctIps > before.distinctIps ||
    after.invalidUserFailures > before.invalidUserFailures ||
    severityRank(after.severity) > severityRank(before.severity)
  );
}

/** Events between two consecutive steps' states, in the order of the alerts in `next`. */
export function stepEvents(previous: DetectorState | null, next: DetectorState, at: number): TimelineEvent[] {
  const before = new Map((previous?.alerts ?? []).map((alert) => [alert.id, alert]));
  const events: TimelineEvent[] = [];
  for (const alert of next.alerts) {
    const old = before.get(alert.id);
    // A new id, or the same id reopened after it closed (a new episode: created at this step).
    if (!old || (alert.firstSeen === at && old.firstSeen !== at)) {
      events.push(event(at, 'opened', alert));
      continue;
    }
    if (alert.state === old.state && !grew(old, alert)) continue;
    if (grew(old, alert) && alert.state !== 'closed') events.push(event(at, 'grew', alert));
    if (alert.state !== old.state && !(old.state === 'new' && alert.state === 'active'))
      events.push(event(at, alert.state as TimelineEventKind, alert));
  }
  return events;
}

export interface AlertEpisode {
  alertId: string;
  rule: string;
  service: string;
  key: string;
  /** Highest severity reached. */
  severity: Severity;
  openedAt: number;
  lastGrewAt: number;
  /** When it last went quiet (null if it never did, or came back active and stayed). */
  quietAt: number | null;
  closedAt: number | null;
  /** State at the end of the replay. */
  state: AlertState;
  peakFailures: number;
  peakUsers: number;
  peakIps: number;
  peakInvalidUsers: number;
  firstFailure: string | null;
  lastFailure: string | null;
}

/**
 * One row per episode (an alert from opened to closed; a reopened alert starts a new one).
 * `final`, the detector state after the last step, gives the episodes still open their state
 * at the end: the events do not say when a new alert became active (no event for that).
 */
export function episodes(events: readonly TimelineEvent[], final?: DetectorState): AlertEpisode[] {
  const done: AlertEpisode[] = [];
  const open = new Map<string, AlertEpisode>();
  for (const item of events) {
    let episode = open.get(item.alertId);
    if (item.kind === 'opened' || !episode) {
      if (episode) done.push(episode);
      episode = {
        alertId: item.alertId,
        rule: item.rule,
        service: item.service,
        key: item.key,
        severity: item.severity,
        openedAt: item.at,
        lastGrewAt: item.at,
        quietAt: null,
        closedAt: null,
        state: item.state,
        peakFailures: 0,
        peakUsers: 0,
        peakIps: 0,
        peakInvalidUsers: 0,
        firstFailure: item.firstFailure,
        lastFailure: item.lastFailure,
      };
      open.set(item.alertId, episode);
    }
    if (severityRank(item.severity) > severityRank(episode.severity)) episode.severity = item.severity;
    if (item.kind === 'grew') episode.lastGrewAt = item.at;
    if (item.kind === 'quiet') episode.quietAt = item.at;
    if (item.kind === 'active') episode.quietAt = null;
    if (item.kind === 'closed') episode.closedAt = item.at;
    episode.state = item.state;
    episode.peakFailures = Math.max(episode.peakFailures, item.failures);
    episode.peakUsers = Math.max(episode.peakUsers, item.distinctUsers);
    episode.peakIps = Math.max(episode.peakIps, item.distinctIps);
    episode.peakInvalidUsers = Math.max(episode.peakInvalidUsers, item.invalidUserFailures);
    episode.firstFailure ??= item.firstFailure;
    episode.lastFailure = item.lastFailure ?? episode.lastFailure;
    if (item.kind === 'closed') {
      done.push(episode);
      open.delete(item.alertId);
    }
  }
  const states = new Map((final?.alerts ?? []).map((alert) => [alert.id, alert.state]));
  for (const episode of open.values()) episode.state = states.get(episode.alertId) ?? episode.state;
  done.push(...open.values());
  return done.sort((a, b) => a.openedAt - b.openedAt || a.alertId.localeCompare(b.alertId));
}

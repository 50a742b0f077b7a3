// The detector's public API: a pure state machine. Snapshots, settings, analyst actions and
// a clock go in; a new DetectorState (with its alerts) comes out. Nothing here reads the
// wall clock, does I/O or mutates its inputs, so the console, Slack and tests can replay it.
import type { Offender, ServiceSnapshot, Snapshot } from '../contracts/snapshot.js';
import { type Alert, alertStartedAt, type EscalationStatus } from './alert.js';
import { offenderAllowed } from './allow-list.js';
import type { KnownAlert } from './known.js';
import { advance } from './lifecycle.js';
import { type ClosedMemory, EMPTY_MEMORY, sourceKey } from './memory.js';
import {
  addMute,
  applyMutes,
  covers,
  ipMuted,
  liveMutes,
  type Mute,
  muteTarget,
  normaliseCidr,
} from './mutes.js';
import { alertId, evaluate, type RuleContext } from './rules.js';
import { type DetectionSettings, thresholdFor } from './settings.js';
import { severityRank } from './severity.js';
import { belowThreshold } from './threshold.js';

export type { Mute };

export interface DetectorState {
  /** Live alerts and recently closed ones (bounded), in creation order; see alertsNewestFirst. */
  readonly alerts: readonly Alert[];
  /** The last snapshots evaluated (re-evaluation after a settings change uses them). */
  readonly snapshot: Snapshot | null;
  readonly slowSnapshot: Snapshot | null;
  /** Active analyst mutes (expired ones are dropped on every call). */
  readonly mutes: readonly Mute[];
  /** Closed-alert memory for repeat offenders and stale-data checks (bounded). */
  readonly memory: ClosedMemory;
  /** Alert ids that fired at the last evaluation. */
  readonly firing: ReadonlySet<string>;
  /** Detector time of the last detect() call. */
  readonly lastPollAt: number | null;
  /** Alerts an earlier session showed (known.ts): those still going are not `new` again. */
  readonly known?: ReadonlyMap<string, KnownAlert>;
}

export function createDetectorState(): DetectorState {
  return {
    alerts: [],
    snapshot: null,
    slowSnapshot: null,
    mutes: [],
    memory: EMPTY_MEMORY,
    firing: new Set(),
    lastPollAt: null,
  };
}

function epoch(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const value = Date.parse(iso);
  return Number.isFinite(value) ? value : null;
}

function ruleContext(state: DetectorState): RuleContext {
  let byId: Map<string, Alert> | undefined;
  return {
    bruteForceLastFailure(service, ip) {
      const id = alertId('brute-force', service, ip);
      byId ??= new Map(state.alerts.map((alert) => [alert.id, alert]));
      const alert = byId.get(id);
      if (alert) return epoch(alert.lastFailure);
      return state.memory.alerts.get(id)?.lastFailure ?? null;
    },
  };
}

/** Services with failed shards in either snapshot: their numbers may be low (issue 13 A6). */
function partialServices(snapshot: Snapshot, slowSnapshot: Snapshot | null): Set<string> {
  const services = new Set<string>();
  for (const service of [...snapshot.services, ...(slowSnapshot?.services ?? [])]) {
    if ((service.shards?.failed ?? 0) > 0) services.add(service.service);
  }
  return services;
}

function run(
  state: DetectorState,
  snapshot: Snapshot,
  slowSnapshot: Snapshot | null,
  settings: DetectionSettings,
  now: number,
  poll: boolean,
): DetectorState {
  const findings = evaluate(snapshot, slowSnapshot, settings, ruleContext(state));
  const mutes = liveMutes(state.mutes, now);
  const result = advance(state, findings, settings.rules, now, poll, partialServices(snapshot, slowSnapshot));
  const alerts = result.alerts.map((alert) => {
    const below = belowThreshold(settings, alert, result.firing.has(alert.id));
    return below === (alert.belowThreshold ?? null) ? alert : { ...alert, belowThreshold: below };
  });
  return {
    ...(state.known ? { known: state.known } : {}),
    alerts: applyMutes(alerts, mutes),
    snapshot,
    slowSnapshot,
    mutes,
    memory: result.memory,
    firing: result.firing,
    lastPollAt: poll ? now : state.lastPollAt,
  };
}

/** One poll: evaluate the rules on new snapshots. A null slowSnapshot keeps the last slow one. */
export function detect(
  state: DetectorState,
  input: { snapshot: Snapshot; slowSnapshot: Snapshot | null },
  settings: DetectionSettings,
  now: number,
): DetectorState {
  return run(state, input.snapshot, input.slowSnapshot ?? state.slowSnapshot, settings, now, true);
}

/** Same snapshots, new settings (a threshold edit, an allow-list change): takes effect at once. */
export function reevaluate(state: DetectorState, settings: DetectionSettings, now: number): DetectorState {
  if (state.snapshot === null) {
    const mutes = liveMutes(state.mutes, now);
    return mutes === state.mutes ? state : { ...state, mutes, alerts: applyMutes(state.alerts, mutes) };
  }
  return run(state, state.snapshot, state.slowSnapshot, settings, now, false);
}

export type AnalystAction =
  | { type: 'acknowledge'; alertId: string }
  /** By alert: its source IP (every alert of it), or with `only` that one alert. */
  | { type: 'mute'; alertId?: string; cidr?: string; untilMs: number; only?: boolean }
  | { type: 'unmute'; alertId?: string; cidr?: string }
  | { type: 'escalation'; alertId: string; status: EscalationStatus };

function mapAlert(state: DetectorState, id: string, change: (alert: Alert) => Alert): DetectorState {
  const index = state.alerts.findIndex((alert) => alert.id === id);
  if (index < 0) return state;
  const alerts = [...state.alerts];
  alerts[index] = change(alerts[index]!);
  return { ...state, alerts };
}

function withMutes(state: DetectorState, mutes: readonly Mute[]): DetectorState {
  return { ...state, mutes, alerts: applyMutes(state.alerts, mutes) };
}

/**
 * An analyst action. Unknown alert ids and invalid CIDRs leave the state unchanged (the
 * console validates CIDRs with isCidr first).
 * - mute by alertId mutes the alert's source IP (every alert from it), or, for alerts not
 *   keyed by an IP (distributed, custom), that alert; a mute until a past time does nothing.
 * - unmute by alertId lifts every mute covering that alert (its IP, a CIDR around it, or
 *   the alert itself); unmute by CIDR lifts the mute of exactly that CIDR.
 */
export function applyAction(state: DetectorState, action: AnalystAction, now: number): DetectorState {
  const current = liveMutes(state.mutes, now);
  const base = current === state.mutes ? state : withMutes(state, current);
  switch (action.type) {
    case 'acknowledge':
      return mapAlert(base, action.alertId, (alert) =>
        alert.acknowledged ? alert : { ...alert, acknowledged: true },
      );
    case 'escalation':
      return mapAlert(base, action.alertId, (alert) => ({ ...alert, escalation: action.status }));
    case 'mute': {
      if (action.untilMs <= now) return base;
      let target: Pick<Mute, 'cidr' | 'alertId'> | undefined;
      if (action.cidr !== undefined) {
        const cidr = normaliseCidr(action.cidr);
        target = cidr === undefined ? undefined : { cidr, alertId: null };
      } else if (action.alertId !== undefined) {
        const alert = base.alerts.find((candidate) => candidate.id === action.alertId);
        target = alert ? (action.only ? { cidr: null, alertId: alert.id } : muteTarget(alert)) : undefined;
      }
      if (!target) return base;
      return withMutes(base, addMute(base.mutes, { ...target, untilMs: action.untilMs }));
    }
    case 'unmute': {
      let keep: Mute[];
      if (action.cidr !== undefined) {
        const cidr = normaliseCidr(action.cidr);
        if (cidr === undefined) return base;
        keep = base.mutes.filter((mute) => mute.cidr !== cidr);
      } else if (action.alertId !== undefined) {
        const alert = base.alerts.find((candidate) => candidate.id === action.alertId);
        if (!alert) return base;
        keep = base.mutes.filter((mute) => !covers(mute, alert));
      } else {
        return base;
      }
      return keep.length === base.mutes.length ? base : withMutes(base, keep);
    }
  }
}

/** The feed: newest first (the attack's first failure), then the more severe, then by id (stable). */
export function alertsNewestFirst(state: DetectorState): Alert[] {
  return [...state.alerts].sort(
    (a, b) =>
      alertStartedAt(b) - alertStartedAt(a) ||
      severityRank(b.severity) - severityRank(a.severity) ||
      a.id.localeCompare(b.id),
  );
}

export type OffenderFlag =
  | 'over-threshold'
  | 'spraying'
  | 'enumeration'
  | 'success-after-failure'
  | 'slow'
  | 'muted'
  | 'allow-listed'
  | 'repeat';

// Per-render lookups, cached on the (immutable) arrays they index: a table of offender rows
// calls offenderFlags once per row.
const slowIndex = new WeakMap<ServiceSnapshot, Map<string, Offender>>();
const repeatIndex = new WeakMap<readonly Alert[], Set<string>>();

function repeatIps(alerts: readonly Alert[]): Set<string> {
  let ips = repeatIndex.get(alerts);
  if (!ips) {
    ips = new Set(
      alerts.filter((alert) => alert.repeatOffender && alert.keyKind === 'ip').map((alert) => alert.key),
    );
    repeatIndex.set(alerts, ips);
  }
  return ips;
}

function slowOffender(state: DetectorState, service: string, ip: string): Offender | undefined {
  const slow = state.slowSnapshot?.services.find((entry) => entry.service === service);
  if (!slow) return undefined;
  let index = slowIndex.get(slow);
  if (!index) {
    index = new Map(slow.offenders.map((offender) => [offender.ip, offender]));
    slowIndex.set(slow, index);
  }
  return index.get(ip);
}

/**
 * Flags for one offender row of a service table. They describe the numbers, so an
 * allow-listed or muted source still shows what it is doing (plus 'allow-listed'/'muted').
 * 'over-threshold' follows the service threshold even with the brute-force rule off; the
 * others follow their rule's setting and only appear while that rule is enabled.
 */
export function offenderFlags(
  state: DetectorState,
  settings: DetectionSettings,
  service: string,
  offender: Offender,
  now: number,
): OffenderFlag[] {
  const { rules } = settings;
  const flags: OffenderFlag[] = [];
  const overThreshold = offender.failures >= thresholdFor(settings, service);
  if (overThreshold) flags.push('over-threshold');
  if (rules.spraying.enabled && offender.distinctUsers >= rules.spraying.distinctUsers)
    flags.push('spraying');
  if (rules.enumeration.enabled && offender.invalidUserFailures >= rules.enumeration.invalidUsers) {
    flags.push('enumeration');
  }
  const slow = slowOffender(state, service, offender.ip);
  if (rules.successAfterFailure.enabled) {
    const compromised = (candidate: Offender | undefined) =>
      candidate !== undefined &&
      candidate.successesAfterFailure > 0 &&
      candidate.failures >= rules.successAfterFailure.failures;
    const merged =
      slow === undefined
        ? offender
        : {
            ...offender,
            failures: Math.max(offender.failures, slow.failures),
            successesAfterFailure: Math.max(offender.successesAfterFailure, slow.successesAfterFailure),
          };
    if (compromised(merged)) flags.push('success-after-failure');
  }
  if (
    rules.slowBruteForce.enabled &&
    slow &&
    slow.failures >= rules.slowBruteForce.threshold &&
    !overThreshold
  ) {
    flags.push('slow');
  }
  if (ipMuted(state.mutes, offender.ip, now)) flags.push('muted');
  if (offenderAllowed(settings.allowList, offender)) flags.push('allow-listed');
  if (state.memory.sources.has(sourceKey('ip', offender.ip)) || repeatIps(state.alerts).has(offender.ip)) {
    flags.push('repeat');
  }
  return flags;
}

// The console's whole state and the pure reducer for events from outside (a poll, a poller
// status, an escalation result). Keys are handled by handle-key.ts, which returns the next
// state plus the side effects to run. Every event is one `reduce` call, so one poll is one
// state update and at most one render.

import type { PollerStatus } from '../cluster/poller.js';
import type { Snapshot } from '../contracts/snapshot.js';
import type { Alert, EscalationStatus } from '../detect/alert.js';
import {
  createDetectorState,
  type DetectorState,
  detect,
  alertsNewestFirst as listAlerts,
  applyAction as runAction,
} from '../detect/detector.js';
import type { Mute } from '../detect/mutes.js';
import type { DetectionSettings } from '../detect/settings.js';
import { ALERTS_PANE } from './panes.js';
import { currentSelection } from './rows.js';
import { DEFAULT_ALERT_SORT, DEFAULT_OFFENDER_SORT, type SortState } from './sort.js';

export { ALERTS_PANE };

export type MuteTarget =
  | { kind: 'alert'; alertId: string; label: string }
  | { kind: 'ip'; service: string; ip: string; label: string };

export type Overlay =
  | { kind: 'help' }
  /** Details of the focused pane's selected row; it follows the selection. */
  | { kind: 'detail' }
  | { kind: 'threshold'; service: string; text: string; error: string | null }
  | { kind: 'window'; text: string; error: string | null }
  /** Live filter: each keystroke filters; Esc restores `before`. */
  | { kind: 'filter'; text: string; before: string }
  | { kind: 'mute'; target: MuteTarget; text: string; error: string | null }
  | { kind: 'escalate'; alertId: string; stage: 'confirm' | 'note'; note: string };

export interface Flash {
  text: string;
  tone: 'info' | 'warn' | 'error';
  at: number;
}

export interface Selection {
  /** IP or alert id of the selected row: selection stays on it while rows re-sort. */
  key: string | null;
  /** Where it was, for when that row disappears. */
  index: number;
}

export interface AppState {
  services: readonly { name: string; label: string }[];
  cluster: string;
  indexPattern: string;
  refreshMs: number;
  /** The window asked for (the snapshot's own window shows what is loaded). */
  windowMs: number;
  /** Discover links in the detail view, when a Kibana URL is configured. */
  kibana: KibanaTarget | null;
  escalation: { configured: boolean; hint: string };
  /**
   * Alert id → id of the alert state last escalated (by us or, from the audit index, by a
   * colleague). `e` on an alert whose state is unchanged says "already escalated" instead of
   * offering to send: the same state is never sent twice.
   */
  escalatedStates: Readonly<Record<string, string>>;
  status: PollerStatus;
  snapshot: Snapshot | null;
  slowSnapshot: Snapshot | null;
  /** Epoch ms of the last successful poll. */
  updatedAt: number | null;
  /** Clock of the last event (poll or key): what mutes and flags are judged against, so a render is a pure function of the state. */
  now: number;
  settings: DetectionSettings;
  detector: DetectorState;
  /** Alerts newest first, recomputed whenever the detector state changes. */
  alerts: readonly Alert[];
  focus: string;
  selection: Readonly<Record<string, Selection>>;
  sort: Readonly<Record<string, SortState>>;
  filter: string;
  overlay: Overlay | null;
  flash: Flash | null;
}

export interface KibanaTarget {
  url: string;
  /** Field names to filter on: source IP and account. */
  ipField: string;
  userField: string;
}

export interface InitialStateOptions {
  now: number;
  services: readonly { name: string; label: string }[];
  cluster: string;
  indexPattern: string;
  refreshMs: number;
  windowMs: number;
  kibana?: KibanaTarget | null;
  settings: DetectionSettings;
  escalation?: { configured: boolean; hint: string };
  /** Mutes kept from an earlier session (see source/config/mute-file.ts). */
  mutes?: readonly Mute[];
}

export function initialState(options: InitialStateOptions): AppState {
  const detector: DetectorState = { ...createDetectorState(), mutes: options.mutes ?? [] };
  const panes = [...options.services.map((service) => service.name), ALERTS_PANE];
  return {
    services: options.services,
    cluster: options.cluster,
    indexPattern: options.indexPattern,
    refreshMs: options.refreshMs,
    windowMs: options.windowMs,
    kibana: options.kibana ?? null,
    escalation: options.escalation ?? { configured: false, hint: 'Slack is not configured' },
    escalatedStates: {},
    status: { kind: 'connecting' },
    snapshot: null,
    slowSnapshot: null,
    updatedAt: null,
    now: options.now,
    settings: options.settings,
    detector,
    alerts: listAlerts(detector),
    focus: panes[0]!,
    selection: Object.fromEntries(panes.map((pane) => [pane, { key: null, index: 0 }])),
    sort: Object.fromEntries(
      panes.map((pane) => [pane, pane === ALERTS_PANE ? DEFAULT_ALERT_SORT : DEFAULT_OFFENDER_SORT]),
    ),
    filter: '',
    overlay: null,
    flash: null,
  };
}

/** Someone else's escalation of an alert, from the shared audit index. */
export interface RemoteEscalation {
  by: string;
  at: number;
  /** The escalated alert state (escalationStateId), when the record says. */
  stateId?: string;
}

export type AppAction =
  | { type: 'poll'; snapshot: Snapshot; slowSnapshot: Snapshot | null; now: number }
  | { type: 'status'; status: PollerStatus; now: number }
  | { type: 'escalation'; alertId: string; status: EscalationStatus; now: number; stateId?: string }
  | { type: 'escalations-synced'; records: ReadonlyMap<string, RemoteEscalation>; now: number }
  | { type: 'flash'; text: string; tone: Flash['tone']; now: number };

/** A flash older than this goes away at the next poll (no timer of its own). */
export const FLASH_MS = 6000;

export function reduce(state: AppState, action: AppAction): AppState {
  switch (action.type) {
    case 'poll': {
      const detector = detect(
        state.detector,
        { snapshot: action.snapshot, slowSnapshot: action.slowSnapshot },
        state.settings,
        action.now,
      );
      const flash = state.flash && action.now - state.flash.at > FLASH_MS ? null : state.flash;
      return {
        ...state,
        // Pin each selection to where it is shown now, so if its row leaves with this poll
        // the selection stays at the same place instead of where it was first made.
        selection: currentSelection(state),
        snapshot: action.snapshot,
        slowSnapshot: action.slowSnapshot ?? state.slowSnapshot,
        updatedAt: action.now,
        now: action.now,
        detector,
        alerts: listAlerts(detector),
        flash,
      };
    }
    case 'status': {
      if (sameStatus(state.status, action.status)) return state;
      return { ...state, status: action.status };
    }
    case 'escalation': {
      if (!state.alerts.some((alert) => alert.id === action.alertId)) return state;
      const detector = runAction(
        state.detector,
        { type: 'escalation', alertId: action.alertId, status: action.status },
        action.now,
      );
      const delivered = action.status.kind === 'sent' || action.status.kind === 'already';
      const escalatedStates =
        delivered && action.stateId
          ? { ...state.escalatedStates, [action.alertId]: action.stateId }
          : state.escalatedStates;
      return { ...state, now: action.now, detector, alerts: listAlerts(detector), escalatedStates };
    }
    case 'escalations-synced': {
      // Only alerts this console has not escalated itself (or failed to) take the other
      // analyst's record: our own "sent ✓" or "sending…" stays as it is.
      let detector = state.detector;
      let escalatedStates = state.escalatedStates;
      for (const alert of state.alerts) {
        const record = action.records.get(alert.id);
        if (!record) continue;
        if (record.stateId && escalatedStates[alert.id] !== record.stateId) {
          escalatedStates = { ...escalatedStates, [alert.id]: record.stateId };
        }
        const current = alert.escalation;
        if (current && (current.kind === 'sending' || current.kind === 'sent')) continue;
        if (current?.kind === 'already' && current.by === record.by && current.at === record.at) continue;
        detector = runAction(
          detector,
          {
            type: 'escalation',
            alertId: alert.id,
            status: { kind: 'already', at: record.at, by: record.by },
          },
          action.now,
        );
      }
      if (detector === state.detector && escalatedStates === state.escalatedStates) return state;
      return { ...state, now: action.now, detector, alerts: listAlerts(detector), escalatedStates };
    }
    case 'flash':
      return { ...state, now: action.now, flash: { text: action.text, tone: action.tone, at: action.now } };
  }
}

function sameStatus(a: PollerStatus, b: PollerStatus): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'reconnecting' && b.kind === 'reconnecting') {
    return a.attempt === b.attempt && a.nextTryAt === b.nextTryAt && a.error.message === b.error.message;
  }
  if (a.kind === 'error' && b.kind === 'error') return a.error.message === b.error.message;
  return true;
}

/** Pane ids in focus order: the services as configured, then the alert feed. */
export function paneIds(state: AppState): string[] {
  return [...state.services.map((service) => service.name), ALERTS_PANE];
}

/** Data on screen is stale while the poller cannot reach the cluster. */
export function isStale(state: AppState): boolean {
  return state.snapshot !== null && (state.status.kind === 'reconnecting' || state.status.kind === 'error');
}

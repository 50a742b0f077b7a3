// The console's whole state: every value has one home here (the window, thresholds, mutes,
// escalation status, selection). What can be derived (the alert list, each pane's rows) is
// not stored: selectors.ts derives it, memoised. Events from outside go through reduce.ts,
// keys through keys/handle-key.ts; both return the next state (and effects to run).

import type { Details } from '../../cluster/parse.js';
import type { PollerStatus } from '../../cluster/poller.js';
import type { Snapshot } from '../../contracts/snapshot.js';
import { createDetectorState, type DetectorState } from '../../detect/detector.js';
import type { KnownAlert } from '../../detect/known.js';
import type { Mute } from '../../detect/mutes.js';
import type { DetectionSettings } from '../../detect/settings.js';
import { DEFAULT_SILENCE_ALERT_MS } from './ingest-lag.js';
import { ALERTS_PANE } from './panes.js';
import { DEFAULT_ALERT_SORT, DEFAULT_OFFENDER_SORT, type SortState } from './sort.js';
import type { Travel } from './travel-state.js';

export type MuteTarget =
  | { kind: 'alert'; alertId: string; label: string }
  | { kind: 'ip'; service: string; ip: string; label: string };

export type Overlay =
  /** `offset`: first line shown when the help is taller than the terminal (j/k scroll). */
  | { kind: 'help'; offset?: number }
  /** The message log (L): the last messages with their console time, newest last. */
  | { kind: 'log'; offset?: number }
  /** Details of the focused pane's selected row; it follows the selection. */
  | { kind: 'detail' }
  | { kind: 'threshold'; service: string; text: string; error: string | null }
  | { kind: 'window'; text: string; error: string | null }
  /** Live filter: each keystroke filters; Esc restores `before`. */
  | { kind: 'filter'; text: string; before: string }
  /** `confirm`: an IP-wide mute that would silence a HIGH/CRITICAL alert asks y/n first. */
  | { kind: 'mute'; target: MuteTarget; text: string; error: string | null; confirm?: boolean }
  /** `resend`: Slack did not answer an earlier send (why): the question is whether to send again. */
  | { kind: 'escalate'; alertId: string; stage: 'confirm' | 'note'; note: string; resend?: string };

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

/** Service → IP → details fetched by the row-details search. */
export type RowDetails = Readonly<Record<string, Readonly<Record<string, Details>>>>;

export interface AppState {
  services: readonly { name: string; label: string }[];
  cluster: string;
  indexPattern: string;
  refreshMs: number;
  /** No event of a service for this long (that had events) is called out in the header (A3). */
  silenceAlertMs: number;
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
  focus: string;
  selection: Readonly<Record<string, Selection>>;
  sort: Readonly<Record<string, SortState>>;
  filter: string;
  overlay: Overlay | null;
  flash: Flash | null;
  /** The last messages (flashes and connection errors), oldest first; see messages/log.ts. */
  messages: readonly Flash[];
  /** Acknowledged and muted alerts are left out of the feed (H toggles). */
  hideQuiet: boolean;
  /** Not live: "as of" a past time (--at) or a replay (--replay); see player.ts. */
  travel?: Travel;
  /** Details fetched for rows beyond the busiest IPs (A4; see row-details.ts). */
  rowDetails: RowDetails;
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
  /** Alerts an earlier session showed (see source/console/alert-file.ts). */
  known?: ReadonlyMap<string, KnownAlert>;
  /** Config `silenceAlert` (ms); default 10 min. */
  silenceAlertMs?: number;
}

export function initialState(options: InitialStateOptions): AppState {
  const detector: DetectorState = {
    ...createDetectorState(),
    mutes: options.mutes ?? [],
    ...(options.known ? { known: options.known } : {}),
  };
  const panes = [...options.services.map((service) => service.name), ALERTS_PANE];
  return {
    services: options.services,
    cluster: options.cluster,
    indexPattern: options.indexPattern,
    refreshMs: options.refreshMs,
    silenceAlertMs: options.silenceAlertMs ?? DEFAULT_SILENCE_ALERT_MS,
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
    focus: panes[0]!,
    selection: Object.fromEntries(panes.map((pane) => [pane, { key: null, index: 0 }])),
    sort: Object.fromEntries(
      panes.map((pane) => [pane, pane === ALERTS_PANE ? DEFAULT_ALERT_SORT : DEFAULT_OFFENDER_SORT]),
    ),
    filter: '',
    overlay: null,
    flash: null,
    messages: [],
    hideQuiet: false,
    rowDetails: {},
  };
}

/** Someone else's escalation of an alert, from the shared audit index. */
export interface RemoteEscalation {
  by: string;
  at: number;
  /** The escalated alert state (escalationStateId), when the record says. */
  stateId?: string;
}

/** Pane ids in focus order: the services as configured, then the alert feed. */
export function paneIds(state: AppState): string[] {
  return [...state.services.map((service) => service.name), ALERTS_PANE];
}

/** Data on screen is stale while the poller cannot reach the cluster. */
export function isStale(state: AppState): boolean {
  return state.snapshot !== null && (state.status.kind === 'reconnecting' || state.status.kind === 'error');
}

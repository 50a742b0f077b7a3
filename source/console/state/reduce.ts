// The pure reducer for events from outside the keyboard (a poll, a poller status, an
// escalation result, a message). Every event is one `reduce` call, so one poll is one state
// update and at most one render.

import type { Details } from '../../cluster/parse.js';
import type { PollerStatus } from '../../cluster/poller.js';
import type { Snapshot } from '../../contracts/snapshot.js';
import type { EscalationRetry, EscalationStatus } from '../../detect/alert.js';
import { detect, applyAction as runAction } from '../../detect/detector.js';
import { logMessage, recordMessage } from '../messages/log.js';
import { storeDetails } from './row-details.js';
import { alertList, currentSelection } from './selectors.js';
import type { AppState, Flash, RemoteEscalation } from './state.js';

export type AppAction =
  | { type: 'poll'; snapshot: Snapshot; slowSnapshot: Snapshot | null; now: number }
  | { type: 'status'; status: PollerStatus; now: number }
  | { type: 'escalation'; alertId: string; status: EscalationStatus; now: number; stateId?: string }
  /** A Slack send of this alert failed an attempt and waits to retry; cleared by the next 'escalation'. */
  | { type: 'escalation-retry'; alertId: string; retry: Omit<EscalationRetry, 'at'>; now: number }
  | { type: 'escalations-synced'; records: ReadonlyMap<string, RemoteEscalation>; now: number }
  | { type: 'flash'; text: string; tone: Flash['tone']; now: number }
  /** Details of rows beyond the busiest IPs, from the row-details search (A4). */
  | { type: 'row-details'; service: string; details: ReadonlyMap<string, Details>; now: number }
  /** Slack did not answer: it may have been posted. Ask before sending again. */
  | { type: 'ask-resend'; alertId: string; reason: string; now: number };

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
        flash,
        // Details fetched for another window length describe other counts.
        rowDetails: action.snapshot.window.ms === state.snapshot?.window.ms ? state.rowDetails : {},
      };
    }
    case 'status': {
      if (sameStatus(state.status, action.status)) return state;
      // The error is shown in the header while it lasts; the log keeps it whole, with its time.
      const error = statusError(action.status);
      const logged = error && error !== statusError(state.status);
      const next = { ...state, status: action.status };
      return logged ? recordMessage(next, error, 'error', action.now) : next;
    }
    case 'escalation': {
      if (!alertList(state).some((alert) => alert.id === action.alertId)) return state;
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
      return { ...state, now: action.now, detector, escalatedStates };
    }
    case 'escalation-retry': {
      const alert = alertList(state).find((candidate) => candidate.id === action.alertId);
      // Only a send still shown as in flight: a late report must not undo its outcome.
      if (alert?.escalation?.kind !== 'sending') return state;
      const status: EscalationStatus = {
        kind: 'sending',
        since: alert.escalation.since,
        retry: { ...action.retry, at: action.now },
      };
      return reduce(state, { type: 'escalation', alertId: action.alertId, status, now: action.now });
    }
    case 'escalations-synced': {
      // Only alerts this console has not escalated itself (or failed to) take the other
      // analyst's record: our own "sent ✓" or "sending…" stays as it is.
      let detector = state.detector;
      let escalatedStates = state.escalatedStates;
      for (const alert of alertList(state)) {
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
      return { ...state, now: action.now, detector, escalatedStates };
    }
    case 'ask-resend': {
      const question = 'Slack did not answer: it may have been posted';
      if (state.overlay !== null) {
        // Never steal the keyboard from another prompt: say it, and `e` asks later.
        const text = `${question} (${action.reason}); press e on the alert to decide whether to send again`;
        return logMessage({ ...state, now: action.now }, text, 'warn', action.now);
      }
      return {
        ...state,
        now: action.now,
        overlay: {
          kind: 'escalate',
          alertId: action.alertId,
          stage: 'confirm',
          note: '',
          resend: action.reason,
        },
      };
    }
    case 'row-details':
      return storeDetails(state, action.service, action.details);
    case 'flash':
      return logMessage({ ...state, now: action.now }, action.text, action.tone, action.now);
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

function statusError(status: PollerStatus): string | undefined {
  return status.kind === 'reconnecting' || status.kind === 'error' ? status.error.message : undefined;
}

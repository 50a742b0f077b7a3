// What a key press (or a submitted prompt) returns: the next state, plus the side effects
// for the session shell to run (persist a threshold or the window, move the poller, send to
// Slack, quit). Keeping effects as data is what lets keys and prompts be tested without I/O.
import { logMessage } from '../messages/log.js';
import type { AppState, Flash, Overlay } from './state.js';

export type Effect =
  | { kind: 'quit'; code?: number }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'refresh' }
  | { kind: 'persist-threshold'; service: string; value: number }
  | { kind: 'set-window'; ms: number }
  /** `force`: send again although an earlier attempt may have been posted (the analyst said yes). */
  | { kind: 'escalate'; alertId: string; note: string | undefined; force?: boolean }
  | { kind: 'evidence'; alertId: string }
  /** Put `text` (sanitized) on the analyst's clipboard with OSC 52; `what` names it in the message. */
  | { kind: 'copy'; text: string; what: string }
  /** As of: evaluate at this time (player.ts). */
  | { kind: 'travel-at'; at: number };

export interface KeyResult {
  state: AppState;
  effects: Effect[];
}

export const none = (state: AppState): KeyResult => ({ state, effects: [] });

export function withFlash(
  state: AppState,
  text: string,
  now: number,
  tone: Flash['tone'] = 'info',
): AppState {
  return logMessage(state, text, tone, now);
}

export function withOverlay(state: AppState, overlay: Overlay | null): AppState {
  return { ...state, overlay };
}

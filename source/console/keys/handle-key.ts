// Key presses → next state + side effects, as a pure function. The key table (keymap.ts)
// says which command a key is in the current context; this decides what the command does.
// Effects (persisting a threshold, moving the poller's window, sending to Slack, quitting)
// are returned for the caller to run, so all of this is testable without a terminal.
import type { Key } from 'ink';
import { formatAge, formatDuration } from '../../core/duration.js';
import { sanitize } from '../../core/sanitize.js';
import type { Alert } from '../../detect/alert.js';
import { applyAction } from '../../detect/detector.js';
import { ipMuted } from '../../detect/mutes.js';
import { thresholdFor } from '../../detect/settings.js';
import { severityRank } from '../../detect/severity.js';
import { escalationStateId } from '../../slack/record.js';
import { addNote, confirmEscalation } from '../prompts/escalate.js';
import { openPrompt } from '../prompts/index.js';
import { confirmMute, DEFAULT_MUTE } from '../prompts/mute.js';
import { MAX_THRESHOLD } from '../prompts/threshold.js';
import { cyclePreset } from '../prompts/window.js';
import { withFlash as flash, type KeyResult, none, withOverlay } from '../state/effects.js';
import { alertsOfIp, applyThreshold } from '../state/operations.js';
import { ALERTS_PANE } from '../state/panes.js';
import { changeSpeed, moveTime, nextAlert, togglePlay } from '../state/player.js';
import { rowKeys, selectedAlert, selectedIndex, selectedOffender } from '../state/selectors.js';
import { nextSort } from '../state/sort.js';
import { type AppState, type MuteTarget, paneIds } from '../state/state.js';
import { copySelection } from './copy.js';
import { type CommandId, findBinding, type KeyContext, type KeyEnvironment } from './keymap.js';
import { toggleQuiet } from './quiet.js';
import { scrollOverlay } from './scroll.js';

export type { Effect, KeyResult } from '../state/effects.js';

export function keyContext(state: AppState): KeyContext {
  const overlay = state.overlay;
  if (!overlay) return state.focus === ALERTS_PANE ? 'alerts' : 'offenders';
  switch (overlay.kind) {
    case 'help':
      return 'help';
    case 'detail':
      return 'detail';
    case 'log':
      return 'log';
    case 'mute':
      return overlay.confirm ? 'ask' : 'prompt';
    case 'window':
      return 'window';
    case 'escalate':
      return overlay.stage === 'confirm' ? 'confirm' : 'prompt';
    default:
      return 'prompt';
  }
}

export function handleKey(state: AppState, input: string, key: Key, env: KeyEnvironment): KeyResult {
  const binding = findBinding(keyContext(state), input, key);
  if (!binding) return { state, effects: [] };
  // Any command clears a previous flash; commands that report something set a new one.
  // Not live, the screen's clock is the detector's (the time travelled to), not the wall's.
  const base: AppState = { ...state, now: state.travel ? state.now : env.now, flash: null };
  return runCommand(base, binding.command, input, env);
}

function runCommand(state: AppState, command: CommandId, input: string, env: KeyEnvironment): KeyResult {
  const { now } = env;
  const pane = state.focus;
  switch (command) {
    case 'quit':
      return { state, effects: [{ kind: 'quit' }] };
    case 'interrupt':
      // Like SIGINT: the shell (and a script around it) sees 130.
      return { state, effects: [{ kind: 'quit', code: 130 }] };
    case 'help':
      return none(withOverlay(state, state.overlay?.kind === 'help' ? null : { kind: 'help' }));
    case 'close':
      return none(withOverlay(state, null));
    case 'focus-next':
    case 'focus-prev': {
      const panes = paneIds(state);
      const step = command === 'focus-next' ? 1 : -1;
      const index = (panes.indexOf(pane) + step + panes.length) % panes.length;
      return none({ ...state, focus: panes[index]! });
    }
    case 'down':
    case 'up':
    case 'page-down':
    case 'page-up':
    case 'top':
    case 'bottom':
      if (state.overlay?.kind === 'help' || state.overlay?.kind === 'log') {
        return none(scrollOverlay(state, command, env));
      }
      return none(moveBy(state, pane, command, env.page));
    case 'log':
      return none(withOverlay(state, state.overlay?.kind === 'log' ? null : { kind: 'log' }));
    case 'hide-quiet':
      return none(toggleQuiet(state, now));
    case 'copy':
    case 'copy-link':
      return copySelection(state, command === 'copy-link' ? 'link' : 'text', now);
    case 'open': {
      const has = pane === ALERTS_PANE ? selectedAlert(state) : selectedOffender(state, pane);
      if (!has) return none(flash(state, 'nothing selected', now));
      return none(withOverlay(state, { kind: 'detail' }));
    }
    case 'threshold':
      return none(withOverlay(state, { kind: 'threshold', service: pane, text: '', error: null }));
    case 'nudge-up':
    case 'nudge-down': {
      const current = thresholdFor(state.settings, pane);
      const next = Math.min(MAX_THRESHOLD, Math.max(1, current + (command === 'nudge-up' ? 1 : -1)));
      if (next === current) return none(flash(state, `threshold is already ${current}`, now));
      return applyThreshold(state, pane, next, now);
    }
    case 'window':
      return none(withOverlay(state, { kind: 'window', text: formatDuration(state.windowMs), error: null }));
    case 'filter':
      return none(withOverlay(state, { kind: 'filter', text: state.filter, before: state.filter }));
    case 'sort':
      return none({ ...state, sort: { ...state.sort, [pane]: nextSort(sortKind(pane), state.sort[pane]!) } });
    case 'reverse': {
      const current = state.sort[pane]!;
      return none({
        ...state,
        sort: { ...state.sort, [pane]: { ...current, descending: !current.descending } },
      });
    }
    case 'escalate':
      return startEscalation(state, now);
    case 'acknowledge':
      return acknowledge(state, now);
    case 'evidence':
      return exportEvidence(state, now);
    case 'mute':
      return startMute(state, now);
    case 'pause': {
      const paused = state.status.kind === 'paused';
      return {
        state: flash(state, paused ? 'resumed' : 'paused: polling stops until p', now),
        effects: [{ kind: paused ? 'resume' : 'pause' }],
      };
    }
    case 'refresh':
      return { state, effects: [{ kind: 'refresh' }] };
    case 'time-back':
    case 'time-forward':
    case 'window-back':
    case 'window-forward':
      return travelKey(state, command, now);
    case 'play':
      return togglePlay(state);
    case 'faster':
    case 'slower':
      return changeSpeed(state, command === 'faster' ? 1 : -1);
    case 'next-alert':
      return nextAlert(state);
    case 'type':
      return typeInto(state, input);
    case 'erase':
      return erase(state);
    case 'preset-next':
    case 'preset-prev': {
      const overlay = state.overlay;
      if (overlay?.kind !== 'window') return none(state);
      return none(cyclePreset(state, overlay, command === 'preset-next' ? 1 : -1));
    }
    case 'submit':
      return submit(state, now);
    case 'cancel':
      return cancel(state);
    case 'confirm':
      return state.overlay?.kind === 'mute'
        ? confirmMute(state, state.overlay, now)
        : confirmEscalation(state);
    case 'add-note':
      return addNote(state, now);
  }
}

function sortKind(pane: string): 'offenders' | 'alerts' {
  return pane === ALERTS_PANE ? 'alerts' : 'offenders';
}

function moveBy(state: AppState, pane: string, command: CommandId, page: number): AppState {
  switch (command) {
    case 'down':
      return move(state, pane, (index) => index + 1);
    case 'up':
      return move(state, pane, (index) => index - 1);
    case 'page-down':
      return move(state, pane, (index) => index + Math.max(1, page));
    case 'page-up':
      return move(state, pane, (index) => index - Math.max(1, page));
    case 'top':
      return move(state, pane, () => 0);
    default:
      return move(state, pane, (_, count) => count - 1);
  }
}

function move(state: AppState, pane: string, to: (index: number, count: number) => number): AppState {
  const keys = rowKeys(state, pane);
  if (keys.length === 0) return state;
  const current = selectedIndex(keys, state.selection[pane]);
  const next = Math.min(Math.max(to(Math.max(current, 0), keys.length), 0), keys.length - 1);
  return { ...state, selection: { ...state.selection, [pane]: { key: keys[next]!, index: next } } };
}

/** The alert a key acts on: the selected one, or on an offender row its most severe (the feed sorts that way on ties). */
function alertHere(state: AppState): Alert | undefined {
  if (state.focus === ALERTS_PANE) return selectedAlert(state);
  return alertsOfIp(state, state.focus, selectedOffender(state, state.focus)?.ip).sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity),
  )[0];
}

function exportEvidence(state: AppState, now: number): KeyResult {
  const alert = alertHere(state);
  if (!alert) return none(flash(state, 'no alert to export here', now));
  return {
    state: flash(state, 'writing the evidence bundle…', now),
    effects: [{ kind: 'evidence', alertId: alert.id }],
  };
}

function startEscalation(state: AppState, now: number): KeyResult {
  const alert = alertHere(state);
  if (!alert) return none(flash(state, 'no alert to escalate here', now));
  if (!state.escalation.configured) return none(flash(state, state.escalation.hint, now, 'warn'));
  if (alert.escalation?.kind === 'sending') return none(flash(state, 'already being sent to Slack', now));
  const previous = alert.escalation;
  if (
    (previous?.kind === 'sent' || previous?.kind === 'already') &&
    state.escalatedStates[alert.id] === escalationStateId(alert)
  ) {
    // Same alert state as the message already in the channel: nothing new to say.
    return none(
      flash(
        state,
        `already escalated by ${sanitize(previous.by)} ${formatAge(now - previous.at)}; an update can be sent once it grows`,
        now,
      ),
    );
  }
  return none(withOverlay(state, { kind: 'escalate', alertId: alert.id, stage: 'confirm', note: '' }));
}

function acknowledge(state: AppState, now: number): KeyResult {
  const targets =
    state.focus === ALERTS_PANE
      ? [selectedAlert(state)].filter((alert) => alert !== undefined)
      : alertsOfIp(state, state.focus, selectedOffender(state, state.focus)?.ip);
  const open = targets.filter((alert) => !alert.acknowledged);
  if (targets.length === 0) return none(flash(state, 'no alert to acknowledge here', now));
  if (open.length === 0) return none(flash(state, 'already acknowledged', now));
  let detector = state.detector;
  for (const alert of open) detector = applyAction(detector, { type: 'acknowledge', alertId: alert.id }, now);
  const text = open.length === 1 ? 'acknowledged' : `acknowledged ${open.length} alerts`;
  return none(flash({ ...state, detector }, text, now));
}

function startMute(state: AppState, now: number): KeyResult {
  let target: MuteTarget;
  if (state.focus === ALERTS_PANE) {
    const alert = selectedAlert(state);
    if (!alert) return none(flash(state, 'nothing selected', now));
    if (alert.mutedUntil !== null && alert.mutedUntil > now) {
      const detector = applyAction(state.detector, { type: 'unmute', alertId: alert.id }, now);
      return none(flash({ ...state, detector }, 'unmuted', now));
    }
    target = { kind: 'alert', alertId: alert.id, label: alert.key };
  } else {
    const offender = selectedOffender(state, state.focus);
    if (!offender) return none(flash(state, 'nothing selected', now));
    if (ipMuted(state.detector.mutes, offender.ip, now)) {
      const detector = applyAction(state.detector, { type: 'unmute', cidr: offender.ip }, now);
      return none(flash({ ...state, detector }, `unmuted ${offender.ip}`, now));
    }
    target = { kind: 'ip', service: state.focus, ip: offender.ip, label: offender.ip };
  }
  return none(withOverlay(state, { kind: 'mute', target, text: DEFAULT_MUTE, error: null }));
}

function typeInto(state: AppState, input: string): KeyResult {
  const open = openPrompt(state);
  if (!open) return none(state);
  const { prompt, overlay } = open;
  const chars = Array.from(input).filter((char) => prompt.accepts.allowed.test(char));
  if (chars.length === 0) return none(prompt.reject ? prompt.reject(state, overlay) : state);
  const text = Array.from(prompt.text(overlay) + chars.join(''))
    .slice(0, prompt.accepts.max)
    .join('');
  return none(prompt.edit(state, overlay, text));
}

function erase(state: AppState): KeyResult {
  const open = openPrompt(state);
  if (!open) return none(state);
  return none(
    open.prompt.edit(state, open.overlay, Array.from(open.prompt.text(open.overlay)).slice(0, -1).join('')),
  );
}

function submit(state: AppState, now: number): KeyResult {
  const open = openPrompt(state);
  if (!open) return none(state);
  return open.prompt.submit(state, open.overlay, now);
}

function cancel(state: AppState): KeyResult {
  const overlay = state.overlay;
  if (!overlay) return none(state.filter === '' ? state : { ...state, filter: '' });
  const open = openPrompt(state);
  if (open?.prompt.cancel) return none(open.prompt.cancel(state, open.overlay));
  return none(withOverlay(state, null));
}

/** [ ] one refresh (a replay's step), { } one window, back or forward. */
function travelKey(state: AppState, command: CommandId, wallNow: number): KeyResult {
  const travel = state.travel;
  const step = travel?.kind === 'replay' ? travel.stepMs : state.refreshMs;
  const size = command === 'time-back' || command === 'time-forward' ? step : state.windowMs;
  return moveTime(state, command.endsWith('back') ? -size : size, wallNow);
}

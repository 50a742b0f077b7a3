// Key presses → next state + side effects, as a pure function. The key table (keymap.ts)
// says which command a key is in the current context; this decides what the command does.
// Effects (persisting a threshold, moving the poller's window, sending to Slack, quitting)
// are returned for the caller to run, so all of this is testable without a terminal.
import type { Key } from 'ink';
import { formatAge, formatDuration, parseDuration } from '../core/duration.js';
import { sanitize } from '../core/sanitize.js';
import {
  alertsNewestFirst as listAlerts,
  applyAction as runAction,
  reevaluate as runReevaluate,
} from '../detect/detector.js';
import { ipMuted } from '../detect/mutes.js';
import { thresholdFor, withThreshold } from '../detect/settings.js';
import { severityRank } from '../detect/severity.js';
import { escalationStateId } from '../slack/record.js';
import { type CommandId, findBinding, type KeyContext } from './keymap.js';
import { rowKeys, selectedAlert, selectedIndex, selectedOffender } from './rows.js';
import { nextSort } from './sort.js';
import { ALERTS_PANE, type AppState, type Flash, type MuteTarget, type Overlay, paneIds } from './state.js';

export type Effect =
  | { kind: 'quit' }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'refresh' }
  | { kind: 'persist-threshold'; service: string; value: number }
  | { kind: 'set-window'; ms: number }
  | { kind: 'escalate'; alertId: string; note: string | undefined };

export interface KeyResult {
  state: AppState;
  effects: Effect[];
}

export interface KeyEnvironment {
  now: number;
  /** Rows the focused pane shows (PgUp/PgDn step). */
  page: number;
}

export const WINDOW_PRESETS = ['5m', '15m', '1h', '6h', '24h'] as const;
export const MAX_THRESHOLD = 1_000_000;
const MIN_WINDOW_MS = 60_000;
const MAX_WINDOW_MS = 30 * 86_400_000;
const DEFAULT_MUTE = '1h';

export function keyContext(state: AppState): KeyContext {
  const overlay = state.overlay;
  if (!overlay) return state.focus === ALERTS_PANE ? 'alerts' : 'offenders';
  switch (overlay.kind) {
    case 'help':
      return 'help';
    case 'detail':
      return 'detail';
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
  const base: AppState = { ...state, now: env.now, flash: null };
  return runCommand(base, binding.command, input, env);
}

const none = (state: AppState): KeyResult => ({ state, effects: [] });

function flash(state: AppState, text: string, now: number, tone: Flash['tone'] = 'info'): AppState {
  return { ...state, flash: { text, tone, at: now } };
}

function withOverlay(state: AppState, overlay: Overlay | null): AppState {
  return { ...state, overlay };
}

function runCommand(state: AppState, command: CommandId, input: string, env: KeyEnvironment): KeyResult {
  const { now } = env;
  const pane = state.focus;
  switch (command) {
    case 'quit':
      return { state, effects: [{ kind: 'quit' }] };
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
      return none(move(state, pane, (index) => index + 1));
    case 'up':
      return none(move(state, pane, (index) => index - 1));
    case 'page-down':
      return none(move(state, pane, (index) => index + Math.max(1, env.page)));
    case 'page-up':
      return none(move(state, pane, (index) => index - Math.max(1, env.page)));
    case 'top':
      return none(move(state, pane, () => 0));
    case 'bottom':
      return none(move(state, pane, (_, count) => count - 1));
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
    case 'type':
      return typeInto(state, input);
    case 'erase':
      return editText(state, (text) => Array.from(text).slice(0, -1).join(''));
    case 'preset-next':
    case 'preset-prev':
      return cyclePreset(state, command === 'preset-next' ? 1 : -1);
    case 'submit':
      return submit(state, now);
    case 'cancel':
      return cancel(state);
    case 'confirm': {
      const overlay = state.overlay;
      if (overlay?.kind !== 'escalate') return none(state);
      return {
        state: withOverlay(state, null),
        effects: [{ kind: 'escalate', alertId: overlay.alertId, note: undefined }],
      };
    }
    case 'add-note': {
      const overlay = state.overlay;
      if (overlay?.kind !== 'escalate') return none(state);
      return none(withOverlay(state, { ...overlay, stage: 'note' }));
    }
  }
}

function sortKind(pane: string): 'offenders' | 'alerts' {
  return pane === ALERTS_PANE ? 'alerts' : 'offenders';
}

function move(state: AppState, pane: string, to: (index: number, count: number) => number): AppState {
  const keys = rowKeys(state, pane);
  if (keys.length === 0) return state;
  const current = selectedIndex(keys, state.selection[pane]);
  const next = Math.min(Math.max(to(Math.max(current, 0), keys.length), 0), keys.length - 1);
  return { ...state, selection: { ...state.selection, [pane]: { key: keys[next]!, index: next } } };
}

function serviceLabel(state: AppState, service: string): string {
  return state.services.find((entry) => entry.name === service)?.label ?? service;
}

function applyThreshold(state: AppState, service: string, value: number, now: number): KeyResult {
  const previous = thresholdFor(state.settings, service);
  const settings = withThreshold(state.settings, service, value);
  const detector = runReevaluate(state.detector, settings, now);
  const next: AppState = { ...state, settings, detector, alerts: listAlerts(detector), overlay: null };
  return {
    state: flash(next, `${serviceLabel(state, service)} threshold ${previous} -> ${value}`, now),
    effects: [{ kind: 'persist-threshold', service, value }],
  };
}

function startEscalation(state: AppState, now: number): KeyResult {
  // On an offender row: its most severe alert (the feed is sorted that way on ties).
  const alert =
    state.focus === ALERTS_PANE
      ? selectedAlert(state)
      : alertsOfIp(state, state.focus, selectedOffender(state, state.focus)?.ip).sort(
          (a, b) => severityRank(b.severity) - severityRank(a.severity),
        )[0];
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
  for (const alert of open) detector = runAction(detector, { type: 'acknowledge', alertId: alert.id }, now);
  const text = open.length === 1 ? 'acknowledged' : `acknowledged ${open.length} alerts`;
  return none(flash({ ...state, detector, alerts: listAlerts(detector) }, text, now));
}

function alertsOfIp(state: AppState, service: string, ip: string | undefined) {
  if (ip === undefined) return [];
  return state.alerts.filter(
    (alert) => alert.keyKind === 'ip' && alert.key === ip && alert.service === service,
  );
}

function startMute(state: AppState, now: number): KeyResult {
  let target: MuteTarget;
  if (state.focus === ALERTS_PANE) {
    const alert = selectedAlert(state);
    if (!alert) return none(flash(state, 'nothing selected', now));
    if (alert.mutedUntil !== null && alert.mutedUntil > now) {
      const detector = runAction(state.detector, { type: 'unmute', alertId: alert.id }, now);
      return none(flash({ ...state, detector, alerts: listAlerts(detector) }, 'unmuted', now));
    }
    target = { kind: 'alert', alertId: alert.id, label: alert.key };
  } else {
    const offender = selectedOffender(state, state.focus);
    if (!offender) return none(flash(state, 'nothing selected', now));
    if (ipMuted(state.detector.mutes, offender.ip, now)) {
      const detector = runAction(state.detector, { type: 'unmute', cidr: offender.ip }, now);
      return none(flash({ ...state, detector, alerts: listAlerts(detector) }, `unmuted ${offender.ip}`, now));
    }
    target = { kind: 'ip', service: state.focus, ip: offender.ip, label: offender.ip };
  }
  return none(withOverlay(state, { kind: 'mute', target, text: DEFAULT_MUTE, error: null }));
}

/** What a prompt accepts, and how long it may get. */
function acceptsText(overlay: Overlay): { allowed: RegExp; max: number } | undefined {
  switch (overlay.kind) {
    case 'threshold':
      return { allowed: /^[0-9]$/, max: 7 };
    case 'window':
    case 'mute':
      return { allowed: /^[0-9a-zA-Z.]$/, max: 8 };
    case 'filter':
      return { allowed: /^.$/u, max: 64 };
    case 'escalate':
      return { allowed: /^.$/u, max: 280 };
    default:
      return undefined;
  }
}

function typeInto(state: AppState, input: string): KeyResult {
  const overlay = state.overlay;
  if (!overlay) return none(state);
  const rule = acceptsText(overlay);
  if (!rule) return none(state);
  const chars = Array.from(input).filter((char) => rule.allowed.test(char));
  if (chars.length === 0) {
    if (overlay.kind === 'threshold') return none(withOverlay(state, { ...overlay, error: 'digits only' }));
    return none(state);
  }
  return editText(state, (text) =>
    Array.from(text + chars.join(''))
      .slice(0, rule.max)
      .join(''),
  );
}

function editText(state: AppState, edit: (text: string) => string): KeyResult {
  const overlay = state.overlay;
  if (!overlay) return none(state);
  switch (overlay.kind) {
    case 'threshold':
    case 'window':
    case 'mute':
      return none(withOverlay(state, { ...overlay, text: edit(overlay.text), error: null }));
    case 'filter': {
      const text = edit(overlay.text);
      return none({ ...state, filter: text, overlay: { ...overlay, text } });
    }
    case 'escalate':
      return none(withOverlay(state, { ...overlay, note: edit(overlay.note) }));
    default:
      return none(state);
  }
}

function cyclePreset(state: AppState, step: number): KeyResult {
  const overlay = state.overlay;
  if (overlay?.kind !== 'window') return none(state);
  const presets = WINDOW_PRESETS.map((preset) => parseDuration(preset)!);
  const current = parseDuration(overlay.text) ?? state.windowMs;
  let index: number;
  if (step > 0) {
    index = presets.findIndex((ms) => ms > current);
    if (index < 0) index = 0;
  } else {
    index = presets.findLastIndex((ms) => ms < current);
    if (index < 0) index = presets.length - 1;
  }
  return none(withOverlay(state, { ...overlay, text: WINDOW_PRESETS[index]!, error: null }));
}

function submit(state: AppState, now: number): KeyResult {
  const overlay = state.overlay;
  if (!overlay) return none(state);
  switch (overlay.kind) {
    case 'threshold': {
      if (overlay.text === '') return none(withOverlay(state, null));
      const value = Number(overlay.text);
      if (!Number.isSafeInteger(value) || value < 1 || value > MAX_THRESHOLD) {
        return none(withOverlay(state, { ...overlay, error: `a whole number from 1 to ${MAX_THRESHOLD}` }));
      }
      return applyThreshold(state, overlay.service, value, now);
    }
    case 'window': {
      const ms = parseDuration(overlay.text);
      if (ms === undefined || ms < MIN_WINDOW_MS || ms > MAX_WINDOW_MS) {
        return none(withOverlay(state, { ...overlay, error: 'a duration from 1m to 30d, e.g. 30m or 2h' }));
      }
      const next = flash({ ...state, windowMs: ms, overlay: null }, `window ${formatDuration(ms)}`, now);
      return { state: next, effects: ms === state.windowMs ? [] : [{ kind: 'set-window', ms }] };
    }
    case 'filter':
      return none(withOverlay(state, null));
    case 'mute': {
      const ms = parseDuration(overlay.text);
      if (ms === undefined)
        return none(withOverlay(state, { ...overlay, error: 'a duration, e.g. 30m, 1h, 1d' }));
      const untilMs = now + ms;
      const action =
        overlay.target.kind === 'alert'
          ? ({ type: 'mute', alertId: overlay.target.alertId, untilMs } as const)
          : ({ type: 'mute', cidr: overlay.target.ip, untilMs } as const);
      const detector = runAction(state.detector, action, now);
      const text = `muted ${overlay.target.label} for ${formatDuration(ms)}`;
      return none(flash({ ...state, detector, alerts: listAlerts(detector), overlay: null }, text, now));
    }
    case 'escalate': {
      const note = overlay.note.trim();
      return {
        state: withOverlay(state, null),
        effects: [{ kind: 'escalate', alertId: overlay.alertId, note: note === '' ? undefined : note }],
      };
    }
    default:
      return none(state);
  }
}

function cancel(state: AppState): KeyResult {
  const overlay = state.overlay;
  if (!overlay) return none(state.filter === '' ? state : { ...state, filter: '' });
  if (overlay.kind === 'filter') return none({ ...state, filter: overlay.before, overlay: null });
  return none(withOverlay(state, null));
}

// `m`: how long to mute the selected alert or IP. An IP-wide mute (from a service pane)
// silences every alert of the address on every service: when that includes a HIGH or
// CRITICAL alert, Enter does not mute at once but asks "y/n" naming them (13 B12).

import { Text } from 'ink';
import { formatDuration, parseDuration } from '../../core/duration.js';
import { sanitize } from '../../core/sanitize.js';
import type { Alert } from '../../detect/alert.js';
import { applyAction } from '../../detect/detector.js';
import { useUi } from '../draw/ui-context.js';
import { ruleLabel, SEVERITY_LABEL } from '../feed/alert-columns.js';
import { type KeyResult, none, withFlash, withOverlay } from '../state/effects.js';
import { alertList } from '../state/selectors.js';
import type { AppState } from '../state/state.js';
import { PromptText } from './line.js';
import type { Prompt, PromptOverlay } from './prompt.js';

export const DEFAULT_MUTE = '1h';

/** The HIGH and CRITICAL alerts an IP-wide mute would silence (any service), worst first. */
export function seriousAlertsSilenced(state: AppState, overlay: PromptOverlay<'mute'>): Alert[] {
  const { target } = overlay;
  if (target.kind !== 'ip') return [];
  return alertList(state)
    .filter(
      (alert) =>
        alert.keyKind === 'ip' &&
        alert.key === target.ip &&
        (alert.severity === 'high' || alert.severity === 'critical') &&
        !(alert.mutedUntil !== null && alert.mutedUntil > state.now),
    )
    .sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1));
}

function describe(alerts: readonly Alert[], labelOf: (service: string) => string): string {
  return alerts
    .map(
      (alert) =>
        `${SEVERITY_LABEL[alert.severity]} ${ruleLabel(alert.rule)} (${sanitize(labelOf(alert.service))})`,
    )
    .join(', ');
}

function mute(state: AppState, overlay: PromptOverlay<'mute'>, ms: number, now: number): KeyResult {
  const untilMs = now + ms;
  const action =
    overlay.target.kind === 'alert'
      ? ({ type: 'mute', alertId: overlay.target.alertId, untilMs, only: true } as const)
      : ({ type: 'mute', cidr: overlay.target.ip, untilMs } as const);
  const detector = applyAction(state.detector, action, now);
  const text = `muted ${sanitize(overlay.target.label)} for ${formatDuration(ms)}`;
  return none(withFlash({ ...state, detector, overlay: null }, text, now));
}

/** `y` at "also silences CRIT …?": mute. */
export function confirmMute(state: AppState, overlay: PromptOverlay<'mute'>, now: number): KeyResult {
  const ms = parseDuration(overlay.text);
  if (ms === undefined) return none(withOverlay(state, { ...overlay, confirm: false }));
  return mute(state, overlay, ms, now);
}

export const mutePrompt: Prompt<'mute'> = {
  kind: 'mute',
  accepts: { allowed: /^[0-9a-zA-Z.]$/, max: 8 },
  text: (overlay) => overlay.text,
  edit: (state, overlay, text) => withOverlay(state, { ...overlay, text, error: null }),
  submit(state, overlay, now) {
    const ms = parseDuration(overlay.text);
    if (ms === undefined)
      return none(withOverlay(state, { ...overlay, error: 'a duration, e.g. 30m, 1h, 1d' }));
    // Two keystrokes (m, Enter) must not silence a CRITICAL alert unawares: ask first.
    if (seriousAlertsSilenced(state, overlay).length > 0) {
      return none(withOverlay(state, { ...overlay, error: null, confirm: true }));
    }
    return mute(state, overlay, ms, now);
  },
  Line: MuteLine,
};

function MuteLine({ state, overlay }: { state: AppState; overlay: PromptOverlay<'mute'> }) {
  const { theme } = useUi();
  const { target } = overlay;
  const labelOf = (service: string) =>
    state.services.find((entry) => entry.name === service)?.label ?? service;
  const serious = seriousAlertsSilenced(state, overlay);
  if (overlay.confirm) {
    // The question first and whole: the alerts it names are what must not be cut.
    return (
      <Text wrap="truncate-end">
        <Text
          bold
          color={theme.danger}
        >{`Mute ${sanitize(target.label)} for ${sanitize(overlay.text)}? y/n `}</Text>
        <Text bold>{`It also silences ${describe(serious, labelOf)} (every service).`}</Text>
      </Text>
    );
  }
  const warning =
    serious.length > 0
      ? `also silences ${describe(serious, labelOf)}; Enter asks to confirm, Esc cancel`
      : null;
  const label =
    target.kind === 'ip'
      ? `mute IP ${sanitize(target.label)} (every alert of it) for: `
      : `mute this alert (${sanitize(target.label)}) for: `;
  return (
    <PromptText
      label={label}
      text={overlay.text}
      error={overlay.error ?? warning}
      hint="e.g. 30m, 1h, 1d; Enter mute, Esc cancel"
    />
  );
}

// `m`: how long to mute the selected alert or IP.
import { formatDuration, parseDuration } from '../../core/duration.js';
import { sanitize } from '../../core/sanitize.js';
import { applyAction } from '../../detect/detector.js';
import { ruleLabel, SEVERITY_LABEL } from '../feed/alert-columns.js';
import { none, withFlash, withOverlay } from '../state/effects.js';
import { alertList } from '../state/selectors.js';
import { PromptText } from './line.js';
import type { Prompt } from './prompt.js';

export const DEFAULT_MUTE = '1h';

export const mutePrompt: Prompt<'mute'> = {
  kind: 'mute',
  accepts: { allowed: /^[0-9a-zA-Z.]$/, max: 8 },
  text: (overlay) => overlay.text,
  edit: (state, overlay, text) => withOverlay(state, { ...overlay, text, error: null }),
  submit(state, overlay, now) {
    const ms = parseDuration(overlay.text);
    if (ms === undefined)
      return none(withOverlay(state, { ...overlay, error: 'a duration, e.g. 30m, 1h, 1d' }));
    const untilMs = now + ms;
    const action =
      overlay.target.kind === 'alert'
        ? ({ type: 'mute', alertId: overlay.target.alertId, untilMs, only: true } as const)
        : ({ type: 'mute', cidr: overlay.target.ip, untilMs } as const);
    const detector = applyAction(state.detector, action, now);
    const text = `muted ${overlay.target.label} for ${formatDuration(ms)}`;
    return none(withFlash({ ...state, detector, overlay: null }, text, now));
  },
  Line: ({ state, overlay }) => {
    const { target } = overlay;
    // An IP-wide mute silences every alert of the address, on every service: when that
    // includes a HIGH or CRITICAL one, say so before Enter (13 B12).
    const serious =
      target.kind === 'ip'
        ? alertList(state).filter(
            (alert) =>
              alert.keyKind === 'ip' &&
              alert.key === target.ip &&
              (alert.severity === 'high' || alert.severity === 'critical'),
          )
        : [];
    const warning =
      serious.length > 0
        ? `also silences ${serious.map((alert) => `${SEVERITY_LABEL[alert.severity]} ${ruleLabel(alert.rule)}`).join(', ')}; Enter to confirm, Esc cancel`
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
  },
};

// `m`: how long to mute the selected alert or IP.
import { formatDuration, parseDuration } from '../../core/duration.js';
import { sanitize } from '../../core/sanitize.js';
import { applyAction } from '../../detect/detector.js';
import { none, withFlash, withOverlay } from '../state/effects.js';
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
        ? ({ type: 'mute', alertId: overlay.target.alertId, untilMs } as const)
        : ({ type: 'mute', cidr: overlay.target.ip, untilMs } as const);
    const detector = applyAction(state.detector, action, now);
    const text = `muted ${overlay.target.label} for ${formatDuration(ms)}`;
    return none(withFlash({ ...state, detector, overlay: null }, text, now));
  },
  Line: ({ overlay }) => (
    <PromptText
      label={`mute ${sanitize(overlay.target.label)} for: `}
      text={overlay.text}
      error={overlay.error}
      hint="e.g. 30m, 1h, 1d; Enter mute, Esc cancel"
    />
  ),
};

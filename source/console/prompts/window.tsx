// `w`: the time window, typed (30m, 2h) or cycled through presets with the arrows. The
// window's one home is the state (`windowMs`); the session moves the poller and saves it.
import { formatDuration, parseDuration } from '../../core/duration.js';
import { none, withFlash, withOverlay } from '../state/effects.js';
import type { AppState } from '../state/state.js';
import { PromptText } from './line.js';
import type { Prompt, PromptOverlay } from './prompt.js';

export const WINDOW_PRESETS = ['5m', '15m', '1h', '6h', '24h'] as const;
const MIN_WINDOW_MS = 60_000;
const MAX_WINDOW_MS = 30 * 86_400_000;

export const windowPrompt: Prompt<'window'> = {
  kind: 'window',
  accepts: { allowed: /^[0-9a-zA-Z.]$/, max: 8 },
  text: (overlay) => overlay.text,
  edit: (state, overlay, text) => withOverlay(state, { ...overlay, text, error: null }),
  submit(state, overlay, now) {
    const ms = parseDuration(overlay.text);
    if (ms === undefined || ms < MIN_WINDOW_MS || ms > MAX_WINDOW_MS) {
      return none(withOverlay(state, { ...overlay, error: 'a duration from 1m to 30d, e.g. 30m or 2h' }));
    }
    const next = withFlash({ ...state, windowMs: ms, overlay: null }, `window ${formatDuration(ms)}`, now);
    return { state: next, effects: ms === state.windowMs ? [] : [{ kind: 'set-window', ms }] };
  },
  Line: ({ overlay }) => (
    <PromptText
      label="window: "
      text={overlay.text}
      error={overlay.error}
      hint={`<- -> ${WINDOW_PRESETS.join(' ')}, or type e.g. 30m; Enter apply, Esc cancel`}
    />
  ),
};

/** The next (step 1) or previous (step −1) preset from what is typed. */
export function cyclePreset(state: AppState, overlay: PromptOverlay<'window'>, step: number): AppState {
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
  return withOverlay(state, { ...overlay, text: WINDOW_PRESETS[index]!, error: null });
}

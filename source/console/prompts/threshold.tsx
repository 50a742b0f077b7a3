// `t`: type a service's brute-force threshold. Drawn inside the service pane's title (where
// the threshold is shown), so it has no header line.
import { none, withOverlay } from '../state/effects.js';
import { applyThreshold } from '../state/operations.js';
import type { Prompt } from './prompt.js';

export const MAX_THRESHOLD = 1_000_000;

export const thresholdPrompt: Prompt<'threshold'> = {
  kind: 'threshold',
  accepts: { allowed: /^[0-9]$/, max: 7 },
  text: (overlay) => overlay.text,
  edit: (state, overlay, text) => withOverlay(state, { ...overlay, text, error: null }),
  reject: (state, overlay) => withOverlay(state, { ...overlay, error: 'digits only' }),
  submit(state, overlay, now) {
    if (overlay.text === '') return none(withOverlay(state, null));
    const value = Number(overlay.text);
    if (!Number.isSafeInteger(value) || value < 1 || value > MAX_THRESHOLD) {
      return none(withOverlay(state, { ...overlay, error: `a whole number from 1 to ${MAX_THRESHOLD}` }));
    }
    return applyThreshold(state, overlay.service, value, now);
  },
};

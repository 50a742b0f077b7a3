// `/`: a live filter. Each keystroke filters the rows; Enter keeps it, Esc restores what was
// there before the prompt opened.
import { sanitize } from '../../core/sanitize.js';
import { none, withOverlay } from '../state/effects.js';
import { PromptText } from './line.js';
import type { Prompt } from './prompt.js';

export const filterPrompt: Prompt<'filter'> = {
  kind: 'filter',
  accepts: { allowed: /^.$/u, max: 64 },
  text: (overlay) => overlay.text,
  edit: (state, overlay, text) => ({ ...state, filter: text, overlay: { ...overlay, text } }),
  submit: (state) => none(withOverlay(state, null)),
  cancel: (state, overlay) => ({ ...state, filter: overlay.before, overlay: null }),
  Line: ({ overlay }) => (
    <PromptText
      label="filter: "
      text={sanitize(overlay.text)}
      hint="IP, CIDR (10.0.0.0/8) or user; Enter keep, Esc undo"
    />
  ),
};

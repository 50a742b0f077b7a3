// The prompts, by overlay kind. Adding a prompt: its module here, its overlay in
// state/state.ts, and the key that opens it in keys/keymap.ts + keys/handle-key.ts.
import type { AppState } from '../state/state.js';
import { escalatePrompt } from './escalate.js';
import { filterPrompt } from './filter.js';
import { mutePrompt } from './mute.js';
import type { Prompt, PromptKind, PromptOverlay } from './prompt.js';
import { thresholdPrompt } from './threshold.js';
import { windowPrompt } from './window.js';

const PROMPTS: { [K in PromptKind]: Prompt<K> } = {
  threshold: thresholdPrompt,
  window: windowPrompt,
  filter: filterPrompt,
  mute: mutePrompt,
  escalate: escalatePrompt,
};

/** The open prompt and its overlay, if the overlay is a prompt. */
export function openPrompt(
  state: AppState,
): { prompt: Prompt<PromptKind>; overlay: PromptOverlay } | undefined {
  const overlay = state.overlay;
  if (!overlay || !(overlay.kind in PROMPTS)) return undefined;
  const kind = overlay.kind as PromptKind;
  return { prompt: PROMPTS[kind] as unknown as Prompt<PromptKind>, overlay: overlay as PromptOverlay };
}

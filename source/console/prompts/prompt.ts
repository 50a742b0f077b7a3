// One prompt = one module: what it accepts, how a keystroke edits it, what Enter does, what
// Esc does, and the header line it draws. keys/handle-key.ts routes the text commands of the
// key table (type, erase, submit, cancel) to the open prompt through prompts/index.ts.
import type { ReactNode } from 'react';
import type { KeyResult } from '../state/effects.js';
import type { AppState, Overlay } from '../state/state.js';

export type PromptKind = 'threshold' | 'window' | 'filter' | 'mute' | 'escalate';
export type PromptOverlay<K extends PromptKind = PromptKind> = Extract<Overlay, { kind: K }>;

export interface Prompt<K extends PromptKind> {
  kind: K;
  /** One character the prompt takes, and how long its text may get. */
  accepts: { allowed: RegExp; max: number };
  text(overlay: PromptOverlay<K>): string;
  /** The state with the prompt's text replaced (and a previous error cleared). */
  edit(state: AppState, overlay: PromptOverlay<K>, text: string): AppState;
  /** A keystroke the prompt does not take (e.g. a letter in a number). */
  reject?(state: AppState, overlay: PromptOverlay<K>): AppState;
  submit(state: AppState, overlay: PromptOverlay<K>, now: number): KeyResult;
  cancel?(state: AppState, overlay: PromptOverlay<K>): AppState;
  /** The header's second line while the prompt is open (none: the prompt draws elsewhere). */
  Line?: (props: { state: AppState; overlay: PromptOverlay<K> }) => ReactNode;
}

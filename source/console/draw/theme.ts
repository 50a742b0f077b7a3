// Colours are an extra, never the only carrier of meaning: every state also has a symbol or
// a word (see flags.ts, AlertRow). With NO_COLOR set (https://no-color.org) the theme has no
// colours at all; Ink's chalk does not read NO_COLOR itself, so the decision is made here.
// Bold, dim and inverse are attributes, not colours, and stay.
import type { Severity } from '../../contracts/rules.js';

export interface Theme {
  colour: boolean;
  severity: Record<Severity, string | undefined>;
  /** Rows over threshold, failed deliveries, errors. */
  danger: string | undefined;
  warn: string | undefined;
  ok: string | undefined;
  accent: string | undefined;
  muted: string | undefined;
}

export const COLOUR_THEME: Theme = {
  colour: true,
  severity: { critical: 'magentaBright', high: 'redBright', medium: 'yellow', low: 'cyan' },
  danger: 'redBright',
  warn: 'yellow',
  ok: 'green',
  accent: 'cyan',
  muted: 'gray',
};

export const MONO_THEME: Theme = {
  colour: false,
  severity: { critical: undefined, high: undefined, medium: undefined, low: undefined },
  danger: undefined,
  warn: undefined,
  ok: undefined,
  accent: undefined,
  muted: undefined,
};

export function chooseTheme(env: Record<string, string | undefined>): Theme {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return noColor ? MONO_THEME : COLOUR_THEME;
}

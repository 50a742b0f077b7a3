// Glyph set, colour theme and hyperlinks, chosen once at start (flags, locale, NO_COLOR, terminal) and read by
// every component, so none of them looks at the environment itself.
import { createContext, useContext } from 'react';
import { type Glyphs, UNICODE_GLYPHS } from './glyphs.js';
import { COLOUR_THEME, type Theme } from './theme.js';

export interface Ui {
  glyphs: Glyphs;
  theme: Theme;
  /** Draw links as OSC 8 hyperlinks (draw/osc.ts decides, conservatively). */
  hyperlinks?: boolean;
}

export const UiContext = createContext<Ui>({ glyphs: UNICODE_GLYPHS, theme: COLOUR_THEME });

export function useUi(): Ui {
  return useContext(UiContext);
}

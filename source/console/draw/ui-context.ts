// Glyph set and colour theme, chosen once at start (flags, locale, NO_COLOR) and read by
// every component, so none of them looks at the environment itself.
import { createContext, useContext } from 'react';
import { type Glyphs, UNICODE_GLYPHS } from './glyphs.js';
import { COLOUR_THEME, type Theme } from './theme.js';

export interface Ui {
  glyphs: Glyphs;
  theme: Theme;
}

export const UiContext = createContext<Ui>({ glyphs: UNICODE_GLYPHS, theme: COLOUR_THEME });

export function useUi(): Ui {
  return useContext(UiContext);
}

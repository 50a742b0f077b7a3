// j/k, PgUp/PgDn, g/G in the help and the message log scroll their lines. How many lines
// there are depends on the terminal width, so this asks the overlays' own line builders.
import { UNICODE_GLYPHS } from '../draw/glyphs.js';
import { CHROME_ROWS } from '../frame/layout.js';
import { clampOffset, helpPage } from '../overlays/HelpOverlay.js';
import { clampBack, logLines, logRoom } from '../overlays/MessageLog.js';
import { withOverlay } from '../state/effects.js';
import type { AppState } from '../state/state.js';
import type { CommandId, KeyEnvironment } from './keymap.js';

const DEFAULT_SIZE = { columns: 80, rows: 24 };

function step(command: CommandId, page: number): number {
  switch (command) {
    case 'down':
      return 1;
    case 'up':
      return -1;
    case 'page-down':
      return page;
    case 'page-up':
      return -page;
    case 'top':
      return Number.NEGATIVE_INFINITY;
    default:
      return Number.POSITIVE_INFINITY;
  }
}

export function scrollOverlay(state: AppState, command: CommandId, env: KeyEnvironment): AppState {
  const overlay = state.overlay;
  const { columns, rows } = env.size ?? DEFAULT_SIZE;
  const body = Math.max(1, rows - CHROME_ROWS);
  if (overlay?.kind === 'help') {
    // Glyph sets differ by a few cells in one line at most: the render clamps again.
    const { lines, room } = helpPage(columns, body, UNICODE_GLYPHS);
    const by = step(command, Math.max(1, room - 2));
    const next = clampOffset((overlay.offset ?? 0) + by, lines.length, room);
    return withOverlay(state, { ...overlay, offset: next });
  }
  if (overlay?.kind === 'log') {
    const lines = logLines(state.messages, Math.max(10, columns - 4));
    const room = logRoom(body);
    // The log's offset counts up from the newest line: down moves toward it.
    const by = -step(command, Math.max(1, room - 2));
    const next = clampBack((overlay.offset ?? 0) + by, lines.length, room);
    return withOverlay(state, { ...overlay, offset: next });
  }
  return state;
}

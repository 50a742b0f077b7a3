// The bottom line: key hints for where the keyboard is, straight from the key table, or the
// latest message (until the next key, or a poll after FLASH_MS). `? help` and `q quit` stay
// at the right end; the others are shown whole, as many as fit (never half a hint). A message
// too long for the line shows its start and "(L for log)": the log has it whole (13 B14).
import { Box, Text } from 'ink';
import { sanitize } from '../../core/sanitize.js';
import { cellWidth } from '../draw/cells.js';
import { useUi } from '../draw/ui-context.js';
import { shortForm } from '../draw/wrap.js';
import { hintsFor, type KeyContext } from '../keys/keymap.js';
import type { Flash } from '../state/state.js';

type Hint = ReturnType<typeof hintsFor>[number];

const SEPARATOR = 2;
const hintWidth = (hint: Hint) => cellWidth(hint.keys) + 1 + cellWidth(hint.hint);
const listWidth = (list: readonly Hint[]) =>
  list.reduce((sum, hint) => sum + hintWidth(hint), 0) + SEPARATOR * Math.max(0, list.length - 1);

const isPinned = (hint: Hint) => hint.hint === 'help' || hint.hint === 'quit';

/**
 * What an analyst needs first when the line is short (80 columns): moving, opening, and acting
 * on an alert, before the tuning keys (threshold, nudge, window, sort), which the help lists.
 */
const FIRST = ['pane', 'move', 'details', 'escalate', 'ack', 'mute', 'filter', 'log'];
const rank = (hint: Hint) => {
  const index = FIRST.indexOf(hint.hint);
  return index < 0 ? FIRST.length : index;
};

/**
 * The hints that fit in `width`: pinned ones always, then by importance while whole hints
 * fit, shown in table order.
 */
export function fittingHints(context: KeyContext, width: number): { rest: Hint[]; pinned: Hint[] } {
  const hints = hintsFor(context);
  const pinned = hints.filter(isPinned);
  let room = width - listWidth(pinned) - (pinned.length > 0 ? SEPARATOR : 0);
  const chosen = new Set<Hint>();
  const byRank = hints.filter((hint) => !pinned.includes(hint)).sort((a, b) => rank(a) - rank(b));
  for (const hint of byRank) {
    const need = hintWidth(hint) + (chosen.size > 0 ? SEPARATOR : 0);
    if (need > room) break;
    chosen.add(hint);
    room -= need;
  }
  return { rest: hints.filter((hint) => chosen.has(hint)), pinned };
}

export function Footer({
  context,
  width,
  message = null,
}: {
  context: KeyContext;
  width: number;
  /** The latest message, shown in place of the hints. */
  message?: Flash | null;
}) {
  const { glyphs, theme } = useUi();
  const render = (list: readonly Hint[]) =>
    list.map((hint, index) => (
      <Text key={hint.hint}>
        {index === 0 ? '' : '  '}
        <Text bold color={theme.accent}>
          {hint.keys}
        </Text>
        {` ${hint.hint}`}
      </Text>
    ));
  if (message) {
    const pinned = hintsFor(context).filter(isPinned);
    const room = Math.max(10, width - listWidth(pinned) - SEPARATOR);
    const colour = message.tone === 'error' ? theme.danger : message.tone === 'warn' ? theme.warn : undefined;
    return (
      <Box width={width} height={1} justifyContent="space-between">
        <Text wrap="truncate-end" color={colour} bold={message.tone !== 'info'}>
          {shortForm(sanitize(message.text), room, glyphs.ellipsis)}
        </Text>
        {pinned.length > 0 && room < width ? <Text wrap="truncate-end">{render(pinned)}</Text> : null}
      </Box>
    );
  }
  const { rest, pinned } = fittingHints(context, width);
  return (
    <Box width={width} height={1} justifyContent="space-between">
      <Text wrap="truncate-end">{render(rest)}</Text>
      {pinned.length > 0 ? <Text wrap="truncate-end">{render(pinned)}</Text> : null}
    </Box>
  );
}

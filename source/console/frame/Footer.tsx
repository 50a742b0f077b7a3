// Key hints for where the keyboard is, straight from the key table. `? help` and `q quit`
// stay at the right end; the others are shown whole, as many as fit (never half a hint).
import { Box, Text } from 'ink';
import { cellWidth } from '../draw/cells.js';
import { useUi } from '../draw/ui-context.js';
import { hintsFor, type KeyContext } from '../keys/keymap.js';

type Hint = ReturnType<typeof hintsFor>[number];

const SEPARATOR = 2;
const hintWidth = (hint: Hint) => cellWidth(hint.keys) + 1 + cellWidth(hint.hint);
const listWidth = (list: readonly Hint[]) =>
  list.reduce((sum, hint) => sum + hintWidth(hint), 0) + SEPARATOR * Math.max(0, list.length - 1);

/** The hints that fit in `width`: pinned ones always, the rest in table order while they fit. */
export function fittingHints(context: KeyContext, width: number): { rest: Hint[]; pinned: Hint[] } {
  const hints = hintsFor(context);
  const pinned = hints.filter((hint) => hint.hint === 'help' || hint.hint === 'quit');
  let room = width - listWidth(pinned) - (pinned.length > 0 ? SEPARATOR : 0);
  const rest: Hint[] = [];
  for (const hint of hints) {
    if (pinned.includes(hint)) continue;
    const need = hintWidth(hint) + (rest.length > 0 ? SEPARATOR : 0);
    if (need > room) break;
    rest.push(hint);
    room -= need;
  }
  return { rest, pinned };
}

export function Footer({ context, width }: { context: KeyContext; width: number }) {
  const { theme } = useUi();
  const { rest, pinned } = fittingHints(context, width);
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
  return (
    <Box width={width} height={1} justifyContent="space-between">
      <Text wrap="truncate-end">{render(rest)}</Text>
      {pinned.length > 0 ? <Text wrap="truncate-end">{render(pinned)}</Text> : null}
    </Box>
  );
}

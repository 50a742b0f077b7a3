// The `?` overlay: every key from the key table, the flag legend and the alert states.
// Generated from the same tables the input handler and the rows use. Lines wrap (nothing is
// cut); one column when that fits the terminal, two when wide enough, and j/k scroll it
// when it is taller than the terminal, with the position shown (13 B15).
import { Box, Text } from 'ink';
import { fitCell } from '../draw/cells.js';
import type { Glyphs } from '../draw/glyphs.js';
import { useUi } from '../draw/ui-context.js';
import { wrapText } from '../draw/wrap.js';
import { KEYMAP, type KeyContext } from '../keys/keymap.js';
import { FLAG_SPECS } from '../panes/flags.js';
import { OverlayFrame } from './OverlayFrame.js';

const BROWSING: readonly KeyContext[] = ['offenders', 'alerts', 'detail', 'help', 'log'];
const PROMPTS: readonly KeyContext[] = ['prompt', 'window', 'confirm', 'ask'];
const KEY_WIDTH = 11;
/** Two columns need this much room inside the border, so each column keeps ~44 cells. */
const TWO_COLUMNS_FROM = 90;
export const HELP_TITLE = 'Keys (Esc or ? closes this help)';

function where(contexts: readonly KeyContext[]): string {
  const offenders = contexts.includes('offenders');
  const alerts = contexts.includes('alerts');
  if (offenders && !alerts) return ' (service pane)';
  if (alerts && !offenders) return ' (alert feed)';
  return '';
}

/** One line per key of the panes, in table order, without duplicates. */
export function helpKeyLines(): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const binding of KEYMAP) {
    if (!binding.contexts.some((context) => BROWSING.includes(context))) continue;
    const line = `${fitCell(binding.keys, KEY_WIDTH)} ${binding.help}${where(binding.contexts)}`;
    if (seen.has(line)) continue;
    seen.add(line);
    lines.push(line);
  }
  return lines;
}

/** The prompt keys in one sentence; a key already named (Left in "Right / Left") is not named again. */
export function helpPromptLine(): string {
  const seenKeys = new Set<string>();
  const parts: string[] = [];
  for (const binding of KEYMAP) {
    if (!binding.contexts.some((context) => PROMPTS.includes(context)) || binding.command === 'interrupt')
      continue;
    const keys = binding.keys.split(' / ');
    if (keys.every((key) => seenKeys.has(key))) continue;
    for (const key of keys) seenKeys.add(key);
    parts.push(`${binding.keys} ${binding.hint ?? binding.help}`);
  }
  return `In prompts: ${parts.join(', ')}`;
}

export interface HelpLine {
  text: string;
  bold?: boolean;
}

/** Blocks of wrapped lines side by side, the first column taking blocks until half the lines. */
function twoColumns(blocks: readonly string[][], columnWidth: number): string[] {
  const total = blocks.reduce((sum, block) => sum + block.length, 0);
  const left: string[] = [];
  const right: string[] = [];
  for (const block of blocks) (left.length < total / 2 ? left : right).push(...block);
  return Array.from({ length: Math.max(left.length, right.length) }, (_, row) =>
    `${fitCell(left[row] ?? '', columnWidth)}  ${right[row] ?? ''}`.trimEnd(),
  );
}

/** Every line of the help for an inner width (inside the border and padding), wrapped. */
export function helpLines(inner: number, glyphs: Glyphs, columns: 1 | 2 = 1): HelpLine[] {
  const columnWidth = columns === 2 ? Math.floor((inner - 2) / 2) : inner;
  const keyBlocks = helpKeyLines().map((line) => wrapText(line, columnWidth, KEY_WIDTH + 1));
  const flagBlocks = FLAG_SPECS.map((spec) => wrapText(`${spec.mark} ${spec.label}`, columnWidth, 2));
  const laid = (blocks: string[][]) => (columns === 2 ? twoColumns(blocks, columnWidth) : blocks.flat());
  const states = `Alert states: new, active, quiet, closed, ack, muted; escalated ${glyphs.check}, sending${
    glyphs.ascii ? '...' : '…'
  }, failed ${glyphs.cross}, by <analyst> (someone else escalated it). Acknowledged and muted alerts are dimmed and marked ${
    glyphs.ascii ? '-' : '·'
  } (H hides them). ${glyphs.over} marks rows over threshold.`;
  return [
    { text: HELP_TITLE, bold: true },
    ...laid(keyBlocks).map((text) => ({ text })),
    ...wrapText(helpPromptLine(), inner, 2).map((text) => ({ text })),
    { text: 'Flags', bold: true },
    ...laid(flagBlocks).map((text) => ({ text })),
    ...wrapText(states, inner, 2).map((text) => ({ text })),
  ];
}

export interface HelpPage {
  lines: HelpLine[];
  /** Lines that fit inside the box; when fewer than `lines`, the last row shows the position. */
  room: number;
}

/** The help for a body of `width` × `height`: one column if it fits, else two if wide enough. */
export function helpPage(width: number, height: number, glyphs: Glyphs): HelpPage {
  const inner = Math.max(10, width - 4);
  const room = Math.max(1, height - 2);
  const one = helpLines(inner, glyphs, 1);
  if (one.length <= room || inner < TWO_COLUMNS_FROM) return { lines: one, room };
  return { lines: helpLines(inner, glyphs, 2), room };
}

/** First line shown for a requested offset: within the lines, one row kept for the position. */
export function clampOffset(offset: number, total: number, room: number): number {
  if (total <= room) return 0;
  return Math.min(Math.max(0, offset), total - (room - 1));
}

export function HelpOverlay({
  width,
  height,
  offset = 0,
}: {
  width: number;
  height: number;
  offset?: number;
}) {
  const { glyphs, theme } = useUi();
  const { lines, room } = helpPage(width, height, glyphs);
  const scrolls = lines.length > room;
  const first = clampOffset(offset, lines.length, room);
  const shown = scrolls ? lines.slice(first, first + room - 1) : lines;
  const position = scrolls
    ? `lines ${first + 1}-${first + shown.length} of ${lines.length} ${first > 0 ? glyphs.up : ''}${
        first + shown.length < lines.length ? glyphs.down : ''
      }  j/k scroll`
    : '';
  return (
    // The body keeps its height (the footer stays at the bottom); the box is as tall as its
    // lines, so there are no empty rows inside it.
    <Box flexDirection="column" width={width} height={height}>
      <OverlayFrame
        width={width}
        height={Math.min(height, shown.length + (scrolls ? 1 : 0) + 2)}
        flexShrink={0}
      >
        {shown.map((line, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines of one render, never reordered
          <Text key={`${index}:${line.text}`} wrap="truncate-end" bold={line.bold ?? false}>
            {line.text}
          </Text>
        ))}
        {scrolls ? (
          <Text wrap="truncate-end" color={theme.accent}>
            {position}
          </Text>
        ) : null}
      </OverlayFrame>
    </Box>
  );
}

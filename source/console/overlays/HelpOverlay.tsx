// The `?` overlay: every key from the key table, the flag legend and the alert states.
// Generated from the same tables the input handler and the rows use.
import { Box, Text } from 'ink';
import { fitCell } from '../draw/cells.js';
import { useUi } from '../draw/ui-context.js';
import { KEYMAP, type KeyContext } from '../keys/keymap.js';
import { FLAG_SPECS } from '../panes/flags.js';

const BROWSING: readonly KeyContext[] = ['offenders', 'alerts', 'detail', 'help'];
const PROMPTS: readonly KeyContext[] = ['prompt', 'window', 'confirm'];
const KEY_WIDTH = 11;

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

export function helpPromptLine(): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const binding of KEYMAP) {
    if (!binding.contexts.some((context) => PROMPTS.includes(context)) || binding.command === 'interrupt')
      continue;
    const part = `${binding.keys} ${binding.hint ?? binding.help}`;
    if (seen.has(part)) continue;
    seen.add(part);
    parts.push(part);
  }
  return `In prompts: ${parts.join(', ')}`;
}

export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const { glyphs, theme } = useUi();
  const inner = Math.max(10, width - 4);
  const twoColumns = inner >= 76;
  const columnWidth = twoColumns ? Math.floor((inner - 2) / 2) : inner;
  const keys = helpKeyLines();
  const half = twoColumns ? Math.ceil(keys.length / 2) : keys.length;
  const keyRows = Array.from({ length: half }, (_, row) =>
    twoColumns
      ? `${fitCell(keys[row] ?? '', columnWidth, { ellipsis: glyphs.ellipsis })}  ${keys[row + half] ?? ''}`
      : (keys[row] ?? ''),
  );
  const flags = FLAG_SPECS.map((spec) => `${spec.mark} ${spec.label}`);
  const flagHalf = twoColumns ? Math.ceil(flags.length / 2) : flags.length;
  const flagRows = Array.from({ length: flagHalf }, (_, row) =>
    twoColumns
      ? `${fitCell(flags[row] ?? '', columnWidth, { ellipsis: glyphs.ellipsis })}  ${flags[row + flagHalf] ?? ''}`
      : (flags[row] ?? ''),
  );
  const states = `Alert states: new, active, quiet, closed, ack, muted; escalated ${glyphs.check}, sending${
    glyphs.ascii ? '...' : '…'
  }, failed ${glyphs.cross}, by <analyst> (someone else escalated it). ${glyphs.over} marks rows over threshold.`;
  const lines: { text: string; bold?: boolean }[] = [
    { text: 'Keys (Esc or ? closes this help)', bold: true },
    ...keyRows.map((text) => ({ text })),
    { text: helpPromptLine() },
    { text: 'Flags', bold: true },
    ...flagRows.map((text) => ({ text })),
    { text: states },
  ];
  const room = Math.max(1, height - 2);
  const shown =
    lines.length > room ? [...lines.slice(0, room - 1), { text: '(taller terminal shows more)' }] : lines;
  return (
    <Box
      flexDirection="column"
      width={width}
      height={height}
      borderStyle={glyphs.border}
      borderColor={theme.accent}
      paddingX={1}
      overflow="hidden"
    >
      {shown.map((line, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: fixed lines, never reordered
        <Text key={`${index}:${line.text}`} wrap="truncate-end" bold={line.bold ?? false}>
          {line.text}
        </Text>
      ))}
    </Box>
  );
}

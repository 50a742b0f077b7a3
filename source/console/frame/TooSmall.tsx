// Below the minimum size a broken layout helps nobody: one line says what is needed.
import { Text } from 'ink';
import { useUi } from '../draw/ui-context.js';

export function TooSmall({ columns, rows }: { columns: number; rows: number }) {
  const { glyphs } = useUi();
  const times = glyphs.ascii ? 'x' : '×';
  return <Text wrap="truncate-end">{`terminal too small (need ${columns}${times}${rows}); q quits`}</Text>;
}

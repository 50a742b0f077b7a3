// Failures per bucket over the window, in whole groups of buckets per cell. The newest
// bucket, still filling, is scaled to its elapsed part and drawn in the muted colour, so it
// never reads as a drop (issue 13 A10).
import { Text } from 'ink';
import { useUi } from '../draw/ui-context.js';
import { timelineSpark } from './spark.js';

export function Sparkline({
  values,
  width,
  dim,
  lastElapsed = 1,
}: {
  values: readonly number[];
  width: number;
  dim?: boolean;
  /** Part of the last bucket that had passed when the data was fetched (0..1). */
  lastElapsed?: number;
}) {
  const { glyphs, theme } = useUi();
  if (width <= 0) return null;
  const spark = timelineSpark(values, width, glyphs, lastElapsed);
  return (
    <Text wrap="truncate-end" color={theme.warn} dimColor={dim}>
      {spark.body}
      <Text color={spark.partial ? theme.muted : theme.warn}>{spark.last}</Text>
    </Text>
  );
}

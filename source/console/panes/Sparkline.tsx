// Failures per bucket over the window, squeezed to `width` cells.
import { Text } from 'ink';
import { useUi } from '../draw/ui-context.js';
import { sparkline } from './spark.js';

export function Sparkline({
  values,
  width,
  dim,
}: {
  values: readonly number[];
  width: number;
  dim?: boolean;
}) {
  const { glyphs, theme } = useUi();
  if (width <= 0) return null;
  return (
    <Text wrap="truncate-end" color={theme.warn} dimColor={dim}>
      {sparkline(values, width, glyphs)}
    </Text>
  );
}

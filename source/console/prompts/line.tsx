// The parts every prompt line shares: a bold label, the text being typed with a cursor, and
// either the error or a muted hint.
import { Text } from 'ink';
import { useUi } from '../draw/ui-context.js';

export function PromptText({
  label,
  text,
  error,
  hint,
}: {
  label: string;
  text: string;
  error?: string | null;
  hint: string;
}) {
  const { glyphs, theme } = useUi();
  const cursor = glyphs.ascii ? '_' : '▏';
  return (
    <Text wrap="truncate-end">
      <Text bold>{label}</Text>
      <Text inverse>{`${text}${cursor}`}</Text>
      {error ? (
        <Text color={theme.danger}>{`  ${error}`}</Text>
      ) : (
        <Text color={theme.muted}>{`  ${hint}`}</Text>
      )}
    </Text>
  );
}

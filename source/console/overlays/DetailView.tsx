// The detail overlay (Enter): every number of the selected IP or alert, its top users and
// hosts side by side, and the Kibana Discover link. j/k move the selection underneath, and
// the overlay follows it.
import { Box, Text } from 'ink';
import type { NamedCount } from '../../contracts/snapshot.js';
import { fitCell, formatCount } from '../draw/cells.js';
import { useUi } from '../draw/ui-context.js';
import type { DetailContent } from './detail-lines.js';

export function DetailView({
  content,
  width,
  height,
}: {
  content: DetailContent;
  width: number;
  height: number;
}) {
  const { glyphs, theme } = useUi();
  const inner = Math.max(10, width - 4);
  // Border (2) + title + blank + lines + link (may wrap) + list header.
  const linkRows = content.link ? Math.ceil((content.link.length + 8) / inner) : 0;
  const used = 2 + 1 + content.lines.length + linkRows + 2;
  const listRows = Math.max(0, height - used);
  const half = Math.floor((inner - 2) / 2);
  const listLine = (entry: NamedCount | undefined) =>
    entry
      ? `${fitCell(entry.name, Math.max(1, half - 9), { ellipsis: glyphs.ellipsis })} ${fitCell(formatCount(entry.count), 8, { align: 'right' })}`
      : '';
  const rows = Array.from(
    { length: Math.min(listRows, Math.max(content.users.length, content.hosts.length)) },
    (_, index) => `${fitCell(listLine(content.users[index]), half)}  ${listLine(content.hosts[index])}`,
  );
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
      <Text wrap="truncate-end" bold>
        {content.title}
      </Text>
      {content.lines.map((line, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: fixed lines, never reordered
        <Text key={`${index}:${line}`} wrap="truncate-end">
          {line}
        </Text>
      ))}
      {content.link ? (
        <Text wrap="hard">
          <Text color={theme.muted}>{'Kibana '}</Text>
          {content.link}
        </Text>
      ) : null}
      {listRows > 0 ? (
        <Text wrap="truncate-end" bold>
          {`${fitCell('TOP USERS', half)}  HOSTS`}
        </Text>
      ) : null}
      {rows.map((row, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: fixed lines, never reordered
        <Text key={`${index}:${row}`} wrap="truncate-end">
          {row}
        </Text>
      ))}
    </Box>
  );
}

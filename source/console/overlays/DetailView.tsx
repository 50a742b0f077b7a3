// The detail overlay (Enter): every number of the selected IP or alert, its top users and
// hosts side by side, and the Kibana Discover link. j/k move the selection underneath, and
// the overlay follows it.
import { Text } from 'ink';
import type { NamedCount } from '../../contracts/snapshot.js';
import { cellWidth, fitCell, formatCount, truncate } from '../draw/cells.js';
import { hyperlink } from '../draw/osc.js';
import { useUi } from '../draw/ui-context.js';
import type { DetailContent } from './detail-lines.js';
import { OverlayFrame } from './OverlayFrame.js';

export function DetailView({
  content,
  width,
  height,
}: {
  content: DetailContent;
  width: number;
  height: number;
}) {
  const { glyphs, theme, hyperlinks } = useUi();
  const inner = Math.max(10, width - 4);
  // Border (2) + title + lines + the link line + list header (+1 spare).
  const linkRows = content.link || content.noLink ? 1 : 0;
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
    <OverlayFrame width={width} height={height}>
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
        <Text wrap="truncate-end">
          <Text color={theme.muted}>{'Kibana '}</Text>
          {linkText(content.link, inner - 'Kibana '.length, hyperlinks === true, glyphs.ellipsis)}
        </Text>
      ) : content.noLink ? (
        <Text wrap="truncate-end" color={theme.muted}>{`Kibana: ${content.noLink}`}</Text>
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
    </OverlayFrame>
  );
}

const COPY_HINT = ' (Y copies the link)';

/**
 * The Discover link on one line, never wrapped inside the box (a wrapped URL gets the
 * border's │ in the middle and cannot be clicked): an OSC 8 hyperlink where the terminal
 * supports them; else the URL whole if it fits, or visibly shortened in the middle with
 * Y to copy it whole (13 C17).
 */
export function linkText(url: string, width: number, hyperlinks: boolean, ellipsis: string): string {
  if (hyperlinks) return `${hyperlink(url, 'open in Discover')}${COPY_HINT}`;
  if (cellWidth(url) <= width) return url;
  return `${truncate(url, Math.max(10, width - COPY_HINT.length), ellipsis, 'middle')}${COPY_HINT}`;
}

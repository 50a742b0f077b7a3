// The alert feed: newest first by default, one line per alert with severity, time, rule,
// service, key, counts, ATT&CK technique and state (lifecycle and escalation). The rows scroll
// in draw/ScrollingTable.tsx; the title line says what is off-screen.
import { Box, Text } from 'ink';
import type { Alert } from '../../detect/alert.js';
import { fitCell } from '../draw/cells.js';
import { contentWidths } from '../draw/columns.js';
import { listPosition, scrollOffset } from '../draw/position.js';
import { ScrollingTable, TableRow } from '../draw/ScrollingTable.js';
import type { Theme } from '../draw/theme.js';
import { useUi } from '../draw/ui-context.js';
import type { SortState } from '../state/sort.js';
import {
  ALERT_CONTENT_COLUMNS,
  type AlertColumn,
  alertCells,
  alertColumns,
  alertStateText,
  isQuietAt,
} from './alert-columns.js';

export interface AlertFeedProps {
  rows: readonly Alert[];
  /** All alerts before filtering (for the title counts). */
  total: number;
  selected: number;
  focused: boolean;
  width: number;
  /** Alert rows available (title and column header are extra). */
  height: number;
  sort: SortState;
  filtered: boolean;
  now: number;
  labelOf: (service: string) => string;
  stale: boolean;
  /** Acknowledged and muted alerts left out (H): the title says how many. */
  hidden?: number;
}

export function AlertFeed(props: AlertFeedProps) {
  const { glyphs, theme } = useUi();
  const cellsOf = (alert: Alert, selected: boolean) =>
    alertCells(alert, props.labelOf(alert.service), selected, props.now, glyphs);
  const columns = alertColumns(
    props.width,
    props.sort,
    glyphs,
    contentWidths(
      props.rows.map((alert) => cellsOf(alert, false)),
      ALERT_CONTENT_COLUMNS,
    ),
  );
  const offset = scrollOffset(props.selected, props.rows.length, props.height);
  const fresh = props.rows.filter((alert) => alert.state === 'new' && !alert.acknowledged).length;
  const counts = props.filtered ? `${props.rows.length} of ${props.total}` : `${props.total}`;
  const title = `${props.focused ? glyphs.selected : ' '} ALERTS `;
  // A CRITICAL alert is never off-screen without a marker; it comes first so a narrow
  // terminal cuts the counts, not the marker.
  const critAbove = props.rows.slice(0, offset).filter((alert) => alert.severity === 'critical').length;
  const critBelow = props.rows
    .slice(offset + props.height)
    .filter((alert) => alert.severity === 'critical').length;
  const marks = [
    critAbove > 0 ? `${critAbove} CRIT ${glyphs.up}` : '',
    critBelow > 0 ? `${critBelow} CRIT ${glyphs.down}` : '',
    listPosition(props.selected, props.rows.length, offset, props.height, glyphs),
  ].filter((mark) => mark !== '');
  const hidden = props.hidden ? ` ${glyphs.dot} ${props.hidden} acked/muted hidden (H)` : '';
  const detail = ` ${[...marks, counts].join(` ${glyphs.dot} `)}${fresh > 0 ? ` ${glyphs.dot} ${fresh} new` : ''}${hidden}`;
  return (
    <Box flexDirection="column" width={props.width} height={props.height + 2} overflow="hidden">
      <Text wrap="truncate-end" dimColor={props.stale}>
        <Text bold inverse={props.focused}>
          {title}
        </Text>
        <Text bold={critAbove + critBelow > 0} color={critAbove + critBelow > 0 ? theme.danger : undefined}>
          {fitCell(detail, Math.max(0, props.width - title.length), { ellipsis: glyphs.ellipsis })}
        </Text>
      </Text>
      <ScrollingTable
        list={props}
        columns={columns}
        dim={props.stale}
        empty={props.filtered ? 'no alerts match the filter' : 'no alerts'}
        keyOf={(alert) => alert.id}
        drawRow={(alert, selected, line) => {
          const { severity } = alert;
          const tone = alertStateText(alert, props.now, glyphs).tone;
          return (
            <TableRow
              columns={columns}
              cells={line(cellsOf(alert, selected))}
              selected={selected}
              dim={props.stale || alert.state === 'closed' || isQuietAt(alert, props.now)}
              look={`${severity} ${tone}`}
              paint={(column, gap, text, theme) => paintCell(column, gap, text, theme, severity, tone)}
            />
          );
        }}
      />
    </Box>
  );
}

type Tone = ReturnType<typeof alertStateText>['tone'];

function toneColour(theme: Theme, tone: Tone): string | undefined {
  switch (tone) {
    case 'danger':
      return theme.danger;
    case 'warn':
      return theme.warn;
    case 'ok':
      return theme.ok;
    case 'muted':
      return theme.muted;
    default:
      return undefined;
  }
}

function paintCell(
  column: AlertColumn,
  gap: string,
  text: string,
  theme: Theme,
  severity: Alert['severity'],
  tone: Tone,
) {
  const colour =
    column === 'severity'
      ? theme.severity[severity]
      : column === 'state'
        ? toneColour(theme, tone)
        : undefined;
  return (
    <Text
      key={column}
      color={colour}
      bold={column === 'severity' && (severity === 'critical' || severity === 'high')}
    >
      {gap}
      {text}
    </Text>
  );
}

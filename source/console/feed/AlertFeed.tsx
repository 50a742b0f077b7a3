// The alert feed: newest first by default, one line per alert with severity, time, rule,
// service, key, counts, ATT&CK technique and state (lifecycle and escalation).
import { Box, Text } from 'ink';
import { memo } from 'react';
import type { Alert } from '../../detect/alert.js';
import { fitCell } from '../draw/cells.js';
import { contentWidths, fitHeader, fitRow, type PlacedColumn, sameColumns } from '../draw/columns.js';
import { listPosition } from '../draw/position.js';
import type { Theme } from '../draw/theme.js';
import { useUi } from '../draw/ui-context.js';
import { scrollOffset } from '../state/selectors.js';
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
  const offset = scrollOffset(Math.max(props.selected, 0), props.rows.length, props.height);
  const visible = props.rows.slice(offset, offset + props.height);
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
      <Text wrap="truncate-end" bold dimColor={props.stale}>
        {fitHeader(columns, glyphs.ellipsis).join(' ')}
      </Text>
      {visible.length === 0 ? (
        <Text wrap="truncate-end" dimColor>
          {props.filtered ? '  no alerts match the filter' : '  no alerts'}
        </Text>
      ) : (
        visible.map((alert, index) => {
          const selected = props.focused && offset + index === props.selected;
          const cells = fitRow(columns, cellsOf(alert, selected), glyphs.ellipsis);
          return (
            <AlertRow
              key={alert.id}
              columns={columns}
              cells={cells.join('\u0000')}
              severity={alert.severity}
              tone={alertStateText(alert, props.now, glyphs).tone}
              selected={selected}
              dim={props.stale || alert.state === 'closed' || isQuietAt(alert, props.now)}
            />
          );
        })
      )}
    </Box>
  );
}

interface RowProps {
  columns: readonly PlacedColumn<AlertColumn>[];
  cells: string;
  severity: Alert['severity'];
  tone: ReturnType<typeof alertStateText>['tone'];
  selected: boolean;
  dim: boolean;
}

function toneColour(theme: Theme, tone: RowProps['tone']): string | undefined {
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

const AlertRow = memo(function AlertRow({ columns, cells, severity, tone, selected, dim }: RowProps) {
  const { theme } = useUi();
  const parts = cells.split('\u0000');
  return (
    <Text wrap="truncate-end" inverse={selected} dimColor={dim}>
      {columns.map((column, index) => {
        const gap = index === 0 ? '' : ' ';
        const text = parts[index] ?? '';
        const colour =
          column.key === 'severity'
            ? theme.severity[severity]
            : column.key === 'state'
              ? toneColour(theme, tone)
              : undefined;
        return (
          <Text
            key={column.key}
            color={colour}
            bold={column.key === 'severity' && (severity === 'critical' || severity === 'high')}
          >
            {gap}
            {text}
          </Text>
        );
      })}
    </Text>
  );
}, sameRow);

function sameRow(a: RowProps, b: RowProps): boolean {
  return (
    a.cells === b.cells &&
    a.severity === b.severity &&
    a.tone === b.tone &&
    a.selected === b.selected &&
    a.dim === b.dim &&
    sameColumns(a.columns, b.columns)
  );
}

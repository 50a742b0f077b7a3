// The table of top offending IPs of one service. Only the rows that fit are rendered (the
// window scrolls with the selection); every cell is cut to its computed column width, so
// rows are single lines that never wrap, whatever the addresses or account names.
import { Box, Text } from 'ink';
import { memo } from 'react';
import type { Offender } from '../../contracts/snapshot.js';
import { fitHeader, fitRow, type PlacedColumn, sameColumns } from '../draw/columns.js';
import { useUi } from '../draw/ui-context.js';
import { scrollOffset } from '../state/selectors.js';
import type { SortState } from '../state/sort.js';
import { FLAG_SPECS, type OffenderFlag } from './flags.js';
import { type OffenderColumn, offenderCells, offenderColumns } from './offender-columns.js';

export interface OffenderTableProps {
  rows: readonly Offender[];
  /** Index of the selected row in `rows`, or -1. */
  selected: number;
  focused: boolean;
  width: number;
  /** Table rows available (the column header is extra). */
  height: number;
  sort: SortState;
  /** Flags of an offender (the detector decides). */
  flagsOf: (offender: Offender) => readonly OffenderFlag[];
  /** Reference time for "last seen" (the snapshot's end). */
  now: number;
  dim: boolean;
  /** Shown when there are no rows. */
  empty: string;
}

const ALARMING = new Set(FLAG_SPECS.filter((spec) => spec.alarming).map((spec) => spec.mark));

export function OffenderTable(props: OffenderTableProps) {
  const { glyphs } = useUi();
  const columns = offenderColumns(props.width, props.rows, props.sort, glyphs);
  const offset = scrollOffset(Math.max(props.selected, 0), props.rows.length, props.height);
  const visible = props.rows.slice(offset, offset + props.height);
  return (
    <Box flexDirection="column" width={props.width} height={props.height + 1} overflow="hidden">
      <Text wrap="truncate-end" bold dimColor={props.dim}>
        {fitHeader(columns, glyphs.ellipsis).join(' ')}
      </Text>
      {visible.length === 0 ? (
        <Text wrap="truncate-end" dimColor>
          {`  ${props.empty}`}
        </Text>
      ) : (
        visible.map((offender, index) => {
          const flags = props.flagsOf(offender);
          const over = flags.includes('over-threshold');
          const selected = props.focused && offset + index === props.selected;
          const cells = fitRow(
            columns,
            offenderCells(offender, flags, selected, over, props.now, glyphs),
            glyphs.ellipsis,
          );
          return (
            <OffenderRow
              key={offender.ip}
              columns={columns}
              cells={cells.join('\u0000')}
              selected={selected}
              over={over}
              dim={props.dim}
            />
          );
        })
      )}
    </Box>
  );
}

interface RowProps {
  columns: readonly PlacedColumn<OffenderColumn>[];
  /** Fitted cells joined by NUL: one string, so memo compares rows cheaply. */
  cells: string;
  selected: boolean;
  over: boolean;
  dim: boolean;
}

const OffenderRow = memo(function OffenderRow({ columns, cells, selected, over, dim }: RowProps) {
  const { theme } = useUi();
  const parts = cells.split('\u0000');
  return (
    <Text wrap="truncate-end" inverse={selected} dimColor={dim} bold={over}>
      {columns.map((column, index) => {
        const text = parts[index] ?? '';
        const gap = index === 0 ? '' : ' ';
        if (column.key === 'flags') {
          // Alarming flags come first in display order, so they are one coloured run.
          const chars = Array.from(text);
          const split = chars.findIndex((mark) => !ALARMING.has(mark));
          const cut = split < 0 ? chars.length : split;
          return (
            <Text key={column.key}>
              {gap}
              <Text color={theme.danger}>{chars.slice(0, cut).join('')}</Text>
              {chars.slice(cut).join('')}
            </Text>
          );
        }
        const alarm = over && (column.key === 'mark' || column.key === 'ip' || column.key === 'failures');
        return (
          <Text key={column.key} color={alarm ? theme.danger : undefined}>
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
    a.selected === b.selected &&
    a.over === b.over &&
    a.dim === b.dim &&
    sameColumns(a.columns, b.columns)
  );
}

// The table of top offending IPs of one service (draw/ScrollingTable.tsx scrolls, windows and
// fits it): an IP over its threshold is bold with its mark, address and count in the danger
// colour, and alarming flags come first in one coloured run.
import { Box, Text } from 'ink';
import type { Offender } from '../../contracts/snapshot.js';
import { ScrollingTable, TableRow } from '../draw/ScrollingTable.js';
import type { Theme } from '../draw/theme.js';
import { useUi } from '../draw/ui-context.js';
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
  return (
    <Box flexDirection="column" width={props.width} height={props.height + 1} overflow="hidden">
      <ScrollingTable
        list={props}
        columns={columns}
        dim={props.dim}
        empty={props.empty}
        keyOf={(offender) => offender.ip}
        drawRow={(offender, selected, line) => {
          const flags = props.flagsOf(offender);
          const over = flags.includes('over-threshold');
          return (
            <TableRow
              columns={columns}
              cells={line(offenderCells(offender, flags, selected, over, props.now, glyphs))}
              selected={selected}
              dim={props.dim}
              bold={over}
              look={over ? 'over' : ''}
              paint={(column, gap, text, theme) => paintCell(column, gap, text, theme, over)}
            />
          );
        }}
      />
    </Box>
  );
}

function paintCell(column: OffenderColumn, gap: string, text: string, theme: Theme, over: boolean) {
  if (column === 'flags') {
    // Alarming flags come first in display order, so they are one coloured run.
    const chars = Array.from(text);
    const split = chars.findIndex((mark) => !ALARMING.has(mark));
    const cut = split < 0 ? chars.length : split;
    return (
      <Text key={column}>
        {gap}
        <Text color={theme.danger}>{chars.slice(0, cut).join('')}</Text>
        {chars.slice(cut).join('')}
      </Text>
    );
  }
  const alarm = over && (column === 'mark' || column === 'ip' || column === 'failures');
  return (
    <Text key={column} color={alarm ? theme.danger : undefined}>
      {gap}
      {text}
    </Text>
  );
}

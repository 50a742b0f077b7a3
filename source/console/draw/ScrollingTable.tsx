// A table whose rows scroll with the selection, shared by the alert feed and the offender
// tables. Only the rows that fit are rendered (the window follows the selected row); every
// cell is cut to its column's width, so rows are single lines that never wrap, whatever the
// addresses or account names; an empty table says why in one line. A view keeps only its
// columns, its cells and how a cell is coloured (`paint`).
import { Text } from 'ink';
import { Fragment, memo, type ReactNode } from 'react';
import { fitHeader, fitRow, type PlacedColumn, sameColumns } from './columns.js';
import { scrollOffset } from './position.js';
import type { Theme } from './theme.js';
import { useUi } from './ui-context.js';

/** Fitted cells are handed to a row as one string, so a memoised row compares them cheaply. */
const CELL_BREAK = '\u0000';

/** The list a table shows: the view's own props have these fields, so it passes itself. */
export interface ListProps<Row> {
  rows: readonly Row[];
  /** Index of the selected row in `rows`, or -1. */
  selected: number;
  focused: boolean;
  /** Table rows available (the column header is extra). */
  height: number;
}

export interface ScrollingTableProps<Row, K extends string> {
  list: ListProps<Row>;
  columns: readonly PlacedColumn<K>[];
  /** Header and rows dimmed (the data is stale). */
  dim: boolean;
  /** The one line shown when there are no rows. */
  empty: string;
  keyOf: (row: Row) => string;
  /** One row: `line` fits its cells into the string a TableRow draws. */
  drawRow: (row: Row, selected: boolean, line: (cells: Record<K, string>) => string) => ReactNode;
}

export function ScrollingTable<Row, K extends string>(props: ScrollingTableProps<Row, K>) {
  const { glyphs } = useUi();
  const { rows, selected, focused, height } = props.list;
  const offset = scrollOffset(selected, rows.length, height);
  const visible = rows.slice(offset, offset + height);
  const line = (cells: Record<K, string>) => fitRow(props.columns, cells, glyphs.ellipsis).join(CELL_BREAK);
  return (
    <>
      <Text wrap="truncate-end" bold dimColor={props.dim}>
        {fitHeader(props.columns, glyphs.ellipsis).join(' ')}
      </Text>
      {visible.length === 0 ? (
        <Text wrap="truncate-end" dimColor>
          {`  ${props.empty}`}
        </Text>
      ) : (
        visible.map((row, index) => (
          <Fragment key={props.keyOf(row)}>
            {props.drawRow(row, focused && offset + index === selected, line)}
          </Fragment>
        ))
      )}
    </>
  );
}

export interface TableRowProps<K extends string> {
  columns: readonly PlacedColumn<K>[];
  /** The string `line` made. */
  cells: string;
  selected: boolean;
  dim: boolean;
  bold?: boolean;
  /**
   * What else the colours depend on (severity, state, over the threshold): rows with the same
   * look, cells and columns draw the same, so `paint` itself is not compared.
   */
  look: string;
  /** One cell, the gap before it included. */
  paint: (column: K, gap: string, text: string, theme: Theme) => ReactNode;
}

function TableRowOf<K extends string>({ columns, cells, selected, dim, bold, paint }: TableRowProps<K>) {
  const { theme } = useUi();
  const parts = cells.split(CELL_BREAK);
  return (
    <Text wrap="truncate-end" inverse={selected} dimColor={dim} bold={bold}>
      {columns.map((column, index) => paint(column.key, index === 0 ? '' : ' ', parts[index] ?? '', theme))}
    </Text>
  );
}

function sameRow<K extends string>(a: TableRowProps<K>, b: TableRowProps<K>): boolean {
  return (
    a.cells === b.cells &&
    a.selected === b.selected &&
    a.dim === b.dim &&
    a.bold === b.bold &&
    a.look === b.look &&
    sameColumns(a.columns, b.columns)
  );
}

export const TableRow = memo(TableRowOf, sameRow) as typeof TableRowOf;

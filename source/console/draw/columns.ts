// Column widths for a table of a given total width. Columns have a minimum (below it the
// column is useless and is dropped, lowest priority first) and a maximum (beyond it extra
// room goes to the others). Pure, so the alignment guarantee is tested without rendering.
import { type Align, type CutAt, cellWidth, fitCell, truncateItems } from './cells.js';

export interface ColumnSpec<K extends string = string> {
  key: K;
  title: string;
  min: number;
  max: number;
  align: Align;
  /** Higher stays longer when the table is narrow. */
  priority: number;
  /** Where long values are cut: IPv6 addresses keep both ends (`middle`); `items` cuts a comma list between items. */
  cut?: CutAt | 'items';
}

export interface PlacedColumn<K extends string = string> extends ColumnSpec<K> {
  width: number;
}

export const GAP = 1;

/** Widths for `specs` in `total` cells, keeping the spec order. Never wider than `total`. */
export function layoutColumns<K extends string>(
  specs: readonly ColumnSpec<K>[],
  total: number,
): PlacedColumn<K>[] {
  let kept = specs.slice();
  const needed = (columns: readonly ColumnSpec<K>[]) =>
    columns.reduce((sum, column) => sum + column.min, 0) + GAP * Math.max(0, columns.length - 1);
  while (kept.length > 1 && needed(kept) > total) {
    const lowest = kept.reduce((low, column) => (column.priority < low.priority ? column : low));
    kept = kept.filter((column) => column !== lowest);
  }
  const placed = kept.map((column) => ({ ...column, width: Math.min(column.min, total) }));
  let spare = total - needed(kept);
  // Share the spare room one cell per column per round, most important first in each round,
  // so an IPv6 address and an account name both grow instead of one taking everything.
  const growOrder = placed.slice().sort((a, b) => b.priority - a.priority);
  while (spare > 0) {
    let grew = false;
    for (const column of growOrder) {
      if (spare > 0 && column.width < column.max) {
        column.width += 1;
        spare -= 1;
        grew = true;
      }
    }
    if (!grew) break;
  }
  return placed;
}

/**
 * Lower each column's maximum to the widest value it has to show (never below its minimum),
 * so short IPv4 addresses do not reserve room for IPv6 while the counts get cut.
 */
export function capToContent<K extends string>(
  specs: readonly ColumnSpec<K>[],
  content: Partial<Record<K, number>>,
): ColumnSpec<K>[] {
  return specs.map((spec) => {
    const widest = content[spec.key];
    if (widest === undefined) return spec;
    return {
      ...spec,
      max: Math.max(spec.min, Math.min(spec.max, Math.max(widest, cellWidth(spec.title)))),
    };
  });
}

/** Widest value per column over some rows. */
export function contentWidths<K extends string>(
  rows: Iterable<Partial<Record<K, string>>>,
  keys: readonly K[],
): Partial<Record<K, number>> {
  const widths: Partial<Record<K, number>> = {};
  for (const row of rows) {
    for (const key of keys) {
      const value = row[key];
      if (value === undefined) continue;
      const width = cellWidth(value);
      if (width > (widths[key] ?? 0)) widths[key] = width;
    }
  }
  return widths;
}

/** The cells of one row, each exactly its column's width. */
export function fitRow<K extends string>(
  columns: readonly PlacedColumn<K>[],
  values: Record<K, string>,
  ellipsis: string,
): string[] {
  return columns.map((column) => {
    const value = values[column.key];
    if (column.cut === 'items') {
      return fitCell(truncateItems(value, column.width, ellipsis), column.width, {
        align: column.align,
        ellipsis,
      });
    }
    return fitCell(value, column.width, { align: column.align, ellipsis, cut: column.cut ?? 'end' });
  });
}

/** The column titles, each exactly its column's width. */
export function fitHeader(columns: readonly PlacedColumn[], ellipsis: string): string[] {
  return columns.map((column) => fitCell(column.title, column.width, { align: column.align, ellipsis }));
}

/** Total width the placed columns occupy, gaps included. */
export function tableWidth(columns: readonly PlacedColumn[]): number {
  return columns.reduce((sum, column) => sum + column.width, 0) + GAP * Math.max(0, columns.length - 1);
}

/** Same layout (keys and widths, in order): a memoised row need not redraw. */
export function sameColumns(a: readonly PlacedColumn[], b: readonly PlacedColumn[]): boolean {
  return (
    a.length === b.length &&
    a.every((column, index) => column.width === b[index]?.width && column.key === b[index]?.key)
  );
}

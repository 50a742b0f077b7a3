// Where everything goes for a terminal size: how many table rows each pane shows, and
// whether service panes sit side by side. Pure arithmetic, so "the screen always fits" is
// tested directly: header + panes + footer add up to exactly the terminal height.

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;
/** Two header lines and one footer line. */
export const CHROME_ROWS = 3;
/** A service pane's title line and column header. */
export const SERVICE_PANE_FIXED = 2;
/** The feed's title line and column header. */
export const FEED_FIXED = 2;
/** Width below which a service pane is not put beside another. */
export const MIN_PANE_COLUMNS = 80;

export interface PaneBox {
  service: string;
  width: number;
  /** Table rows (offenders) this pane shows. */
  rows: number;
}

export type Layout =
  | { kind: 'too-small'; columns: number; rows: number; need: { columns: number; rows: number } }
  | {
      kind: 'normal';
      columns: number;
      rows: number;
      /** Service panes, one inner array per line of panes. */
      grid: PaneBox[][];
      feed: { width: number; rows: number };
      /** Rows between the header and the footer (where the help and detail overlays go). */
      body: number;
    };

export function computeLayout(columns: number, rows: number, services: readonly string[]): Layout {
  const perLine = Math.max(1, Math.min(services.length, Math.floor((columns + 1) / (MIN_PANE_COLUMNS + 1))));
  const lines = Math.ceil(services.length / perLine);
  const body = rows - CHROME_ROWS;
  const tableRows = body - lines * SERVICE_PANE_FIXED - FEED_FIXED;
  // At least one offender row per line of panes and two alert rows.
  const needRows = CHROME_ROWS + lines * (SERVICE_PANE_FIXED + 1) + FEED_FIXED + 2;
  if (columns < MIN_COLUMNS || rows < MIN_ROWS || rows < needRows) {
    return {
      kind: 'too-small',
      columns,
      rows,
      need: { columns: MIN_COLUMNS, rows: Math.max(MIN_ROWS, needRows) },
    };
  }
  const feedRows = Math.max(2, Math.round(tableRows * 0.3));
  const serviceRows = tableRows - feedRows;
  const grid: PaneBox[][] = [];
  for (let line = 0; line < lines; line += 1) {
    const names = services.slice(line * perLine, (line + 1) * perLine);
    // Earlier lines take the remainder, so the first service (SSH) gets the extra row.
    const height = Math.floor(serviceRows / lines) + (line < serviceRows % lines ? 1 : 0);
    const gaps = names.length - 1;
    const width = Math.floor((columns - gaps) / names.length);
    grid.push(
      names.map((service, index) => ({
        service,
        // The last pane of a line takes the columns left by rounding.
        width: index === names.length - 1 ? columns - gaps - width * (names.length - 1) : width,
        rows: height,
      })),
    );
  }
  return { kind: 'normal', columns, rows, grid, feed: { width: columns, rows: feedRows }, body };
}

/** Table rows of the pane showing `pane` (for PgUp/PgDn). */
export function pageSize(layout: Layout, pane: string): number {
  if (layout.kind !== 'normal') return 1;
  for (const line of layout.grid) {
    for (const box of line) if (box.service === pane) return box.rows;
  }
  return layout.feed.rows;
}

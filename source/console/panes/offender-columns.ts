// The offender table's columns and cell text. Every value from the cluster is attacker-
// influenced (IPs come from log lines, user names are whatever was typed at the login
// prompt), so each passes through sanitize() before it is measured and cut to its column.
import type { Offender } from '../../contracts/snapshot.js';
import { formatAge } from '../../core/duration.js';
import { sanitize } from '../../core/sanitize.js';
import { formatCount } from '../draw/cells.js';
import {
  type ColumnSpec,
  capToContent,
  contentWidths,
  layoutColumns,
  type PlacedColumn,
} from '../draw/columns.js';
import type { Glyphs } from '../draw/glyphs.js';
import type { SortState } from '../state/sort.js';
import { flagMarks, type OffenderFlag } from './flags.js';

export type OffenderColumn = 'mark' | 'ip' | 'failures' | 'users' | 'topUser' | 'last' | 'geo' | 'flags';

const SORTED_COLUMN: Record<string, OffenderColumn> = {
  failures: 'failures',
  users: 'users',
  last: 'last',
  ip: 'ip',
};

/** Longest flag string: every flag at once. */
const MAX_FLAGS = 8;

const widthsMemo = new WeakMap<readonly Offender[], Partial<Record<OffenderColumn, number>>>();

/** Widest IP, top user and origin over the rows (memoised: rows are one array per poll). */
function widestValues(rows: readonly Offender[]): Partial<Record<OffenderColumn, number>> {
  let widths = widthsMemo.get(rows);
  if (!widths) {
    widths = contentWidths(
      rows.map((row) => ({
        ip: sanitize(row.ip),
        topUser: sanitize(row.topUsers[0]?.name ?? ''),
        geo: geoText(row),
      })),
      ['ip', 'topUser', 'geo'],
    );
    widthsMemo.set(rows, widths);
  }
  return widths;
}

export function offenderColumns(
  width: number,
  rows: readonly Offender[],
  sort: SortState,
  glyphs: Glyphs,
): PlacedColumn<OffenderColumn>[] {
  const maxFailures = rows.reduce((max, row) => Math.max(max, row.failures), 0);
  const arrow = sort.descending ? glyphs.down : glyphs.up;
  const sorted = SORTED_COLUMN[sort.column];
  const title = (key: OffenderColumn, text: string) => (key === sorted ? `${text}${arrow}` : text);
  const countWidth = Math.max(formatCount(maxFailures).length, 6);
  const specs: ColumnSpec<OffenderColumn>[] = [
    { key: 'mark', title: '', min: 2, max: 2, align: 'left', priority: 100 },
    // 15 cells hold any IPv4 address; IPv6 gets up to its full 39 and is cut in the middle.
    { key: 'ip', title: title('ip', 'IP'), min: 15, max: 39, align: 'left', priority: 90, cut: 'middle' },
    {
      key: 'failures',
      title: title('failures', 'FAILS'),
      min: countWidth,
      max: countWidth,
      align: 'right',
      priority: 95,
    },
    { key: 'users', title: title('users', 'USERS'), min: 6, max: 6, align: 'right', priority: 80 },
    { key: 'topUser', title: 'TOP USER', min: 8, max: 24, align: 'left', priority: 60 },
    { key: 'last', title: title('last', 'LAST'), min: 7, max: 8, align: 'right', priority: 70 },
    { key: 'geo', title: 'COUNTRY/ASN', min: 9, max: 34, align: 'left', priority: 40 },
    { key: 'flags', title: 'FLAGS', min: 5, max: MAX_FLAGS, align: 'left', priority: 85 },
  ];
  return layoutColumns(capToContent(specs, widestValues(rows)), width);
}

/**
 * "Last seen" to the minute: `<1m ago`, `12m ago`, `3h ago`. Seconds would change every row
 * on every poll and resend the whole table over SSH for a difference nobody acts on; the
 * detail view has the exact time.
 */
export function lastSeenText(ageMs: number): string {
  return ageMs < 60_000 ? '<1m ago' : formatAge(ageMs);
}

export function geoText(offender: Pick<Offender, 'country' | 'asn' | 'asOrg'>): string {
  const parts = [
    offender.country ? sanitize(offender.country) : '',
    offender.asn !== null ? `AS${offender.asn}` : '',
    offender.asOrg ? sanitize(offender.asOrg) : '',
  ];
  return parts.filter((part) => part !== '').join(' ');
}

export function offenderCells(
  offender: Offender,
  flags: readonly OffenderFlag[],
  selected: boolean,
  over: boolean,
  now: number,
  glyphs: Glyphs,
): Record<OffenderColumn, string> {
  const last = Date.parse(offender.lastFailure);
  return {
    mark: `${selected ? glyphs.selected : ' '}${over ? glyphs.over : ' '}`,
    ip: sanitize(offender.ip),
    failures: formatCount(offender.failures),
    users: formatCount(offender.distinctUsers),
    // Beyond the busiest IPs until their details come: "not fetched", never blank (A4).
    topUser: offender.detailed === false ? glyphs.ellipsis : sanitize(offender.topUsers[0]?.name ?? ''),
    last: Number.isFinite(last) ? lastSeenText(now - last) : '',
    geo: offender.detailed === false ? glyphs.ellipsis : geoText(offender),
    flags: flagMarks(flags),
  };
}

// Sorting of the offender tables and the alert feed. `s` moves to the next column (each
// with its natural direction: counts and times high first, addresses A→Z), `S` reverses.
// Ties fall back to the IP or id so rows do not jump between polls when counts are equal.

import type { Severity } from '../../contracts/rules.js';
import type { Offender } from '../../contracts/snapshot.js';
import { compareIps } from '../../core/net.js';
import { type Alert, alertStartedAt } from '../../detect/alert.js';

export interface SortState {
  column: string;
  descending: boolean;
}

interface SortColumn<T> {
  column: string;
  label: string;
  descending: boolean;
  compare: (a: T, b: T) => number;
}

const byNumber = (a: number, b: number) => a - b;
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const OFFENDER_SORTS: readonly SortColumn<Offender>[] = [
  {
    column: 'failures',
    label: 'failures',
    descending: true,
    compare: (a, b) => byNumber(a.failures, b.failures),
  },
  {
    column: 'users',
    label: 'distinct users',
    descending: true,
    compare: (a, b) => byNumber(a.distinctUsers, b.distinctUsers),
  },
  {
    column: 'last',
    label: 'last seen',
    descending: true,
    compare: (a, b) => byText(a.lastFailure, b.lastFailure),
  },
  { column: 'ip', label: 'IP', descending: false, compare: (a, b) => compareIps(a.ip, b.ip) },
];

const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export const ALERT_SORTS: readonly SortColumn<Alert>[] = [
  {
    column: 'time',
    label: 'time',
    descending: true,
    compare: (a, b) => byNumber(alertStartedAt(a), alertStartedAt(b)),
  },
  {
    column: 'severity',
    label: 'severity',
    descending: true,
    compare: (a, b) => byNumber(SEVERITY_RANK[a.severity], SEVERITY_RANK[b.severity]),
  },
  {
    column: 'failures',
    label: 'failures',
    descending: true,
    compare: (a, b) => byNumber(a.failures, b.failures),
  },
];

export const DEFAULT_OFFENDER_SORT: SortState = { column: 'failures', descending: true };
export const DEFAULT_ALERT_SORT: SortState = { column: 'time', descending: true };

function sortWith<T>(
  items: readonly T[],
  columns: readonly SortColumn<T>[],
  sort: SortState,
  tie: (a: T, b: T) => number,
): T[] {
  const column = columns.find((candidate) => candidate.column === sort.column) ?? columns[0]!;
  const sign = sort.descending ? -1 : 1;
  return items.slice().sort((a, b) => sign * column.compare(a, b) || tie(a, b));
}

export function sortOffenders(offenders: readonly Offender[], sort: SortState): Offender[] {
  return sortWith(offenders, OFFENDER_SORTS, sort, (a, b) => compareIps(a.ip, b.ip));
}

export function sortAlerts(alerts: readonly Alert[], sort: SortState): Alert[] {
  return sortWith(
    alerts,
    ALERT_SORTS,
    sort,
    // Ties: the more severe first, then by id. Nothing that changes every poll (last seen),
    // so rows do not reshuffle, and get redrawn, between polls for no news.
    (a, b) => byNumber(SEVERITY_RANK[b.severity], SEVERITY_RANK[a.severity]) || byText(a.id, b.id),
  );
}

/** The next column in the cycle, in its natural direction. */
export function nextSort(kind: 'offenders' | 'alerts', current: SortState): SortState {
  const columns: readonly { column: string; descending: boolean }[] =
    kind === 'offenders' ? OFFENDER_SORTS : ALERT_SORTS;
  const index = columns.findIndex((candidate) => candidate.column === current.column);
  const next = columns[(index + 1) % columns.length]!;
  return { column: next.column, descending: next.descending };
}

export function sortLabel(
  kind: 'offenders' | 'alerts',
  sort: SortState,
  arrows: { up: string; down: string },
): string {
  const columns: readonly { column: string; label: string }[] =
    kind === 'offenders' ? OFFENDER_SORTS : ALERT_SORTS;
  const label = columns.find((candidate) => candidate.column === sort.column)?.label ?? sort.column;
  return `${label} ${sort.descending ? arrows.down : arrows.up}`;
}

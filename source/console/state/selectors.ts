// Selectors: everything derived from the state — the alert list, the rows each pane shows
// (filtered, then sorted) and the selected row. Memoised on the identity of their inputs,
// so a render, the key handler and the reducer share one derivation per change.
import type { Offender, ServiceSnapshot } from '../../contracts/snapshot.js';
import type { Alert } from '../../detect/alert.js';
import { alertsNewestFirst, type DetectorState } from '../../detect/detector.js';
import { alertMatches, compileFilter, offenderMatches } from './filter.js';
import { ALERTS_PANE } from './panes.js';
import { withDetails } from './row-details.js';
import { type SortState, sortAlerts, sortOffenders } from './sort.js';
import type { AppState, Selection } from './state.js';

interface Memo<T> {
  filter: string;
  sort: SortState;
  rows: T[];
  /** Alerts only: acknowledged and muted ones left out (H), as of `now`. */
  hideQuiet?: boolean;
  now?: number;
  /** Row details merged in (offender rows only). */
  details?: unknown;
}

const offenderMemo = new WeakMap<ServiceSnapshot, Memo<Offender>>();
const alertMemo = new WeakMap<readonly Alert[], Memo<Alert>>();
const alertListMemo = new WeakMap<DetectorState, readonly Alert[]>();

/** Live alerts, newest first: derived from the detector state, once per change of it. */
export function alertList(state: Pick<AppState, 'detector'>): readonly Alert[] {
  let list = alertListMemo.get(state.detector);
  if (!list) {
    list = alertsNewestFirst(state.detector);
    alertListMemo.set(state.detector, list);
  }
  return list;
}

export function serviceSnapshot(state: AppState, service: string): ServiceSnapshot | undefined {
  return state.snapshot?.services.find((entry) => entry.service === service);
}

export function offenderRows(state: AppState, service: string): Offender[] {
  const data = serviceSnapshot(state, service);
  if (!data) return [];
  const sort = state.sort[service]!;
  const details = state.rowDetails?.[service];
  const memo = offenderMemo.get(data);
  if (memo && memo.filter === state.filter && memo.sort === sort && memo.details === details)
    return memo.rows;
  const filter = compileFilter(state.filter);
  const offenders = details
    ? data.offenders.map((offender) => withDetails(offender, details[offender.ip]))
    : data.offenders;
  const rows = sortOffenders(
    offenders.filter((offender) => offenderMatches(filter, offender)),
    sort,
  );
  offenderMemo.set(data, { filter: state.filter, sort, rows, details });
  return rows;
}

export function alertRows(state: AppState): Alert[] {
  const sort = state.sort[ALERTS_PANE]!;
  const alerts = alertList(state);
  const hideQuiet = state.hideQuiet === true;
  const memo = alertMemo.get(alerts);
  if (
    memo &&
    memo.filter === state.filter &&
    memo.sort === sort &&
    memo.hideQuiet === hideQuiet &&
    (!hideQuiet || memo.now === state.now)
  )
    return memo.rows;
  const filter = compileFilter(state.filter);
  const rows = sortAlerts(
    alerts.filter(
      (alert) =>
        alertMatches(filter, alert) &&
        !(hideQuiet && (alert.acknowledged || (alert.mutedUntil !== null && alert.mutedUntil > state.now))),
    ),
    sort,
  );
  alertMemo.set(alerts, { filter: state.filter, sort, rows, hideQuiet, now: state.now });
  return rows;
}

export function rowKeys(state: AppState, pane: string): string[] {
  return pane === ALERTS_PANE
    ? alertRows(state).map((alert) => alert.id)
    : offenderRows(state, pane).map((offender) => offender.ip);
}

/** Index of the selected row: the selected key if still shown, else the old position clamped. */
export function selectedIndex(keys: readonly string[], selection: Selection | undefined): number {
  if (keys.length === 0) return -1;
  if (selection?.key) {
    const found = keys.indexOf(selection.key);
    if (found >= 0) return found;
  }
  return Math.min(Math.max(selection?.index ?? 0, 0), keys.length - 1);
}

export function selectedOffender(state: AppState, service: string): Offender | undefined {
  const rows = offenderRows(state, service);
  const index = selectedIndex(
    rows.map((row) => row.ip),
    state.selection[service],
  );
  return index < 0 ? undefined : rows[index];
}

export function selectedAlert(state: AppState): Alert | undefined {
  const rows = alertRows(state);
  const index = selectedIndex(
    rows.map((row) => row.id),
    state.selection[ALERTS_PANE],
  );
  return index < 0 ? undefined : rows[index];
}

/** Every pane's selection with its index updated to where its row is shown now. */
export function currentSelection(state: AppState): Record<string, Selection> {
  const out: Record<string, Selection> = {};
  for (const [pane, selection] of Object.entries(state.selection)) {
    if (state.snapshot === null) {
      out[pane] = selection;
      continue;
    }
    const keys = rowKeys(state, pane);
    const index = selectedIndex(keys, selection);
    out[pane] = index < 0 ? selection : { key: keys[index] ?? null, index };
  }
  return out;
}

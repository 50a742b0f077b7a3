// Details (top users, hosts, origin) of rows beyond the busiest IPs (issue 13 A4): the
// snapshot leaves them out and marks them `detailed: false`; the rows a pane can show (its
// first SHOWN_ROWS after filter and sort) and the selected one are asked for in the next round
// trip (source/cluster/row-details.ts, run by the session). Until they come the screen says
// "…" / "not fetched", never "unknown" or "none".
import type { Details } from '../../cluster/parse.js';
import type { Offender } from '../../contracts/snapshot.js';
import type { AppState } from './state.js';

/** Rows per pane whose details are fetched: more than any terminal shows at once. */
export const SHOWN_ROWS = 60;

export interface DetailRequest {
  service: string;
  from: number;
  to: number;
  ips: string[];
}

/** The offender with fetched details merged in (the same object when there are none). */
export function withDetails(offender: Offender, details: Details | undefined): Offender {
  if (offender.detailed !== false || !details) return offender;
  const { detailed: _detailed, ...rest } = offender;
  return { ...rest, ...details };
}

/** The row-details searches the screen needs now: per service, shown rows still not fetched. */
export function detailRequests(
  state: AppState,
  rowsOf: (service: string) => readonly Offender[],
  selectedOf: (service: string) => Offender | undefined,
): DetailRequest[] {
  const snapshot = state.snapshot;
  if (!snapshot) return [];
  const from = Date.parse(snapshot.window.from);
  const to = Date.parse(snapshot.window.to);
  const out: DetailRequest[] = [];
  for (const { name } of state.services) {
    const wanted = [...rowsOf(name).slice(0, SHOWN_ROWS)];
    const selected = selectedOf(name);
    if (selected) wanted.push(selected);
    const ips = [...new Set(wanted.filter((row) => row.detailed === false).map((row) => row.ip))];
    if (ips.length > 0) out.push({ service: name, from, to, ips });
  }
  return out;
}

/** State after a row-details answer. */
export function storeDetails(
  state: AppState,
  service: string,
  details: ReadonlyMap<string, Details>,
): AppState {
  const current = state.rowDetails[service] ?? {};
  return {
    ...state,
    rowDetails: { ...state.rowDetails, [service]: { ...current, ...Object.fromEntries(details) } },
  };
}

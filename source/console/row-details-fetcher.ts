// The I/O half of A4 (state/row-details.ts has the pure half): whenever the store changes, the
// shown rows beyond the busiest IPs that still lack top users, hosts and origin are fetched,
// one small search per service (cluster/row-details.ts), one round at a time; a request the
// same as the last one sent is not repeated.

import { fetchRowDetails } from '../cluster/row-details.js';
import type { ClusterClient } from '../cluster/types.js';
import type { Config } from '../config/types.js';
import { sanitize } from '../core/sanitize.js';
import { detailRequests } from './state/row-details.js';
import { offenderRows, selectedOffender } from './state/selectors.js';
import type { Say, Store } from './state/store.js';

export interface RowDetailsFetcherOptions {
  store: Store;
  config: Config;
  /** The poller's client: null until connected (nothing is fetched then). */
  client: () => ClusterClient | null;
  /** Aborted when the session ends: no new round starts and errors are not shown. */
  lifetime: AbortSignal;
  say: Say;
}

export function startRowDetailsFetcher({
  store,
  config,
  client,
  lifetime,
  say,
}: RowDetailsFetcherOptions): void {
  let inFlight = false;
  let lastKey = '';
  const fetchDetails = () => {
    const connected = client();
    if (inFlight || !connected || lifetime.aborted) return;
    const state = store.getState();
    const requests = detailRequests(
      state,
      (service) => offenderRows(state, service),
      (service) => selectedOffender(state, service),
    );
    const key = requests
      .map((request) => `${request.service}:${request.to}:${request.ips.join(',')}`)
      .join('|');
    if (requests.length === 0 || key === lastKey) return;
    lastKey = key;
    inFlight = true;
    void Promise.all(
      requests.map(async (request) => {
        const details = await fetchRowDetails(connected, config, request, lifetime);
        store.dispatch({ type: 'row-details', service: request.service, details, now: Date.now() });
      }),
    )
      .catch((error: unknown) => {
        if (!lifetime.aborted) say(`row details not fetched: ${sanitize((error as Error).message)}`, 'warn');
      })
      .finally(() => {
        inFlight = false;
      });
  };
  store.subscribe(fetchDetails);
}

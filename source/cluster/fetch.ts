// Fetching snapshots: build the searches, send them in ONE `_msearch`, parse. Several
// windows (the console's window and the slow-brute-force window) share the round trip.
import type { Config } from '../config/types.js';
import type { Snapshot } from '../contracts/snapshot.js';
import { parseSnapshotResponse } from './parse.js';
import { buildSnapshotSearches, SNAPSHOT_FILTER_PATH, type SnapshotPlan } from './query.js';
import { type ClusterClient, ClusterError, type SearchRequest } from './types.js';
import { Reader } from './validate.js';

export interface FetchWindow {
  windowMs: number;
  /** End exactly here (epoch ms, exclusive) instead of after `now`: "as of" (see window.ts). */
  endAt?: number;
  /** Custom rules ride along with one window only (the first, by default). */
  includeCustomRules?: boolean;
  /** Each service's newest event (ingest lag, issue 13 A3) rides along (default false). */
  includeNewest?: boolean;
}

export interface FetchOptions {
  now?: number;
  signal?: AbortSignal;
}

/** One `_msearch` for several windows; returns one Snapshot per window, in order. */
export async function fetchSnapshots(
  client: ClusterClient,
  config: Config,
  windows: FetchWindow[],
  options: FetchOptions = {},
): Promise<Snapshot[]> {
  const now = options.now ?? Date.now();
  const requestOptions = options.signal ? { signal: options.signal } : {};
  const backend = await client.info(requestOptions);
  const searches: SearchRequest[] = [];
  const plans: { plan: SnapshotPlan; offset: number }[] = [];
  windows.forEach((window, index) => {
    const built = buildSnapshotSearches(config, {
      windowMs: window.windowMs,
      now,
      ...(window.endAt === undefined ? {} : { endAt: window.endAt }),
      includeCustomRules: window.includeCustomRules ?? index === 0,
      ...(window.includeNewest ? { includeNewest: true } : {}),
    });
    plans.push({ plan: built.plan, offset: searches.length });
    searches.push(...built.searches);
  });
  const started = performance.now();
  // OpenSearch's filter_path drops arrays that end up empty (and then their parents), which
  // would read as "missing aggregation"; Elasticsearch keeps them. Filter on Elasticsearch only.
  const filter = backend.kind === 'elasticsearch' ? { filterPath: SNAPSHOT_FILTER_PATH } : {};
  const raw = await client.msearch(searches, { ...requestOptions, ...filter });
  const fetchMs = Math.round(performance.now() - started);
  const fetchedAt = new Date().toISOString();

  const responses = new Reader(raw, 'snapshot _msearch').get('responses').array();
  if (responses.length !== searches.length) {
    throw new ClusterError(
      'bad-response',
      `_msearch returned ${responses.length} responses for ${searches.length} searches`,
    );
  }
  return plans.map(({ plan, offset }) =>
    parseSnapshotResponse(
      { responses: responses.slice(offset, offset + plan.searchCount).map((item) => item.value) },
      plan,
      { backend, cluster: client.cluster, fetchMs, fetchedAt },
    ),
  );
}

/** One snapshot of `windowMs` (default config.windowMs) ending now: ONE `_msearch` round trip. */
export async function fetchSnapshot(
  client: ClusterClient,
  config: Config,
  options: { windowMs?: number; now?: number; signal?: AbortSignal } = {},
): Promise<Snapshot> {
  const [snapshot] = await fetchSnapshots(
    client,
    config,
    [{ windowMs: options.windowMs ?? config.windowMs }],
    {
      ...(options.now !== undefined ? { now: options.now } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  if (!snapshot) throw new ClusterError('bad-response', 'no snapshot was parsed');
  return snapshot;
}

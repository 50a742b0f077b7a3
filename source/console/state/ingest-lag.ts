// Ingest lag per service (issue 13 A3): the age of the service's newest event, from the data
// (its event time) against the console's clock when the poll was fetched. "Data stopped
// arriving" must not look like "all clear": a service with events in the lookback but none for
// `silenceAlertMs` is silent (the header asks whether the shipper runs); one with none in the
// whole lookback is told apart ("no events in 7 days"). Memoised on the snapshot.
import type { Snapshot } from '../../contracts/snapshot.js';

export interface ServiceLag {
  service: string;
  /** Event time (epoch ms) of the newest event; null: none in the lookback; undefined: not asked. */
  newestAt: number | null | undefined;
  /** Console clock at the fetch minus newestAt (0 when the event is stamped in the future). */
  ageMs: number | null;
  /** Events in the lookback, but none for silenceAlertMs or longer. */
  silent: boolean;
  /** No event at all in the lookback (and its indices exist). */
  never: boolean;
}

/** Default of the `silenceAlert` config key (source/config/keys.ts). */
export const DEFAULT_SILENCE_ALERT_MS = 600_000;

const memo = new WeakMap<Snapshot, { silenceAlertMs: number; lags: ServiceLag[] }>();

export function ingestLag(
  snapshot: Snapshot | null,
  silenceAlertMs = DEFAULT_SILENCE_ALERT_MS,
): ServiceLag[] {
  if (!snapshot) return [];
  const known = memo.get(snapshot);
  if (known && known.silenceAlertMs === silenceAlertMs) return known.lags;
  const fetchedAt = Date.parse(snapshot.fetchedAt);
  const lags = snapshot.services.map((service): ServiceLag => {
    const raw = service.newestEvent;
    const parsed = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
    const newestAt = raw === undefined ? undefined : Number.isFinite(parsed) ? parsed : null;
    const ageMs =
      typeof newestAt === 'number' && Number.isFinite(fetchedAt) ? Math.max(0, fetchedAt - newestAt) : null;
    return {
      service: service.service,
      newestAt,
      ageMs,
      silent: ageMs !== null && ageMs >= silenceAlertMs,
      never: newestAt === null && service.shards?.total !== 0,
    };
  });
  memo.set(snapshot, { silenceAlertMs, lags });
  return lags;
}

export function laggingServices(lags: readonly ServiceLag[]): ServiceLag[] {
  return lags.filter((lag) => lag.silent);
}

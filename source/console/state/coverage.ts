// What the last poll actually covered: services whose index pattern matched no indices
// (which must never look like "no attacks", issue 13 A2) and shards that failed (partial
// numbers, A6). Derived from the snapshot, memoised on it.
import type { Snapshot } from '../../contracts/snapshot.js';

export interface Coverage {
  /** Services (names) whose searches ran on 0 shards: their index pattern matches nothing. */
  noIndices: readonly string[];
  /** Every service matched no indices: nothing at all is being watched. */
  nothing: boolean;
  /** Failed shards over all services (each service's searches counted once), or null when none failed. */
  partial: { failed: number; total: number } | null;
  /** Services with failed shards. */
  partialServices: readonly string[];
}

const EMPTY: Coverage = { noIndices: [], nothing: false, partial: null, partialServices: [] };
const memo = new WeakMap<Snapshot, Coverage>();

export function coverage(snapshot: Snapshot | null): Coverage {
  if (!snapshot) return EMPTY;
  const known = memo.get(snapshot);
  if (known) return known;
  const noIndices: string[] = [];
  const partialServices: string[] = [];
  let failed = 0;
  let total = 0;
  for (const service of snapshot.services) {
    if (!service.shards) continue;
    if (service.shards.total === 0) noIndices.push(service.service);
    if (service.shards.failed > 0) partialServices.push(service.service);
    failed += service.shards.failed;
    total += service.shards.total;
  }
  const result: Coverage = {
    noIndices,
    nothing: snapshot.services.length > 0 && noIndices.length === snapshot.services.length,
    partial: failed > 0 ? { failed, total } : null,
    partialServices,
  };
  memo.set(snapshot, result);
  return result;
}

// Memory of closed alerts, bounded in size and age. It answers two questions after the
// closed alert itself has aged out of the feed:
// - is this source a repeat offender? (it had an alert that closed; fail2ban's "recidive")
// - is a finding for a closed alert only the same old data still inside a long window,
//   or new activity? (stale data must not reopen an alert)
// Maps keep insertion order; entries are re-inserted when updated, so the oldest come first.

export interface ClosedRecord {
  closedAt: number;
  /** Latest failure (epoch ms) the alert had reported, or null when the rule has no event times. */
  lastFailure: number | null;
  failures: number;
  successAt: string | null;
}

export interface ClosedMemory {
  /** By alert id. */
  readonly alerts: ReadonlyMap<string, ClosedRecord>;
  /** By source, `${keyKind}|${key}` → when its last alert closed. */
  readonly sources: ReadonlyMap<string, number>;
}

/** fail2ban's recidive jail looks back one day; we remember a week. */
export const MEMORY_MAX_AGE_MS = 7 * 86_400_000;
export const MEMORY_MAX_ENTRIES = 1000;

export const EMPTY_MEMORY: ClosedMemory = { alerts: new Map(), sources: new Map() };

export function sourceKey(keyKind: string, key: string): string {
  return `${keyKind}|${key}`;
}

function prune<V>(map: Map<string, V>, closedAt: (value: V) => number, now: number): void {
  for (const [key, value] of map) {
    if (map.size <= MEMORY_MAX_ENTRIES && closedAt(value) > now - MEMORY_MAX_AGE_MS) break;
    map.delete(key);
  }
}

/** Record closed alerts; returns the same memory object when there is nothing to add or forget. */
export function remember(
  memory: ClosedMemory,
  closed: readonly { id: string; source: string; record: ClosedRecord }[],
  now: number,
): ClosedMemory {
  const oldestAlert = memory.alerts.values().next();
  const oldestSource = memory.sources.values().next();
  const expired =
    (!oldestAlert.done && oldestAlert.value.closedAt <= now - MEMORY_MAX_AGE_MS) ||
    (!oldestSource.done && oldestSource.value <= now - MEMORY_MAX_AGE_MS);
  if (closed.length === 0 && !expired) return memory;
  const alerts = new Map(memory.alerts);
  const sources = new Map(memory.sources);
  for (const { id, source, record } of closed) {
    alerts.delete(id);
    alerts.set(id, record);
    sources.delete(source);
    sources.set(source, record.closedAt);
  }
  prune(alerts, (record) => record.closedAt, now);
  prune(sources, (closedAt) => closedAt, now);
  return { alerts, sources };
}

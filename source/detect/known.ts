// Alerts a console already showed, so that a restart does not make them all `new` again
// (issue 13 A5). Plain data the console keeps beside mutes.json (source/console/alert-file.ts);
// the lifecycle reads it when it creates an alert. An alert is "already known" when the
// finding overlaps what was seen: its first failure is not after the last failure known, i.e.
// the same attack still going, not a later one from the same source.
import type { Alert } from './alert.js';

export interface KnownAlert {
  /** Event times (ISO) of the attack as last seen. */
  firstFailure: string | null;
  lastFailure: string | null;
  acknowledged: boolean;
}

/** Kept at most: the live set is bounded by MAX_LIVE_ALERTS (lifecycle.ts). */
export const MAX_KNOWN_ALERTS = 1000;

/** The live (not closed) alerts to remember. */
export function knownAlerts(alerts: readonly Alert[]): Map<string, KnownAlert> {
  const known = new Map<string, KnownAlert>();
  for (const alert of alerts) {
    if (alert.state === 'closed' || known.size >= MAX_KNOWN_ALERTS) continue;
    known.set(alert.id, {
      firstFailure: alert.firstFailure ?? null,
      lastFailure: alert.lastFailure ?? null,
      acknowledged: alert.acknowledged,
    });
  }
  return known;
}

/** Whether a finding (its event times) continues a known alert. */
export function continues(known: KnownAlert, firstFailure: string | null): boolean {
  const last = known.lastFailure ? Date.parse(known.lastFailure) : Number.NaN;
  const first = firstFailure ? Date.parse(firstFailure) : Number.NaN;
  // Without times (custom rules) the id is all there is: the same group still firing.
  if (!Number.isFinite(last) || !Number.isFinite(first)) return true;
  return first <= last;
}

export function encodeKnown(known: ReadonlyMap<string, KnownAlert>, now: number): unknown {
  return { version: 1, savedAt: new Date(now).toISOString(), alerts: Object.fromEntries(known) };
}

const isTime = (value: unknown): value is string | null =>
  value === null || (typeof value === 'string' && Number.isFinite(Date.parse(value)));

/** The file's alerts; malformed entries are left out (problems say how many). */
export function decodeKnown(value: unknown): { known: Map<string, KnownAlert>; problems: string[] } {
  const known = new Map<string, KnownAlert>();
  const alerts = (value as { alerts?: unknown } | null)?.alerts;
  if (typeof value !== 'object' || value === null || typeof alerts !== 'object' || alerts === null) {
    return { known, problems: ['not an alert state file (expected {"version":1,"alerts":{…}})'] };
  }
  let bad = 0;
  for (const [id, entry] of Object.entries(alerts as Record<string, unknown>)) {
    const item = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    if (!isTime(item.firstFailure) || !isTime(item.lastFailure) || typeof item.acknowledged !== 'boolean') {
      bad += 1;
      continue;
    }
    if (known.size < MAX_KNOWN_ALERTS) {
      known.set(id, {
        firstFailure: item.firstFailure,
        lastFailure: item.lastFailure,
        acknowledged: item.acknowledged,
      });
    }
  }
  return { known, problems: bad > 0 ? [`${bad} malformed alert(s) ignored`] : [] };
}

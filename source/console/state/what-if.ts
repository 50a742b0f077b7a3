// What-if for the threshold prompt (issue 13 D): for the value being typed, how many IPs of
// the service would be over it and which alerts would open or close, from the snapshot
// already loaded (no query). The real detector is re-run with the typed threshold, so the
// answer is what Enter would do. Memoised per detector state, service and value: one run
// per keystroke.
import type { Alert } from '../../detect/alert.js';
import { reevaluate } from '../../detect/detector.js';
import { thresholdFor, withThreshold } from '../../detect/settings.js';
import { alertList, serviceSnapshot } from './selectors.js';
import type { AppState } from './state.js';

export interface WhatIf {
  service: string;
  value: number;
  current: number;
  /** IPs at or over `value` (and over `current`) among the offenders loaded. */
  over: number;
  overNow: number;
  /** True when the offender list is cut (top N) and more IPs beyond it could be over. */
  atLeast: boolean;
  /** Alerts that would start firing, and live ones that would stop, worst first. */
  opens: Alert[];
  closes: Alert[];
}

const memo = new WeakMap<AppState['detector'], Map<string, WhatIf>>();
const RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;
const worstFirst = (a: Alert, b: Alert) => RANK[a.severity] - RANK[b.severity] || a.key.localeCompare(b.key);

export function whatIfThreshold(state: AppState, service: string, value: number): WhatIf | undefined {
  if (!Number.isSafeInteger(value) || value < 1) return undefined;
  const data = serviceSnapshot(state, service);
  if (!data || state.detector.snapshot === null) return undefined;
  const key = `${service}\u0000${value}`;
  let cache = memo.get(state.detector);
  const hit = cache?.get(key);
  if (hit) return hit;
  const current = thresholdFor(state.settings, service);
  const next = reevaluate(state.detector, withThreshold(state.settings, service, value), state.now);
  const before = state.detector.firing;
  const after = next.firing;
  const opens = next.alerts.filter((alert) => after.has(alert.id) && !before.has(alert.id)).sort(worstFirst);
  const closes = alertList(state)
    .filter((alert) => before.has(alert.id) && !after.has(alert.id))
    .sort(worstFirst);
  const countOver = (threshold: number) =>
    data.offenders.filter((offender) => offender.failures >= threshold).length;
  const lowest = data.offenders.at(-1)?.failures ?? 0;
  const result: WhatIf = {
    service,
    value,
    current,
    over: countOver(value),
    overNow: countOver(current),
    atLeast: data.offendersTruncated && lowest >= value,
    opens,
    closes,
  };
  if (!cache) {
    cache = new Map();
    memo.set(state.detector, cache);
  }
  cache.set(key, result);
  return result;
}

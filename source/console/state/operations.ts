// State changes that more than one entry point makes (a key and a prompt both set a
// threshold; escalation and acknowledgement both find the alerts of an IP).
import type { Alert } from '../../detect/alert.js';
import { reevaluate } from '../../detect/detector.js';
import { thresholdFor, withThreshold } from '../../detect/settings.js';
import { type KeyResult, withFlash } from './effects.js';
import { alertList } from './selectors.js';
import type { AppState } from './state.js';

export function serviceLabel(state: AppState, service: string): string {
  return state.services.find((entry) => entry.name === service)?.label ?? service;
}

export function applyThreshold(state: AppState, service: string, value: number, now: number): KeyResult {
  const previous = thresholdFor(state.settings, service);
  const settings = withThreshold(state.settings, service, value);
  const detector = reevaluate(state.detector, settings, now);
  const next: AppState = { ...state, settings, detector, overlay: null };
  return {
    state: withFlash(next, `${serviceLabel(state, service)} threshold ${previous} -> ${value}`, now),
    effects: [{ kind: 'persist-threshold', service, value }],
  };
}

/** The IP-keyed alerts of one address on one service. */
export function alertsOfIp(state: AppState, service: string, ip: string | undefined): Alert[] {
  if (ip === undefined) return [];
  return alertList(state).filter(
    (alert) => alert.keyKind === 'ip' && alert.key === ip && alert.service === service,
  );
}

// `H`: hide or show acknowledged and muted alerts. Shown, they are dimmed and marked; hidden,
// the feed's title says how many are left out, so hiding never looks like "no alerts".
import { isQuietAt } from '../feed/alert-columns.js';
import { type KeyResult, withFlash } from '../state/effects.js';
import { alertList } from '../state/selectors.js';
import type { AppState } from '../state/state.js';

export function toggleQuiet(state: AppState, now: number): KeyResult['state'] {
  const hideQuiet = !state.hideQuiet;
  const quiet = alertList(state).filter((alert) => isQuietAt(alert, now)).length;
  const text = hideQuiet
    ? `acknowledged and muted alerts hidden (${quiet} now); H shows them`
    : `acknowledged and muted alerts shown, dimmed (${quiet} now)`;
  return withFlash({ ...state, hideQuiet }, text, now);
}

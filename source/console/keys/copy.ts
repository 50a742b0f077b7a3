// `y` / `Y`: copy the selection out of the screen (13 C17). `y`: the selected IP (service
// pane) or a one-line alert summary (feed); `Y`: its Kibana Discover link. The session
// writes the OSC 52 sequence; the message says what was sent and that the terminal does the
// copying (it cannot tell us whether it did).
import { sanitize } from '../../core/sanitize.js';
import { ruleLabel, SEVERITY_LABEL } from '../feed/alert-columns.js';
import { alertLink, NO_KIBANA, offenderLink } from '../overlays/detail-lines.js';
import { type KeyResult, none, withFlash } from '../state/effects.js';
import { serviceLabel } from '../state/operations.js';
import { ALERTS_PANE } from '../state/panes.js';
import { selectedAlert, selectedOffender } from '../state/selectors.js';
import type { AppState } from '../state/state.js';

export function copySelection(state: AppState, what: 'text' | 'link', now: number): KeyResult {
  let text: string | undefined;
  let label: string;
  if (state.focus === ALERTS_PANE) {
    const alert = selectedAlert(state);
    if (!alert) return none(withFlash(state, 'nothing selected to copy', now));
    if (what === 'link') {
      text = alertLink(alert, state.kibana);
      label = 'the Discover link';
    } else {
      text = `${SEVERITY_LABEL[alert.severity]} ${ruleLabel(alert.rule)} ${serviceLabel(state, alert.service)} ${alert.key}: ${alert.summary}`;
      label = 'the alert summary';
    }
  } else {
    const offender = selectedOffender(state, state.focus);
    if (!offender) return none(withFlash(state, 'nothing selected to copy', now));
    if (what === 'link') {
      text = offenderLink(offender, state.kibana, state.snapshot?.window, now);
      label = 'the Discover link';
    } else {
      text = offender.ip;
      label = `IP ${sanitize(offender.ip)}`;
    }
  }
  if (text === undefined) return none(withFlash(state, NO_KIBANA, now, 'warn'));
  return {
    state: withFlash(state, `copied ${label} to your clipboard (OSC 52: your terminal must allow it)`, now),
    effects: [{ kind: 'copy', text: sanitize(text), what: label }],
  };
}

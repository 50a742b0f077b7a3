// `t`: type a service's brute-force threshold. The editor is drawn inside the service pane's
// title (where the threshold is shown); the header line shows, for the value being typed,
// what it would change from the loaded snapshot: IPs over it, alerts that would open or
// close (issue 13 D). No query: state/what-if.ts re-runs the detector on what is loaded.
import { Text, useWindowSize } from 'ink';
import { sanitize } from '../../core/sanitize.js';
import type { Alert } from '../../detect/alert.js';
import { cellWidth, truncate } from '../draw/cells.js';
import { useUi } from '../draw/ui-context.js';
import { ruleLabel, SEVERITY_LABEL } from '../feed/alert-columns.js';
import { none, withOverlay } from '../state/effects.js';
import { applyThreshold, serviceLabel } from '../state/operations.js';
import type { AppState } from '../state/state.js';
import { type WhatIf, whatIfThreshold } from '../state/what-if.js';
import type { Prompt, PromptOverlay } from './prompt.js';

export const MAX_THRESHOLD = 1_000_000;

export const thresholdPrompt: Prompt<'threshold'> = {
  kind: 'threshold',
  accepts: { allowed: /^[0-9]$/, max: 7 },
  text: (overlay) => overlay.text,
  edit: (state, overlay, text) => withOverlay(state, { ...overlay, text, error: null }),
  reject: (state, overlay) => withOverlay(state, { ...overlay, error: 'digits only' }),
  submit(state, overlay, now) {
    if (overlay.text === '') return none(withOverlay(state, null));
    const value = Number(overlay.text);
    if (!Number.isSafeInteger(value) || value < 1 || value > MAX_THRESHOLD) {
      return none(withOverlay(state, { ...overlay, error: `a whole number from 1 to ${MAX_THRESHOLD}` }));
    }
    return applyThreshold(state, overlay.service, value, now);
  },
  Line: WhatIfLine,
};

// A service's threshold only moves that service's alerts: the name leaves the service out.
// A long IPv6 key is cut in the middle (both ends identify it), so more names fit.
const alertName = (alert: Alert) =>
  `${SEVERITY_LABEL[alert.severity]} ${ruleLabel(alert.rule)} ${truncate(sanitize(alert.key), 20, '…', 'middle')}`;

/** Names from `alerts` while they fit whole in `room` cells, then "+N" for the rest. */
function names(alerts: readonly Alert[], room: number): string {
  const shown: string[] = [];
  for (const [index, alert] of alerts.entries()) {
    const name = alertName(alert);
    const rest = alerts.length - index - 1;
    const candidate = [...shown, name].join(', ') + (rest > 0 ? `, +${rest}` : '');
    if (cellWidth(candidate) > room) break;
    shown.push(name);
  }
  const rest = alerts.length - shown.length;
  if (shown.length === 0) return '';
  return shown.join(', ') + (rest > 0 ? `, +${rest}` : '');
}

/** The what-if as one line of `width` cells: the counts first (never cut), then the names. */
export function whatIfText(state: AppState, whatIf: WhatIf, width: number): string {
  const over = `${whatIf.atLeast ? 'at least ' : ''}${whatIf.over}`;
  const head = `what if ${serviceLabel(state, whatIf.service)} threshold ${whatIf.value}: ${over} IP${
    whatIf.over === 1 ? '' : 's'
  } over (now ${whatIf.overNow} at ${whatIf.current})`;
  if (whatIf.value === whatIf.current) return `${head}; no change (no query)`;
  // The counts and where they come from first: names of alerts only as far as they fit whole.
  const counts = `alerts +${whatIf.opens.length} -${whatIf.closes.length} (no query)`;
  let room = width - cellWidth(`${head}, ${counts}`) - 2;
  const parts: string[] = [];
  for (const [sign, list] of [
    ['+', whatIf.opens],
    ['-', whatIf.closes],
  ] as const) {
    if (list.length === 0 || room < 12) continue;
    const text = `${sign}${names(list, room - 3)}`;
    if (text === sign) continue;
    parts.push(text);
    room -= cellWidth(text) + 2;
  }
  return `${head}, ${counts}${parts.length > 0 ? `: ${parts.join('; ')}` : ''}`;
}

function WhatIfLine({ state, overlay }: { state: AppState; overlay: PromptOverlay<'threshold'> }) {
  const { theme } = useUi();
  const { columns } = useWindowSize();
  const value = Number(overlay.text);
  const whatIf = overlay.text === '' ? undefined : whatIfThreshold(state, overlay.service, value);
  if (!whatIf) {
    return (
      <Text wrap="truncate-end" color={theme.muted}>
        {state.snapshot === null
          ? 'what if: no data loaded yet'
          : `type a threshold: the IPs over it and the alerts it opens or closes show here (no query)`}
      </Text>
    );
  }
  return <Text wrap="truncate-end">{whatIfText(state, whatIf, columns)}</Text>;
}

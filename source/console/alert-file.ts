// Which alerts this console showed, kept beside mutes.json in alerts.json (mode 0600, replaced
// atomically), so a restart does not show every live alert as `new` again (issue 13 A5) and
// keeps acknowledgements. Written when the live set, an acknowledgement or an attack's last
// failure (to the minute) changes; see source/detect/known.ts for what "continues" means.
import { join } from 'node:path';
import { sanitize } from '../core/sanitize.js';
import type { Alert } from '../detect/alert.js';
import { decodeKnown, encodeKnown, type KnownAlert, knownAlerts } from '../detect/known.js';
import { readJsonState, writeJsonState } from './json-state-file.js';
import type { Say, Store } from './state/store.js';

export const ALERT_FILE_NAME = 'alerts.json';

export function alertFilePath(configDirectory: string): string {
  return join(configDirectory, ALERT_FILE_NAME);
}

/** The known alerts in the file; a missing file is none. Problems are for one warning line. */
export function readAlertFile(path: string): { known: Map<string, KnownAlert>; problems: string[] } {
  const read = readJsonState(path, 'alerts read as new');
  if (read.kind !== 'read')
    return { known: new Map(), problems: read.kind === 'problem' ? [read.problem] : [] };
  const decoded = decodeKnown(read.value);
  return { known: decoded.known, problems: decoded.problems.map((problem) => `${path}: ${problem}`) };
}

/** What changes the file: live ids, acknowledgements, last failures to the minute. */
export function alertFileSignature(alerts: readonly Alert[]): string {
  return alerts
    .filter((alert) => alert.state !== 'closed')
    .map((alert) => {
      const last = alert.lastFailure ? Math.floor(Date.parse(alert.lastFailure) / 60_000) : '';
      return `${alert.id}|${alert.acknowledged ? 1 : 0}|${last}`;
    })
    .join('\n');
}

/** Replace the file with the live alerts (write a temporary file, then rename over). Throws. */
export function writeAlertFile(path: string, alerts: readonly Alert[], now: number): void {
  writeJsonState(path, encodeKnown(knownAlerts(alerts), now));
}

/** Keeps the file in step with the store: rewritten when its signature changes, never fatal. */
export function keepAlertFile(store: Store, path: string, say: Say): void {
  let lastAlerts = store.getState().detector.alerts;
  let saved = alertFileSignature(lastAlerts);
  store.subscribe(() => {
    const { alerts } = store.getState().detector;
    if (alerts === lastAlerts) return;
    lastAlerts = alerts;
    const signature = alertFileSignature(alerts);
    if (signature === saved) return;
    saved = signature;
    try {
      writeAlertFile(path, alerts, Date.now());
    } catch (error) {
      say(`alert states not saved: ${sanitize((error as Error).message)}`, 'warn');
    }
  });
}

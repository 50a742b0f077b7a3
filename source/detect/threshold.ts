// The threshold an alert's rule has now, and the alert's number it is compared with. An
// alert that stopped firing because the analyst raised the threshold above its count says
// "below threshold 10" instead of a bare "quiet 6 fails" (issue 13 A8).
import type { Alert } from './alert.js';
import { type DetectionSettings, thresholdFor } from './settings.js';

/** The rule's current threshold for this alert, or null when it has none to compare (custom rules). */
export function currentThreshold(settings: DetectionSettings, alert: Alert): number | null {
  const { rules } = settings;
  switch (alert.rule) {
    case 'brute-force':
      return thresholdFor(settings, alert.service);
    case 'slow-brute-force':
      return rules.slowBruteForce.threshold;
    case 'spraying':
      return rules.spraying.distinctUsers;
    case 'enumeration':
      return rules.enumeration.invalidUsers;
    case 'distributed':
      return rules.distributed.distinctIps;
    case 'success-after-failure':
      return rules.successAfterFailure.failures;
    default:
      return null;
  }
}

/** The alert's number its rule compares with the threshold. */
export function thresholdMetric(alert: Alert): number {
  switch (alert.rule) {
    case 'spraying':
      return alert.distinctUsers;
    case 'enumeration':
      return alert.invalidUserFailures;
    case 'distributed':
      return alert.distinctIps;
    default:
      return alert.failures;
  }
}

/**
 * The threshold a live alert that is not firing is now below, or null. An alert the window
 * slid past keeps its last counts (at or over the threshold it fired under), so this is null
 * for it: it is plainly quiet.
 */
export function belowThreshold(settings: DetectionSettings, alert: Alert, firing: boolean): number | null {
  if (firing || alert.state === 'closed') return null;
  const threshold = currentThreshold(settings, alert);
  if (threshold === null || thresholdMetric(alert) >= threshold) return null;
  return threshold;
}

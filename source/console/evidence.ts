// The console's `x`: the selected alert's evidence bundle, from the snapshots the detector
// last evaluated (their windows have absolute bounds, so the bundle's query re-runs to the
// same numbers). Writing two small files is synchronous and quick; the flash says where.
import type { CommandContext } from '../config/command-context.js';
import { sanitize } from '../core/sanitize.js';
import type { EscalationStatus } from '../detect/alert.js';
import { alertRecord, type EscalationView } from '../detect/alert-record.js';
import { writeEvidence } from '../evidence/write.js';
import { defaultAnalyst } from '../slack/escalator.js';
import type { AppState } from './state/state.js';

function escalationView(status: EscalationStatus | null): EscalationView | null {
  switch (status?.kind) {
    case 'sent':
    case 'already':
      return { state: 'sent', by: status.by, at: status.at };
    case 'failed':
      return { state: 'failed', by: defaultAnalyst(), at: status.at };
    case 'sending':
      return { state: 'pending', by: defaultAnalyst(), at: status.since };
    default:
      return null;
  }
}

export function exportEvidence(
  ctx: CommandContext,
  state: AppState,
  alertId: string,
  now: number,
): { ok: boolean; text: string } {
  const { detector } = state;
  const alert = detector.alerts.find((candidate) => candidate.id === alertId);
  if (!alert) return { ok: false, text: 'that alert is gone' };
  if (!detector.snapshot) return { ok: false, text: 'no snapshot yet: nothing to export' };
  const result = writeEvidence({
    config: ctx.config,
    alert: alertRecord(alert, escalationView(alert.escalation)),
    snapshot: detector.snapshot,
    slowSnapshot: detector.slowSnapshot,
    at: detector.lastPollAt ?? now,
    exportedBy: defaultAnalyst(),
    exportedAt: now,
    ...(ctx.configDirectory ? { configDirectory: ctx.configDirectory } : {}),
  });
  return result.ok
    ? { ok: true, text: `evidence written: ${sanitize(result.markdownPath)}` }
    : { ok: false, text: `evidence not written: ${result.error}` };
}

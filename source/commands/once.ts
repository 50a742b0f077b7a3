// `soc-watch once`: one evaluation of the window (and the slow window), then exit.
// `--json` prints schema 2 (docs/snapshot.md): the snapshot plus the detector's `alerts`;
// otherwise a readable table with the alerts under the panes. `--at <time>` ends the windows
// at that time instead of now. `--fail-on <severity>` exits 3 when an alert is at or above it.
// `--escalate` hands over to the Slack escalation; `--evidence <alert id>` writes a bundle.
// Exit codes: 0 printed; 1 the cluster failed (one readable line on stderr) or no such alert;
// 2 a bad flag value; 3 an alert at or above --fail-on, or with --strict when the snapshot
// has warnings (no indices, failed shards).
import { createClusterClient } from '../cluster/client.js';
import { formatSnapshotTable } from '../cluster/snapshot-table.js';
import { type ClusterClient, ClusterError } from '../cluster/types.js';
import type { Severity } from '../contracts/rules.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { safeJson } from '../core/json.js';
import { sanitize, sanitizeAndTruncate } from '../core/sanitize.js';
import { formatUtc, parseTimeSpec, TIME_SPEC_HELP } from '../core/time-spec.js';
import { type AlertRecord, alertRecord } from '../detect/alert-record.js';
import { alertsNewestFirst } from '../detect/detector.js';
import { SEVERITIES, severityRank } from '../detect/severity.js';
import { evaluateOnce } from '../replay/evaluate.js';
import { formatAlertsTable } from '../replay/tables.js';
import type { Command } from './context.js';
import { escalationViews } from './escalation-views.js';

export const onceCommand: Command = async (context) => {
  const { config, secrets, flags, stdout, stderr, signal } = context;
  if (typeof flags.escalate === 'string') {
    const { escalateFromCli } = await import('./escalate.js');
    return escalateFromCli(context, flags.escalate);
  }
  const wallClock = Date.now();
  let at: number | undefined;
  if (typeof flags.at === 'string') {
    at = parseTimeSpec(flags.at, wallClock);
    if (at === undefined) {
      stderr.write(`soc-watch: --at ${sanitizeAndTruncate(flags.at, 60)}: ${TIME_SPEC_HELP}\n`);
      return 2;
    }
  }
  let lookbackMs: number | undefined;
  if (typeof flags.lookback === 'string') {
    lookbackMs = flags.lookback.trim() === '0' ? 0 : parseDuration(flags.lookback);
    if (lookbackMs === undefined) {
      stderr.write(
        `soc-watch: --lookback ${sanitizeAndTruncate(flags.lookback, 30)}: expected a duration such as 90m, or 0\n`,
      );
      return 2;
    }
  }
  let failOn: Severity | undefined;
  if (flags.failOn !== undefined) {
    failOn = SEVERITIES.find((severity) => severity === flags.failOn);
    if (!failOn) {
      stderr.write(
        `soc-watch: --fail-on ${sanitizeAndTruncate(flags.failOn, 30)}: one of ${SEVERITIES.join(', ')}\n`,
      );
      return 2;
    }
  }
  let client: ClusterClient | undefined;
  try {
    client = await createClusterClient(config, secrets, { signal });
    // Evidence pins the windows to an absolute end (now, unless --at) so its query re-runs.
    const evidenceAt = typeof flags.evidence === 'string' ? (at ?? wallClock) : at;
    const evaluation = await evaluateOnce(client, config, {
      ...(evidenceAt === undefined ? { now: wallClock } : { at: evidenceAt }),
      ...(lookbackMs === undefined ? {} : { lookbackMs }),
      signal,
    });
    const alerts = alertsNewestFirst(evaluation.state);
    const escalations = await escalationViews(client, config, secrets, {
      asOf: at ?? null,
      signal,
      warn: (line) => stderr.write(`soc-watch: warning: ${sanitize(line)}\n`),
    });
    const records: AlertRecord[] = alerts.map((alert) =>
      alertRecord(alert, escalations?.get(alert.id) ?? null),
    );

    if (typeof flags.evidence === 'string') {
      const { writeEvidenceFor } = await import('./evidence.js');
      return writeEvidenceFor(context, evaluation, records, flags.evidence);
    }

    const { schema: _schema1, ...snapshot } = evaluation.snapshot;
    const slow = evaluation.slowSnapshot;
    if (flags.json === true) {
      stdout.write(
        `${safeJson(
          {
            schema: 2,
            ...snapshot,
            asOf: at === undefined ? null : new Date(at).toISOString(),
            slowWindow: slow ? slow.window : null,
            alerts: records,
          },
          2,
        )}\n`,
      );
    } else {
      const header = at === undefined ? '' : `AS OF ${formatUtc(at)} ${config.ascii ? '-' : '·'} not live\n`;
      const { lookback } = evaluation;
      const history =
        lookback.steps === 0
          ? 'alert states: one evaluation, no history (every alert is new)\n'
          : `alert states: the detector replayed over the ${formatDuration(lookback.ms)} before (${lookback.steps} polls)\n`;
      stdout.write(
        header +
          formatSnapshotTable(evaluation.snapshot, { ascii: config.ascii }) +
          formatAlertsTable(records, { ascii: config.ascii }) +
          history,
      );
    }
    // No indices or failed shards must not pass for "no attacks": with --json the warnings
    // are in the JSON and repeated on stderr; --strict makes them fail the run.
    const warnings = evaluation.snapshot.warnings ?? [];
    if (flags.json === true)
      for (const warning of warnings) stderr.write(`soc-watch: warning: ${sanitize(warning)}\n`);
    if (flags.strict === true && warnings.length > 0) return 3;
    if (failOn !== undefined) {
      const threshold = severityRank(failOn);
      const hit = records.filter(
        (record) => record.state !== 'closed' && severityRank(record.severity) >= threshold,
      );
      if (hit.length > 0) {
        stderr.write(
          `soc-watch: ${hit.length} alert${hit.length === 1 ? '' : 's'} at or above ${failOn}: ${hit
            .slice(0, 5)
            .map((record) => sanitizeAndTruncate(record.id, 80))
            .join(', ')}${hit.length > 5 ? ', …' : ''}\n`,
        );
        return 3;
      }
    }
    return 0;
  } catch (error) {
    if (!(error instanceof ClusterError)) throw error;
    stderr.write(`soc-watch: ${error.message}\n`);
    return 1;
  } finally {
    await client?.close().catch(() => undefined);
  }
};

// `soc-watch once --evidence <alert id>`: find the alert among the evaluation's and write its
// evidence bundle (source/evidence/write.ts). The evaluation ends at an absolute time (the
// `--at` time, or now), so the `_msearch` in the bundle asks the same question when re-run.
import { sanitize, sanitizeAndTruncate } from '../core/sanitize.js';
import type { AlertRecord } from '../detect/alert-record.js';
import { writeEvidence } from '../evidence/write.js';
import type { Evaluation } from '../replay/evaluate.js';
import { defaultAnalyst } from '../slack/escalator.js';
import type { CommandContext } from './context.js';

export function writeEvidenceFor(
  context: CommandContext,
  evaluation: Evaluation,
  records: readonly AlertRecord[],
  spec: string,
): number {
  const { config, stdout, stderr } = context;
  const wanted = spec.trim();
  const alert =
    records.find((record) => record.id === wanted) ??
    records.find((record) => record.id.toLowerCase() === wanted.toLowerCase());
  if (!alert) {
    stderr.write(`soc-watch: --evidence ${sanitizeAndTruncate(spec, 200)}: no such alert\n`);
    stderr.write(
      records.length === 0
        ? 'No alerts in the window.\n'
        : `Alerts:\n${records
            .slice(0, 15)
            .map((record) => `  ${sanitizeAndTruncate(record.id, 100)}  ${sanitize(record.summary)}`)
            .join('\n')}\n`,
    );
    return 1;
  }
  const result = writeEvidence({
    config,
    alert,
    snapshot: evaluation.snapshot,
    slowSnapshot: evaluation.slowSnapshot,
    at: evaluation.at,
    exportedBy: defaultAnalyst(),
    exportedAt: Date.now(),
    ...(context.configDirectory ? { configDirectory: context.configDirectory } : {}),
  });
  if (!result.ok) {
    stderr.write(`soc-watch: --evidence: ${result.error}\n`);
    return 1;
  }
  stdout.write(
    `evidence for ${sanitizeAndTruncate(alert.id, 100)}:\n  ${result.markdownPath}\n  ${result.jsonPath}\n  sha256 ${result.sha256}\n`,
  );
  return 0;
}

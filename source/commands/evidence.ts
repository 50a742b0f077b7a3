// `soc-watch once --evidence <alert id>`: write the alert's evidence bundle (a Markdown page
// and a JSON document, source/evidence/bundle.ts) to `evidenceDir` (default: `evidence`
// beside the config file), mode 0600 in a 0700 directory, never overwriting a file.
// The evaluation it documents ends at an absolute time (the `--at` time, or now), so the
// `_msearch` in the bundle asks the same question when it is re-run.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSnapshotSearches } from '../cluster/query.js';
import type { ClusterClient, SearchRequest } from '../cluster/types.js';
import type { Config } from '../config/types.js';
import { safeJson } from '../core/json.js';
import { sanitize, sanitizeAndTruncate } from '../core/sanitize.js';
import type { AlertRecord } from '../detect/alert-record.js';
import { buildEvidence, evidenceMarkdown, type Reproduce } from '../evidence/bundle.js';
import type { Evaluation } from '../replay/evaluate.js';
import { defaultAnalyst } from '../slack/escalator.js';
import { discoverUrl } from '../slack/kibana.js';
import type { CommandContext } from './context.js';

/** The searches of the evaluation's one `_msearch`, rebuilt by the same pure builder, and where the alert's numbers are. */
function searchesOf(
  config: Config,
  evaluation: Evaluation,
  alert: AlertRecord,
): { searches: SearchRequest[]; reproduce: Reproduce | null } {
  const searches: SearchRequest[] = [];
  let reproduce: Reproduce | null = null;
  const longMs = evaluation.slowSnapshot?.window.ms ?? null;
  evaluation.fetchWindows.forEach((window, index) => {
    const built = buildSnapshotSearches(config, {
      windowMs: window.windowMs,
      now: evaluation.at,
      ...(window.endAt === undefined ? {} : { endAt: window.endAt }),
      includeCustomRules: window.includeCustomRules ?? index === 0,
    });
    const isAlertWindow =
      index === 0 ? alert.windowMs === null || alert.windowMs !== longMs : alert.windowMs === longMs;
    const service = built.plan.services.find((plan) => plan.service === alert.service);
    if (!reproduce && isAlertWindow && service) {
      if (alert.keyKind === 'ip') {
        reproduce = {
          search: searches.length + service.searches.offenders,
          aggregation: 'offenders',
          bucketKey: alert.key,
          expect: {
            doc_count: alert.failures,
            'u.value (distinct users)': alert.distinctUsers,
            ...(service.hasInvalidUser ? { 'i.doc_count (invalid-user)': alert.invalidUserFailures } : {}),
          },
        };
      } else if (alert.keyKind === 'user') {
        reproduce = {
          search: searches.length + service.searches.users,
          aggregation: 'users',
          bucketKey: alert.key,
          expect: { doc_count: alert.failures, 'ips.value (distinct source IPs)': alert.distinctIps },
        };
      }
    }
    searches.push(...built.searches);
  });
  return { searches, reproduce };
}

function fileStem(alert: AlertRecord, at: number): string {
  const stamp = new Date(at)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const key = sanitize(alert.key)
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(0, 60);
  return `soc-watch-evidence-${alert.rule.replace(/[^A-Za-z0-9-]+/g, '_')}-${alert.service.replace(/[^A-Za-z0-9-]+/g, '_')}-${key}-${stamp}`;
}

export function evidenceDirectory(config: Config, configDirectory: string | undefined): string {
  return resolve(config.evidenceDir || join(configDirectory ?? '.', 'evidence'));
}

export async function writeEvidenceFor(
  context: CommandContext,
  _client: ClusterClient,
  evaluation: Evaluation,
  records: readonly AlertRecord[],
  spec: string,
): Promise<number> {
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
  const { searches, reproduce } = searchesOf(config, evaluation, alert);
  const exportedAt = Date.now();
  const first = alert.firstFailure
    ? Date.parse(alert.firstFailure)
    : Date.parse(evaluation.snapshot.window.from);
  const last = alert.lastFailure ? Date.parse(alert.lastFailure) : evaluation.at;
  const field =
    alert.keyKind === 'ip'
      ? config.fields.sourceIp
      : alert.keyKind === 'user'
        ? config.fields.user
        : undefined;
  const link = config.kibanaUrl
    ? (discoverUrl({
        kibanaUrl: config.kibanaUrl,
        ...(field === undefined ? {} : { field }),
        value: alert.key,
        from: first - 5 * 60_000,
        to: Math.max(first, last) + 5 * 60_000,
      }) ?? null)
    : null;
  const bundle = buildEvidence(
    {
      alert,
      snapshot: evaluation.snapshot,
      slowSnapshot: evaluation.slowSnapshot,
      searches,
      reproduce,
      settings: {
        thresholds: Object.fromEntries(config.services.map((service) => [service.name, service.threshold])),
        windowMs: config.windowMs,
        maxOffenders: config.maxOffenders,
        rules: config.rules,
        allowList: config.allowList,
        customRules: config.customRules,
      },
      kibanaUrl: config.kibanaUrl ?? null,
      exportedBy: defaultAnalyst(),
      exportedAt,
      asOf: evaluation.at,
    },
    link,
  );
  const json = `${safeJson(bundle, 2)}\n`;
  const sha256 = createHash('sha256').update(json).digest('hex');
  const directory = evidenceDirectory(config, context.configDirectory);
  const stem = fileStem(alert, exportedAt);
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const jsonPath = join(directory, `${stem}.json`);
    const mdPath = join(directory, `${stem}.md`);
    writeFileSync(jsonPath, json, { mode: 0o600, flag: 'wx' });
    writeFileSync(mdPath, evidenceMarkdown(bundle, sha256, `${stem}.json`), { mode: 0o600, flag: 'wx' });
    stdout.write(
      `evidence for ${sanitizeAndTruncate(alert.id, 100)}:\n  ${mdPath}\n  ${jsonPath}\n  sha256 ${sha256}\n`,
    );
    return 0;
  } catch (error) {
    stderr.write(
      `soc-watch: --evidence: cannot write to ${directory}: ${sanitize((error as NodeJS.ErrnoException).code ?? (error as Error).message)} (set evidenceDir)\n`,
    );
    return 1;
  }
}

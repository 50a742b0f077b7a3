// Writing an evidence bundle (bundle.ts) for one alert: shared by `once --evidence` and the
// console's `x`. The searches in the bundle are rebuilt by the query builder from the
// snapshots' own windows (absolute `to` and length), which gives byte for byte the bodies
// that produced them: a live window is bucket-aligned, so ending it at its `to` changes
// nothing. Files: `evidenceDir` (default `evidence` beside the config file), directory 0700,
// files 0600, never overwriting one.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSnapshotSearches } from '../cluster/query.js';
import type { SearchRequest } from '../cluster/types.js';
import type { Config } from '../config/types.js';
import type { Snapshot } from '../contracts/snapshot.js';
import { safeJson } from '../core/json.js';
import { sanitize } from '../core/sanitize.js';
import type { AlertRecord } from '../detect/alert-record.js';
import { discoverUrl } from '../slack/kibana.js';
import { buildEvidence, evidenceMarkdown, type Reproduce } from './bundle.js';

export interface EvidenceSource {
  config: Config;
  alert: AlertRecord;
  snapshot: Snapshot;
  slowSnapshot: Snapshot | null;
  /** Detector clock of the evaluation (the `--at` time, or the poll's time). */
  at: number;
  exportedBy: string;
  exportedAt: number;
  configDirectory?: string;
}

export type EvidenceResult =
  | { ok: true; markdownPath: string; jsonPath: string; sha256: string }
  | { ok: false; error: string };

export function evidenceDirectory(config: Config, configDirectory: string | undefined): string {
  return resolve(config.evidenceDir || join(configDirectory ?? '.', 'evidence'));
}

/** The `_msearch` of the snapshots, rebuilt, and where the alert's numbers are in its answer. */
export function evidenceSearches(
  config: Config,
  alert: AlertRecord,
  snapshot: Snapshot,
  slowSnapshot: Snapshot | null,
): { searches: SearchRequest[]; reproduce: Reproduce | null } {
  const searches: SearchRequest[] = [];
  let reproduce: Reproduce | null = null;
  const longMs = slowSnapshot?.window.ms ?? null;
  const windows = [snapshot, ...(slowSnapshot ? [slowSnapshot] : [])];
  windows.forEach((source, index) => {
    const endAt = Date.parse(source.window.to);
    const built = buildSnapshotSearches(config, {
      windowMs: source.window.ms,
      now: endAt,
      endAt,
      includeCustomRules: index === 0,
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
  const safe = (text: string, max: number) =>
    sanitize(text)
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .slice(0, max);
  return `soc-watch-evidence-${safe(alert.rule, 40)}-${safe(alert.service, 30)}-${safe(alert.key, 60)}-${stamp}`;
}

export function writeEvidence(source: EvidenceSource): EvidenceResult {
  const { config, alert, snapshot, slowSnapshot } = source;
  const { searches, reproduce } = evidenceSearches(config, alert, snapshot, slowSnapshot);
  const first = alert.firstFailure ? Date.parse(alert.firstFailure) : Date.parse(snapshot.window.from);
  const last = alert.lastFailure ? Date.parse(alert.lastFailure) : source.at;
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
      snapshot,
      slowSnapshot,
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
      exportedBy: source.exportedBy,
      exportedAt: source.exportedAt,
      asOf: source.at,
    },
    link,
  );
  const json = `${safeJson(bundle, 2)}\n`;
  const sha256 = createHash('sha256').update(json).digest('hex');
  const directory = evidenceDirectory(config, source.configDirectory);
  const stem = fileStem(alert, source.exportedAt);
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const jsonPath = join(directory, `${stem}.json`);
    const markdownPath = join(directory, `${stem}.md`);
    writeFileSync(jsonPath, json, { mode: 0o600, flag: 'wx' });
    writeFileSync(markdownPath, evidenceMarkdown(bundle, sha256, `${stem}.json`), {
      mode: 0o600,
      flag: 'wx',
    });
    return { ok: true, markdownPath, jsonPath, sha256 };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { ok: false, error: `cannot write to ${directory}: ${sanitize(code)} (set evidenceDir)` };
  }
}

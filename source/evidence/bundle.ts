// An evidence bundle: what an analyst hands over about one alert. A JSON document a tool
// reads and a Markdown page a person reads, with the alert, its offender rows and timeline,
// the exact `_msearch` that produced the numbers (re-run it against the same cluster and the
// same buckets give the same counts: the windows have absolute bounds), the settings in
// effect, backend, cluster, index pattern, a Kibana Discover link, who exported it and when.
// Pure: the command (source/commands/evidence.ts) gathers the inputs and writes the files.
// Never holds a secret: the cluster is named by host only and the query by its body.

import type { SearchRequest } from '../cluster/types.js';
import type { NamedCount, Offender, Snapshot, TargetedUser } from '../contracts/snapshot.js';
import { safeJson } from '../core/json.js';
import { sanitize } from '../core/sanitize.js';
import type { AlertRecord } from '../detect/alert-record.js';

export const EVIDENCE_KIND = 'soc-watch-evidence';
export const EVIDENCE_VERSION = 1;

export interface EvidenceWindow {
  name: 'window' | 'slowWindow';
  from: string;
  to: string;
  ms: number;
  bucketMs: number;
}

/** Where in the `_msearch` answer the alert's numbers are, and what they were. */
export interface Reproduce {
  /** 0-based position of the search in the `_msearch` (and of its answer in `responses`). */
  search: number;
  aggregation: 'offenders' | 'users';
  bucketKey: string;
  /** bucket field → value at export: doc_count, and sub-aggregation values. */
  expect: Record<string, number>;
}

export interface EvidenceInput {
  alert: AlertRecord;
  snapshot: Snapshot;
  slowSnapshot: Snapshot | null;
  searches: SearchRequest[];
  reproduce: Reproduce | null;
  settings: Record<string, unknown>;
  kibanaUrl: string | null;
  exportedBy: string;
  exportedAt: number;
  asOf: number;
}

export interface EvidenceBundle {
  kind: typeof EVIDENCE_KIND;
  version: typeof EVIDENCE_VERSION;
  exportedBy: string;
  /** The exporting console's clock (UTC). */
  exportedAt: string;
  /** Detector clock of the evaluation: the windows end here. */
  asOf: string;
  alert: AlertRecord;
  cluster: { backend: string; version: string; cluster: string; indexPattern: string };
  windows: EvidenceWindow[];
  offenders: ({ window: EvidenceWindow['name'] } & Offender)[];
  targetedUsers: ({ window: EvidenceWindow['name'] } & TargetedUser)[];
  /** Failures of the alert's service per bucket of the short window (event time, UTC). */
  timeline: { bucketMs: number; buckets: { start: string; failures: number }[] };
  settings: Record<string, unknown>;
  query: {
    method: 'POST';
    path: '/_msearch';
    /** The request body, exactly as sent (NDJSON: header line, body line, per search). */
    ndjson: string;
    reproduce: Reproduce | null;
  };
  kibanaDiscover: string | null;
}

export function msearchNdjson(searches: readonly SearchRequest[]): string {
  return searches
    .map(
      (search) =>
        `${JSON.stringify({ index: search.index, ...search.header })}\n${JSON.stringify(search.body)}\n`,
    )
    .join('');
}

function windowOf(name: EvidenceWindow['name'], snapshot: Snapshot): EvidenceWindow {
  return { name, ...snapshot.window, bucketMs: snapshot.bucketMs };
}

export function buildEvidence(input: EvidenceInput, kibanaDiscover: string | null): EvidenceBundle {
  const { alert, snapshot, slowSnapshot } = input;
  const windows = [
    windowOf('window', snapshot),
    ...(slowSnapshot ? [windowOf('slowWindow', slowSnapshot)] : []),
  ];
  const offenders: EvidenceBundle['offenders'] = [];
  const targetedUsers: EvidenceBundle['targetedUsers'] = [];
  for (const [name, source] of [
    ['window', snapshot],
    ['slowWindow', slowSnapshot],
  ] as const) {
    const service = source?.services.find((entry) => entry.service === alert.service);
    if (!service) continue;
    if (alert.keyKind === 'ip') {
      const row = service.offenders.find((offender) => offender.ip === alert.key);
      if (row) offenders.push({ window: name, ...row });
    } else if (alert.keyKind === 'user') {
      const row = service.targetedUsers.find((user) => user.user === alert.key);
      if (row) targetedUsers.push({ window: name, ...row });
    }
  }
  const service = snapshot.services.find((entry) => entry.service === alert.service);
  const from = Date.parse(snapshot.window.from);
  return {
    kind: EVIDENCE_KIND,
    version: EVIDENCE_VERSION,
    exportedBy: input.exportedBy,
    exportedAt: new Date(input.exportedAt).toISOString(),
    asOf: new Date(input.asOf).toISOString(),
    alert,
    cluster: {
      backend: snapshot.backend.kind,
      version: snapshot.backend.version,
      cluster: snapshot.cluster,
      indexPattern: snapshot.indexPattern,
    },
    windows,
    offenders,
    targetedUsers,
    timeline: {
      bucketMs: snapshot.bucketMs,
      buckets: (service?.timeline ?? []).map((failures, index) => ({
        start: new Date(from + index * snapshot.bucketMs).toISOString(),
        failures,
      })),
    },
    settings: input.settings,
    query: {
      method: 'POST',
      path: '/_msearch',
      ndjson: msearchNdjson(input.searches),
      reproduce: input.reproduce,
    },
    kibanaDiscover,
  };
}

/** Text from the logs, safe in Markdown: sanitized, Markdown punctuation escaped. */
export function mdText(value: unknown): string {
  return sanitize(value).replace(/([\\`*_{}[\]()<>#+!|~])/g, '\\$1');
}

function named(items: readonly NamedCount[]): string {
  return items.map((item) => `${mdText(item.name)} ${item.count}`).join(', ') || '-';
}

/** The page a person reads. `sha256` is the digest of the JSON file written beside it. */
export function evidenceMarkdown(bundle: EvidenceBundle, sha256: string, jsonFile: string): string {
  const { alert } = bundle;
  const lines = [
    `# Evidence: ${mdText(alert.rule)} on ${mdText(alert.service)} from ${mdText(alert.key)}`,
    '',
    `Exported by ${mdText(bundle.exportedBy)} at ${bundle.exportedAt} (exporting console's clock, UTC).`,
    `Evaluated as of ${bundle.asOf} (UTC): every window below ends there.`,
    '',
    '## Alert',
    '',
    '| field | value |',
    '| --- | --- |',
    `| id | \`${mdText(alert.id)}\` |`,
    `| severity | ${alert.severity} |`,
    `| ATT&CK | ${alert.techniques.map((technique) => `${technique.id} ${mdText(technique.name)}`).join(', ')} |`,
    `| state | ${alert.state} |`,
    `| failures | ${alert.failures} |`,
    `| distinct users | ${alert.distinctUsers} |`,
    `| distinct source IPs | ${alert.distinctIps} |`,
    `| invalid-user failures | ${alert.invalidUserFailures} |`,
    `| first failure (event time) | ${alert.firstFailure ?? '-'} |`,
    `| last failure (event time) | ${alert.lastFailure ?? '-'} |`,
    `| success | ${alert.success ? `${mdText(alert.success.user ?? 'unknown account')} at ${alert.success.at}` : '-'} |`,
    `| threshold / window | ${alert.threshold ?? '-'} / ${alert.windowMs === null ? '-' : `${alert.windowMs / 60_000} min`} |`,
    `| summary | ${mdText(alert.summary)} |`,
    `| escalation | ${'by' in alert.escalation ? `${mdText(alert.escalation.state)} by ${mdText(alert.escalation.by)} at ${alert.escalation.at}` : 'none'} |`,
    '',
    '## Cluster and windows',
    '',
    `${mdText(bundle.cluster.backend)} ${mdText(bundle.cluster.version)} at ${mdText(bundle.cluster.cluster)}, index pattern \`${mdText(bundle.cluster.indexPattern)}\`.`,
    '',
    '| window | from (UTC, inclusive) | to (UTC, exclusive) | bucket |',
    '| --- | --- | --- | --- |',
    ...bundle.windows.map(
      (window) => `| ${window.name} | ${window.from} | ${window.to} | ${window.bucketMs / 1000} s |`,
    ),
    '',
    '## Offender rows',
    '',
  ];
  if (bundle.offenders.length > 0) {
    lines.push(
      '| window | IP | failures | users | invalid-user | first failure | last failure | top users | hosts | origin |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...bundle.offenders.map(
        (row) =>
          `| ${row.window} | ${mdText(row.ip)} | ${row.failures} | ${row.distinctUsers} | ${row.invalidUserFailures} | ${row.firstFailure} | ${row.lastFailure} | ${named(row.topUsers)} | ${named(row.hosts)} | ${mdText([row.country, row.asn === null ? null : `AS${row.asn}`, row.asOrg].filter(Boolean).join(' ') || '-')} |`,
      ),
    );
  } else if (bundle.targetedUsers.length > 0) {
    lines.push(
      '| window | account | failures | source IPs | invalid-user |',
      '| --- | --- | --- | --- | --- |',
      ...bundle.targetedUsers.map(
        (row) =>
          `| ${row.window} | ${mdText(row.user)} | ${row.failures} | ${row.distinctIps} | ${row.invalidUserFailures} |`,
      ),
    );
  } else lines.push('No offender row (the alert is not keyed by a source IP or account).');
  const busy = bundle.timeline.buckets.filter((bucket) => bucket.failures > 0);
  lines.push(
    '',
    `## Timeline (${mdText(alert.service)} failures per ${bundle.timeline.bucketMs / 1000} s bucket of the window, event time UTC; empty buckets omitted)`,
    '',
    ...(busy.length === 0 ? ['none'] : busy.map((bucket) => `- ${bucket.start}: ${bucket.failures}`)),
    '',
    '## Settings in effect',
    '',
    '```json',
    safeJson(bundle.settings, 2),
    '```',
    '',
    '## Reproduce',
    '',
    'Send the body below to the same cluster; credentials come from your environment, never from this file:',
    '',
    '```sh',
    `jq -r .query.ndjson ${jsonFile} | curl -s -XPOST "$ELASTICSEARCH_URL/_msearch" -H 'content-type: application/x-ndjson' --data-binary @-`,
    '```',
    '',
  );
  const reproduce = bundle.query.reproduce;
  if (reproduce) {
    lines.push(
      `The alert's numbers are in \`responses[${reproduce.search}].aggregations.${reproduce.aggregation}.buckets\`, bucket \`${mdText(reproduce.bucketKey)}\`: ${Object.entries(
        reproduce.expect,
      )
        .map(([field, value]) => `${field} = ${value}`)
        .join(', ')}.`,
      '',
    );
  }
  lines.push(
    '```json',
    bundle.query.ndjson.trimEnd(),
    '```',
    '',
    `Kibana Discover: ${bundle.kibanaDiscover ?? 'not configured (set kibanaUrl)'}`,
    '',
    `SHA-256 of ${jsonFile}: \`${sha256}\``,
    '',
  );
  return lines.join('\n');
}

// `soc-watch doctor`: one line per check, ✓ or ✗, and a fix under every ✗. Checks, in order:
// the cluster is reachable, the credentials are accepted, backend and version, cluster health
// (status, an elected master, unassigned shards), each index
// pattern matches indices, each configured field exists with a type the snapshot can
// aggregate on (`_field_caps`), and the failures per service in the window (a real snapshot).
// Exit 0 when every check passes, 1 otherwise. Later checks that depend on an earlier
// failure are listed as skipped (and count as failed).
import { createClusterClient } from '../cluster/client.js';
import { fetchSnapshot } from '../cluster/fetch.js';
import { checkField, parseFieldCaps, wantedFields } from '../cluster/field-check.js';
import { parseClusterHealth } from '../cluster/health.js';
import { clusterName } from '../cluster/redact.js';
import {
  type ClusterClient,
  ClusterError,
  type ClusterErrorKind,
  type ClusterInfo,
} from '../cluster/types.js';
import type { Config, Secrets, ServiceDefinition } from '../config/types.js';
import { formatDuration } from '../core/duration.js';
import { sanitize } from '../core/sanitize.js';
import type { Command } from './context.js';

interface Check {
  ok: boolean;
  name: string;
  detail: string;
  fix?: string;
}

const CONNECT_FIX: Partial<Record<ClusterErrorKind, string>> = {
  unreachable:
    'start the cluster, or set the node URL (--url, ELASTICSEARCH_URL or `soc-watch config set nodes URL`)',
  dns: 'check the host name in the node URL (--url / ELASTICSEARCH_URL) and your DNS',
  timeout: 'check firewalls and proxies between here and the cluster, or raise requestTimeout',
  tls: 'set caFile (the CA PEM) or caFingerprint (SHA-256 of the CA), or use http:// if the cluster has no TLS',
  product: 'point the node URL at Elasticsearch 8/9 or OpenSearch, or set backend to auto',
  'bad-response': 'check that the URL points at the cluster itself, not at Kibana or a proxy page',
};

const AUTH_FIX =
  'set ELASTICSEARCH_API_KEY, or ELASTICSEARCH_USERNAME + ELASTICSEARCH_PASSWORD, or ELASTICSEARCH_BEARER_TOKEN (or their *_FILE forms)';

function authDetail(config: Config, secrets: Secrets): string {
  switch (config.auth.mode) {
    case 'none':
      return 'no credentials (the cluster accepts anonymous requests)';
    case 'apiKey':
      return 'API key accepted';
    case 'bearer':
      return 'bearer token accepted';
    case 'basic':
      return `user ${sanitize(secrets.username ?? config.auth.username ?? '')} accepted`;
  }
}

function backendCheck(info: ClusterInfo): Check {
  const name = info.kind === 'elasticsearch' ? 'Elasticsearch' : 'OpenSearch';
  if (info.version === 'unknown') {
    return {
      ok: true,
      name: 'backend',
      detail: `${name} (version hidden: the user lacks the monitor privilege)`,
    };
  }
  const major = Number.parseInt(info.version, 10);
  const supported = info.kind === 'elasticsearch' ? major === 8 || major === 9 : major >= 1 && major <= 3;
  return supported
    ? { ok: true, name: 'backend', detail: `${name} ${info.version}` }
    : {
        ok: false,
        name: 'backend',
        detail: `${name} ${info.version} is not a supported version (Elasticsearch 8/9, OpenSearch 1–3)`,
        fix: 'upgrade the cluster, or expect queries to fail',
      };
}

async function healthCheck(client: ClusterClient, options: { signal: AbortSignal }): Promise<Check> {
  const name = 'cluster health';
  let answer: { status: number; body: unknown };
  try {
    answer = await client.health(options);
  } catch (error) {
    if (!(error instanceof ClusterError)) throw error;
    return { ok: false, name, detail: error.message };
  }
  const health = parseClusterHealth(answer.status, answer.body);
  if (!health) {
    return { ok: false, name, detail: `unexpected answer (${answer.status}) to GET /_cluster/health` };
  }
  if (health.kind === 'hidden') {
    return { ok: true, name, detail: 'not shown: the user lacks the monitor cluster privilege' };
  }
  if (health.kind === 'no-master') {
    return {
      ok: false,
      name,
      detail: `no elected master (${sanitize(health.reason)}): searches may still answer from a node's last known state, but nothing can be written (escalation records)`,
      fix: 'bring back master-eligible nodes until a majority of them is up',
    };
  }
  const shards = `${health.unassignedShards} unassigned shard${health.unassignedShards === 1 ? '' : 's'}`;
  const nodes = `${health.nodes} node${health.nodes === 1 ? '' : 's'}`;
  const detail = `${health.status}, master elected, ${nodes}, ${shards}`;
  if (health.status === 'red') {
    return {
      ok: false,
      name,
      detail: `${detail}: some primary shards have no copy, so counts can be short`,
      fix: 'bring back the nodes that hold them (GET _cluster/allocation/explain says why a shard is unassigned)',
    };
  }
  return { ok: true, name, detail };
}

/** Services grouped by the index pattern they search. */
function byPattern(config: Config): Map<string, ServiceDefinition[]> {
  const groups = new Map<string, ServiceDefinition[]>();
  for (const service of config.services) {
    const pattern = service.indexPattern ?? config.indexPattern;
    groups.set(pattern, [...(groups.get(pattern) ?? []), service]);
  }
  return groups;
}

async function runChecks(
  config: Config,
  secrets: Secrets,
  signal: AbortSignal,
  emit: (check: Check) => void,
): Promise<void> {
  const options = { signal };
  let client: ClusterClient | undefined;
  const started = performance.now();
  const skip = (...names: string[]) => {
    for (const name of names) emit({ ok: false, name, detail: 'skipped (needs the checks above)' });
  };
  try {
    try {
      client = await createClusterClient(config, secrets, options);
      const info = await client.info(options);
      const elapsed = Math.round(performance.now() - started);
      emit({ ok: true, name: 'reachable', detail: `${client.cluster} answered in ${elapsed} ms` });
      emit({ ok: true, name: 'auth', detail: authDetail(config, secrets) });
      emit(backendCheck(info));
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error;
      if (error.kind === 'auth' || error.kind === 'forbidden') {
        emit({
          ok: true,
          name: 'reachable',
          detail: `${config.nodes.length > 1 ? 'the nodes answer' : 'the node answers'}`,
        });
        emit({
          ok: false,
          name: 'auth',
          detail: error.message,
          fix:
            error.kind === 'auth'
              ? AUTH_FIX
              : 'grant the user read and view_index_metadata on the index pattern',
        });
        skip('backend', 'cluster health', 'index pattern', 'fields', 'failures');
      } else {
        emit({
          ok: false,
          name: 'reachable',
          detail: error.message,
          ...(CONNECT_FIX[error.kind] ? { fix: CONNECT_FIX[error.kind] } : {}),
        });
        skip('auth', 'backend', 'cluster health', 'index pattern', 'fields', 'failures');
      }
      return;
    }

    emit(await healthCheck(client, options));

    for (const [pattern, services] of byPattern(config)) {
      const wanted = wantedFields(services);
      let caps: ReturnType<typeof parseFieldCaps>;
      try {
        caps = parseFieldCaps(
          await client.fieldCaps(
            pattern,
            wanted.flatMap((entry) => [entry.field, `${entry.field}.keyword`]),
            options,
          ),
        );
      } catch (error) {
        if (!(error instanceof ClusterError)) throw error;
        emit({ ok: false, name: 'index pattern', detail: `${sanitize(pattern)}: ${error.message}` });
        continue;
      }
      const names = services.map((service) => service.name).join(', ');
      if (caps.indices.length === 0) {
        emit({
          ok: false,
          name: 'index pattern',
          detail: `${sanitize(pattern)} (${names}) matches no indices`,
          fix: 'set indexPattern (--index) to where Filebeat/Winlogbeat/Elastic Agent write, e.g. logs-*,filebeat-*,winlogbeat-*',
        });
        continue;
      }
      const shown = caps.indices.slice(0, 3).map(sanitize).join(', ');
      const more = caps.indices.length > 3 ? ` and ${caps.indices.length - 3} more` : '';
      emit({
        ok: true,
        name: 'index pattern',
        detail: `${sanitize(pattern)} (${names}) matches ${caps.indices.length} ${caps.indices.length === 1 ? 'index' : 'indices'}: ${shown}${more}`,
      });
      for (const entry of wanted) {
        const result = checkField(entry, caps);
        emit({
          ok: result.ok,
          name: 'field',
          detail: `${result.title}: ${result.detail}`,
          ...(result.fix ? { fix: result.fix } : {}),
        });
      }
    }

    try {
      const snapshot = await fetchSnapshot(client, config, options);
      for (const service of snapshot.services) {
        const extra =
          service.failures === 0
            ? ' (none: if you expect some, check the failure filter and the time field)'
            : '';
        emit({
          ok: true,
          name: 'failures',
          detail: `${sanitize(service.label)}: ${service.failures} in the last ${formatDuration(snapshot.window.ms)} from ${service.distinctIps} source IPs, ${service.successes} successes${extra}`,
        });
      }
      for (const warning of snapshot.warnings ?? []) {
        emit({ ok: false, name: 'failures', detail: sanitize(warning), fix: 'see the field checks above' });
      }
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error;
      emit({
        ok: false,
        name: 'failures',
        detail: `the snapshot query failed: ${error.message}`,
        fix: 'fix the fields reported above (a field of the wrong type makes the query fail)',
      });
    }
  } finally {
    await client?.close().catch(() => undefined);
  }
}

export const doctorCommand: Command = async ({ config, secrets, stdout, signal }) => {
  const [pass, fail] = config.ascii ? ['[ok]', '[!!]'] : ['✓', '✗'];
  let failed = 0;
  stdout.write(`soc-watch doctor: ${sanitize(clusterName(config.nodes))}\n`);
  await runChecks(config, secrets, signal, (check) => {
    if (!check.ok) failed += 1;
    stdout.write(`${check.ok ? pass : fail} ${check.name.padEnd(13)} ${check.detail}\n`);
    if (check.fix) stdout.write(`  ${' '.repeat(13)} fix: ${check.fix}\n`);
  });
  stdout.write(failed === 0 ? 'All checks passed.\n' : `${failed} check${failed === 1 ? '' : 's'} failed.\n`);
  return failed === 0 ? 0 : 1;
};

// Cluster health for `doctor`: status, whether a master is elected, unassigned shards. Pure
// parsing of `GET /_cluster/health` (asked with a short master timeout: a cluster without an
// elected master answers 503 `master_not_discovered_exception`, or on OpenSearch
// `cluster_manager_not_discovered_exception`, once that timeout passes).
import { errorReason } from './errors.js';

export type ClusterHealth =
  | {
      kind: 'ok';
      status: 'green' | 'yellow' | 'red';
      nodes: number;
      unassignedShards: number;
    }
  /** Nobody is elected: the cluster cannot apply any change (writes, new indices, audit records). */
  | { kind: 'no-master'; reason: string }
  /** The user may not read health (needs the `monitor` cluster privilege). */
  | { kind: 'hidden' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NO_MASTER = /master_not_discovered|cluster_manager_not_discovered|no master|no cluster.manager/i;

/** Reads a health answer (status code and body); undefined when it is not a health answer. */
export function parseClusterHealth(status: number, body: unknown): ClusterHealth | undefined {
  if (status === 403) return { kind: 'hidden' };
  const type = isRecord(body) && isRecord(body.error) ? body.error.type : undefined;
  const reason = errorReason(body) ?? '';
  if (status === 503 && (NO_MASTER.test(String(type)) || NO_MASTER.test(reason))) {
    return { kind: 'no-master', reason: reason || String(type) };
  }
  if (status !== 200 || !isRecord(body)) return undefined;
  const { status: colour, number_of_nodes: nodes, unassigned_shards: unassigned } = body;
  if (colour !== 'green' && colour !== 'yellow' && colour !== 'red') return undefined;
  if (typeof nodes !== 'number' || typeof unassigned !== 'number') return undefined;
  return { kind: 'ok', status: colour, nodes, unassignedShards: unassigned };
}

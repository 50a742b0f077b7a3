// Reading cluster health for doctor, from answers real servers gave (ES 8.19 / OpenSearch 2.19:
// a single node; a node of a 3-node cluster that lost its master).
import { describe, expect, it } from 'vitest';
import { parseCatMaster } from '../../scripts/engine/settings.js';
import { parseClusterHealth } from '../../source/cluster/health.js';

describe('parseClusterHealth', () => {
  it('reads status, node count and unassigned shards', () => {
    expect(
      parseClusterHealth(200, {
        cluster_name: 'elasticsearch',
        status: 'yellow',
        timed_out: false,
        number_of_nodes: 1,
        unassigned_shards: 4,
      }),
    ).toEqual({ kind: 'ok', status: 'yellow', nodes: 1, unassignedShards: 4 });
  });

  it('a 503 master_not_discovered (or cluster_manager_not_discovered) is "no master"', () => {
    const es = {
      error: { type: 'master_not_discovered_exception', reason: null, root_cause: [] },
      status: 503,
    };
    expect(parseClusterHealth(503, es)?.kind).toBe('no-master');
    const os = {
      error: { type: 'cluster_manager_not_discovered_exception', reason: 'no cluster-manager' },
      status: 503,
    };
    expect(parseClusterHealth(503, os)).toEqual({ kind: 'no-master', reason: 'no cluster-manager' });
  });

  it('403 is "hidden"; anything else is not a health answer', () => {
    expect(parseClusterHealth(403, {})).toEqual({ kind: 'hidden' });
    expect(parseClusterHealth(503, { error: { type: 'other' } })).toBeUndefined();
    expect(
      parseClusterHealth(200, { status: 'purple', number_of_nodes: 1, unassigned_shards: 0 }),
    ).toBeUndefined();
    expect(parseClusterHealth(200, 'text')).toBeUndefined();
  });
});

describe('parseCatMaster (engine script)', () => {
  it('reads the elected master node name', () => {
    expect(parseCatMaster([{ id: 'x', host: '127.0.0.1', ip: '127.0.0.1', node: 'node-1' }])).toBe('node-1');
    expect(parseCatMaster([])).toBeUndefined();
    expect(parseCatMaster({})).toBeUndefined();
  });
});

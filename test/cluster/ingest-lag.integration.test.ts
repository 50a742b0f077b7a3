// Issue 13 A3 against real Elasticsearch and OpenSearch: each service's newest event (ingest
// lag) rides in the snapshot's `_msearch` and comes from the data over the 7-day lookback, not
// only the window; a service with no event in the lookback reads null (not "0s ago").
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClusterClient } from '../../source/cluster/client.js';
import { fetchSnapshots } from '../../source/cluster/fetch.js';
import type { BackendKind, ClusterClient } from '../../source/cluster/types.js';
import { builtInServices } from '../../source/config/services.js';
import { testConfig } from '../support/config.js';
import { deleteIndices, seedIndex, sshDoc } from '../support/seed.js';

const backends: { kind: BackendKind; url: () => string }[] = [
  { kind: 'elasticsearch', url: () => inject('esUrl') },
  { kind: 'opensearch', url: () => inject('opensearchUrl') },
];
const MINUTE = 60_000;

describe.each(backends)('ingest lag on $kind', ({ kind, url }) => {
  const prefix = `test-lag-${randomUUID().slice(0, 8)}`;
  const now = Date.now();
  // Newest SSH event: a success 40 min ago, outside the 15 min window; older failures before it.
  const newest = now - 40 * MINUTE;
  let client: ClusterClient;
  const config = () =>
    testConfig({ nodes: [url()], indexPattern: `${prefix}-*`, services: builtInServices() });

  beforeAll(async () => {
    await seedIndex(url(), kind, `${prefix}-ssh`, [
      sshDoc({ at: now - 3 * 60 * MINUTE, ip: '192.0.2.1', user: 'root', kind: 'Failed', host: 'h1' }),
      sshDoc({ at: newest, ip: '192.0.2.1', user: 'root', kind: 'Accepted', host: 'h1' }),
      // Older than the 7-day lookback: not seen.
      sshDoc({ at: now - 8 * 24 * 60 * MINUTE, ip: '192.0.2.2', user: 'root', kind: 'Failed', host: 'h1' }),
    ]);
    client = await createClusterClient(config(), {});
  });
  afterAll(async () => {
    await client?.close();
    await deleteIndices(url(), [`${prefix}-ssh`]);
  });

  it('reads each service newest event over the lookback, null where there is none', async () => {
    const [snapshot, slow] = await fetchSnapshots(
      client,
      config(),
      [
        { windowMs: 15 * MINUTE, includeNewest: true },
        { windowMs: 6 * 60 * MINUTE, includeCustomRules: false },
      ],
      { now },
    );
    const byName = Object.fromEntries(snapshot!.services.map((service) => [service.service, service]));
    expect(byName.ssh!.failures).toBe(0);
    expect(byName.ssh!.newestEvent).toBe(new Date(newest).toISOString());
    expect(byName.rdp!.newestEvent).toBeNull();
    // Asked for once per poll: not on the slow window.
    expect(slow!.services.every((service) => !('newestEvent' in service))).toBe(true);
  });
});

// The snapshot against real Elasticsearch and OpenSearch, seeded with a data set whose answers
// are known by construction (test/support/seed.ts). Every field is compared.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClusterClient } from '../../source/cluster/client.js';
import { fetchSnapshot, fetchSnapshots } from '../../source/cluster/fetch.js';
import type { BackendKind, ClusterClient } from '../../source/cluster/types.js';
import { builtInServices } from '../../source/config/services.js';
import type { Snapshot } from '../../source/contracts/snapshot.js';
import { testConfig } from '../support/config.js';
import {
  buildSeed,
  deleteIndices,
  legacyMappings,
  legacyService,
  type Seed,
  SLOW_WINDOW_MS,
  seedCustomRules,
  seedIndex,
  WINDOW_MS,
} from '../support/seed.js';

const backends: { kind: BackendKind; url: () => string }[] = [
  { kind: 'elasticsearch', url: () => inject('esUrl') },
  { kind: 'opensearch', url: () => inject('opensearchUrl') },
];

describe.each(backends)('snapshot on $kind', ({ kind, url }) => {
  const prefix = `test-snap-${randomUUID().slice(0, 8)}`;
  const indices = { ssh: `${prefix}-ssh`, rdp: `${prefix}-rdp`, legacy: `${prefix}-legacy` };
  let seed: Seed;
  let client: ClusterClient;
  const config = () =>
    testConfig({
      nodes: [url()],
      indexPattern: `${prefix}-ssh,${prefix}-rdp`,
      services: [...builtInServices(), legacyService(indices.legacy)],
      customRules: seedCustomRules(indices.ssh),
    });

  beforeAll(async () => {
    seed = buildSeed(Date.now());
    await seedIndex(url(), kind, indices.ssh, seed.docs.ssh);
    await seedIndex(url(), kind, indices.rdp, seed.docs.rdp);
    await seedIndex(url(), kind, indices.legacy, seed.docs.legacy, legacyMappings('keyword'));
    client = await createClusterClient(config(), {});
  });
  afterAll(async () => {
    await client?.close();
    await deleteIndices(url(), Object.values(indices));
  });

  it('detects the backend', async () => {
    expect(client.raw.kind).toBe(kind);
    const info = await client.info();
    expect(info.kind).toBe(kind);
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('matches the seeded truth in every field', async () => {
    const snapshot = await fetchSnapshot(client, config(), { now: seed.now });
    const { took: _took, fetchMs, fetchedAt, services, ...rest } = snapshot;
    expect(rest).toEqual({
      schema: 1,
      backend: { kind, version: (await client.info()).version },
      cluster: new URL(url()).host,
      indexPattern: `${prefix}-ssh,${prefix}-rdp`,
      window: {
        from: new Date(seed.window.from).toISOString(),
        to: new Date(seed.window.to).toISOString(),
        ms: WINDOW_MS,
      },
      bucketMs: 15_000,
      customRules: seed.truth.customRules,
      warnings: [],
    } satisfies Omit<Snapshot, 'took' | 'fetchMs' | 'fetchedAt' | 'services'>);
    for (const service of services) expect(service.shards).toEqual({ total: expect.any(Number), failed: 0 });
    expect(services.every((service) => (service.shards?.total ?? 0) > 0)).toBe(true);
    expect(services.map(({ took: _t, shards: _s, ...service }) => service)).toEqual([
      seed.truth.ssh,
      seed.truth.rdp,
      seed.truth.legacy,
    ]);
    for (const service of services) {
      expect(service.took).toBeGreaterThanOrEqual(0);
      expect(snapshot.took).toBeGreaterThanOrEqual(service.took);
    }
    expect(fetchMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(fetchedAt)).toBeGreaterThan(seed.now - 60_000);
    // Stable JSON: the snapshot survives a round trip unchanged.
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('fetches the slow window in the same round trip', async () => {
    const [fast, slow] = await fetchSnapshots(
      client,
      config(),
      [{ windowMs: WINDOW_MS }, { windowMs: SLOW_WINDOW_MS }],
      { now: seed.now },
    );
    expect(fast?.services[0]?.failures).toBe(seed.truth.ssh.failures);
    expect(slow?.window.ms).toBe(SLOW_WINDOW_MS);
    expect(slow?.bucketMs).toBe(360_000);
    expect(slow?.customRules).toEqual([]);
    for (const name of ['ssh', 'rdp'] as const) {
      const service = slow?.services.find((candidate) => candidate.service === name);
      expect(service?.failures).toBe(seed.truth.slow[name].failures);
      expect(service?.offenders.map((offender) => [offender.ip, offender.failures])).toEqual(
        seed.truth.slow[name].offenders,
      );
      expect(service?.timeline).toHaveLength(60);
      expect(service?.timeline.reduce((sum, count) => sum + count, 0)).toBe(seed.truth.slow[name].failures);
    }
  });

  it('bounds offenders by maxOffenders and says so', async () => {
    const snapshot = await fetchSnapshot(client, testConfig({ ...config(), maxOffenders: 2 }), {
      now: seed.now,
    });
    const ssh = snapshot.services[0];
    expect(ssh?.offenders.map((offender) => offender.ip)).toEqual(['203.0.113.10', '198.51.100.7']);
    expect(ssh?.offendersTruncated).toBe(true);
    expect(ssh?.distinctIps).toBe(4);
    const legacy = snapshot.services[2];
    // Two real IPs plus the folded "-" and "" keys: the two returned are all there is once folded.
    expect(legacy?.offenders.length).toBeLessThanOrEqual(2);
  });

  it('treats an index pattern that matches nothing as no events', async () => {
    const snapshot = await fetchSnapshot(
      client,
      testConfig({ ...config(), indexPattern: `${prefix}-nothing-*`, customRules: [] }),
      {
        now: seed.now,
      },
    );
    const ssh = snapshot.services[0];
    expect(ssh).toMatchObject({ failures: 0, successes: 0, distinctIps: 0, unknownSource: 0, offenders: [] });
    expect(ssh?.timeline).toEqual(new Array(60).fill(0));
    // …but says so (13 A2): no indices is not "no attacks".
    expect(ssh?.shards).toEqual({ total: 0, failed: 0 });
    expect(snapshot.warnings).toContain(`SSH: index pattern ${prefix}-nothing-* matches no indices`);
  });

  it('rejects a mis-typed field with the server reason, not a crash', async () => {
    const broken = testConfig({
      ...config(),
      services: [
        {
          ...legacyService(indices.legacy),
          fields: { ...legacyService(indices.legacy).fields, user: 'message' },
        },
      ],
      customRules: [],
    });
    await expect(fetchSnapshot(client, broken, { now: seed.now })).rejects.toMatchObject({
      kind: 'query',
      message: expect.stringMatching(/\(legacy users search\).*Text fields are not optimised.*\[message\]/s),
    });
  });

  it('aborts an in-flight snapshot', async () => {
    const controller = new AbortController();
    const pending = fetchSnapshot(client, config(), { now: seed.now, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ kind: 'aborted' });
  });
});

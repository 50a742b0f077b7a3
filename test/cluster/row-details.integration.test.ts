// Issue 13 A4 against real Elasticsearch and OpenSearch: the snapshot details only the 25
// busiest IPs and says so (`detailed: false` beyond, never "none"); the row-details search,
// keyed by the IPs of the rows beyond, returns their top users, hosts and origin.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClusterClient } from '../../source/cluster/client.js';
import { fetchSnapshot } from '../../source/cluster/fetch.js';
import { DETAILED_OFFENDERS } from '../../source/cluster/query.js';
import { fetchRowDetails } from '../../source/cluster/row-details.js';
import type { BackendKind, ClusterClient } from '../../source/cluster/types.js';
import { builtInServices } from '../../source/config/services.js';
import { testConfig } from '../support/config.js';
import { deleteIndices, type SeedDoc, seedIndex, sshDoc } from '../support/seed.js';

const backends: { kind: BackendKind; url: () => string }[] = [
  { kind: 'elasticsearch', url: () => inject('esUrl') },
  { kind: 'opensearch', url: () => inject('opensearchUrl') },
];
const IPS = 30;

describe.each(backends)('row details on $kind', ({ kind, url }) => {
  const index = `test-rowdetails-${randomUUID().slice(0, 8)}`;
  const now = Date.now();
  let client: ClusterClient;
  const config = () =>
    testConfig({ nodes: [url()], indexPattern: index, services: builtInServices(), maxOffenders: 50 });

  beforeAll(async () => {
    const docs: SeedDoc[] = [];
    // IP i fails 40 - i times as user-i on host-i: a strict order, so the busiest are known.
    for (let i = 0; i < IPS; i += 1) {
      for (let n = 0; n < 40 - i; n += 1) {
        docs.push(
          sshDoc({
            at: now - 60_000 - n * 1000,
            ip: `192.0.2.${i + 1}`,
            user: `user-${i}`,
            kind: 'Failed',
            host: `host-${i}`,
          }),
        );
      }
    }
    await seedIndex(url(), kind, index, docs);
    client = await createClusterClient(config(), {});
  });
  afterAll(async () => {
    await client?.close();
    await deleteIndices(url(), [index]);
  });

  it('details beyond the busiest come from a search keyed by their IPs', async () => {
    const snapshot = await fetchSnapshot(client, config(), { now });
    const ssh = snapshot.services.find((service) => service.service === 'ssh')!;
    expect(ssh.offenders).toHaveLength(IPS);
    const beyond = ssh.offenders.slice(DETAILED_OFFENDERS);
    expect(ssh.offenders.slice(0, DETAILED_OFFENDERS).every((row) => row.detailed === undefined)).toBe(true);
    expect(beyond.every((row) => row.detailed === false && row.topUsers.length === 0)).toBe(true);

    const ips = beyond.map((row) => row.ip);
    const details = await fetchRowDetails(client, config(), {
      service: 'ssh',
      from: Date.parse(snapshot.window.from),
      to: Date.parse(snapshot.window.to),
      ips: [...ips, '198.51.100.99'],
    });
    for (const ip of ips) {
      const i = Number(ip.split('.')[3]) - 1;
      expect(details.get(ip)).toEqual({
        topUsers: [{ name: `user-${i}`, count: 40 - i }],
        hosts: [{ name: `host-${i}`, count: 40 - i }],
        country: null,
        asn: null,
        asOrg: null,
      });
    }
    // Asked and without failures in the window: fetched, and empty.
    expect(details.get('198.51.100.99')).toEqual({
      topUsers: [],
      hosts: [],
      country: null,
      asn: null,
      asOrg: null,
    });
  });
});

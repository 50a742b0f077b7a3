// Regression: OpenSearch's bulk helper lost a waiter and never settled when a flush timer
// fired while it waited for a free request slot (a fresh cluster's first bulk requests take
// over a second). The proxy is a FAULT-INJECTION STAND-IN that only slows the real servers.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createClusterClient } from '../../source/cluster/client.js';
import { bulkClientConfig, bulkIndex } from '../../source/ingest/bulk.js';
import type { IngestItem } from '../../source/ingest/doc-id.js';
import { BulkParts, sendBulk } from '../../source/ingest/follow/bulk-send.js';
import { testConfig } from '../support/config.js';
import { type FaultProxy, startFaultProxy } from '../support/http-fault-proxy.js';

const backends = [
  { kind: 'elasticsearch' as const, url: () => inject('esUrl') },
  { kind: 'opensearch' as const, url: () => inject('opensearchUrl') },
];

function items(count: number): IngestItem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `doc-${i}`,
    doc: {
      '@timestamp': new Date(1_700_000_000_000 + i * 1000).toISOString(),
      message: `line ${i} ${'x'.repeat(200)}`,
    },
  })) as unknown as IngestItem[];
}

async function* trickle(source: IngestItem[]) {
  for (const [i, item] of source.entries()) {
    if (i % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    yield item;
  }
}

describe.each(backends)('bulk indexing on a slow $kind', ({ kind, url }) => {
  const proxies: FaultProxy[] = [];
  afterAll(async () => {
    for (const proxy of proxies) await proxy.close();
  });

  it.each(['array', 'stream'] as const)(
    'settles and indexes everything (%s input)',
    async (shape) => {
      const proxy = await startFaultProxy(url(), { kind: 'delay', ms: 700 });
      proxies.push(proxy);
      const client = await createClusterClient(testConfig({ nodes: [proxy.url], backend: kind }), {});
      const index = `test-bulk-slow-${randomUUID().slice(0, 8)}`;
      try {
        const docs = items(3000);
        // Small batches and a short flush interval: every request slot fills up and the flush
        // timer fires while the helper waits, which is what used to hang.
        const outcome = await bulkIndex(client, index, shape === 'array' ? docs : trickle(docs), {
          flushBytes: 40_000,
          flushIntervalMs: 100,
          concurrency: 2,
          refresh: true,
        });
        expect(outcome).toMatchObject({ created: 3000, duplicates: 0, rejected: 0 });
        proxy.setMode({ kind: 'forward' });
        expect(await client.count(index)).toBe(3000);
      } finally {
        proxy.setMode({ kind: 'forward' });
        const raw = client.raw;
        if (raw.kind === 'elasticsearch')
          await raw.client.indices.delete({ index, ignore_unavailable: true });
        else await raw.client.indices.delete({ index, ignore_unavailable: true });
        await client.close();
      }
    },
    120_000,
  );

  it('waits for a bulk answer longer than the configured request timeout', async () => {
    // A node answering a bulk in 2.5 s while the configured request timeout is 1 s (as a loaded
    // node answers a few MB in 10-60 s against the default 10 s). Before bulkClientConfig the
    // ingest clients were created with the configured timeout, and the Elasticsearch client's
    // HTTP layer gave up after it whatever the bulk request asked for: each bulk was abandoned
    // and sent again while the node still indexed the first copy.
    const proxy = await startFaultProxy(url(), { kind: 'delay', ms: 2500 });
    proxies.push(proxy);
    const config = testConfig({ nodes: [proxy.url], backend: kind, requestTimeoutMs: 1000 });
    const index = `test-bulk-slow-${randomUUID().slice(0, 8)}`;
    const parts = new BulkParts();
    for (const item of items(50)) parts.add(item.id, JSON.stringify(item.doc), item.doc['@timestamp']);
    const all = Array.from({ length: 50 }, (_, i) => i);
    const plain = await createClusterClient(config, {});
    const client = await createClusterClient(bulkClientConfig(config), {});
    try {
      if (kind === 'elasticsearch') {
        // The cause, on the client as the commands created it before.
        await expect(sendBulk(plain, index, parts, all, { timeoutMs: 60_000 })).rejects.toThrow(/timed out/i);
      }
      const outcome = await sendBulk(client, index, parts, all, { timeoutMs: 60_000 });
      expect(outcome.created + outcome.duplicates).toBe(50);
      expect(outcome.retry).toEqual([]);
    } finally {
      proxy.setMode({ kind: 'forward' });
      await fetch(`${url()}/${index}`, { method: 'DELETE' });
      await plain.close();
      await client.close();
    }
  }, 60_000);
});

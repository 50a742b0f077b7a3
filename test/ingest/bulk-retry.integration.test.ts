// Issue 12 §5: ingest retries what is safe to retry (documents are `create`d with fixed ids,
// so a resent batch cannot duplicate), counts the retries, fails only when they are spent,
// and prints the partial summary when interrupted or when the cluster goes away.
// Real faults where a real server produces them: a server of our own frozen with SIGSTOP
// (timeouts), killed with SIGKILL (a crash). 429 and 503 on demand come from the
// FAULT-INJECTION STAND-IN test/support/http-fault-proxy.ts in front of the shared servers,
// because a healthy real server does not answer those when asked.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClusterClient } from '../../source/cluster/client.js';
import type { ClusterClient } from '../../source/cluster/types.js';
import { bulkIndex } from '../../source/ingest/bulk.js';
import type { IngestItem } from '../../source/ingest/doc-id.js';
import { testConfig } from '../support/config.js';
import { type FaultEngine, faultDrills, leaseFaultEngine } from '../support/fault-engine.js';
import { type FaultProxy, startFaultProxy } from '../support/http-fault-proxy.js';
import { dropIngestIndex, runIngest } from './run-ingest.js';

function items(count: number, offset = 0): IngestItem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `retry-${offset + i}`,
    doc: { '@timestamp': new Date(1_700_000_000_000 + (offset + i) * 1000).toISOString(), message: `m ${i}` },
  })) as unknown as IngestItem[];
}

function sshLine(i: number): string {
  const second = String(i % 60).padStart(2, '0');
  const minute = String(Math.floor(i / 60) % 60).padStart(2, '0');
  return `Jan 12 07:${minute}:${second} web1 sshd[${1000 + i}]: Failed password for root from 192.0.2.${1 + (i % 200)} port ${20000 + i} ssh2\n`;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Generous: the checks are cheap, and a loaded 2-core machine answers many times slower.
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await wait(50);
  }
}

describe.each([
  { kind: 'elasticsearch' as const, url: () => inject('esUrl') },
  { kind: 'opensearch' as const, url: () => inject('opensearchUrl') },
])('bulk retries on $kind (429/503 from the fault-injection stand-in)', ({ kind, url }) => {
  const proxies: FaultProxy[] = [];
  const clients: ClusterClient[] = [];
  const indices: string[] = [];
  afterAll(async () => {
    for (const proxy of proxies) await proxy.close();
    const direct = await createClusterClient(testConfig({ nodes: [url()], backend: kind }), {});
    for (const index of indices) await dropIngestIndex(direct, index);
    await direct.close();
    for (const client of clients) await client.close();
  });

  async function behind(status: number) {
    const proxy = await startFaultProxy(url(), { kind: 'status', status });
    proxies.push(proxy);
    const client = await createClusterClient(testConfig({ nodes: [proxy.url], backend: kind }), {});
    clients.push(client);
    const index = `test-bulk-retry-${randomUUID().slice(0, 8)}`;
    indices.push(index);
    return { proxy, client, index };
  }

  it.each([429, 503])(
    'retries a bulk request answered %i, counts the retries, and indexes everything once',
    async (status) => {
      const { proxy, client, index } = await behind(status);
      // The proxy refuses the first three requests, then the real server answers.
      const heal = until(() => proxy.requests >= 3).then(() => proxy.setMode({ kind: 'forward' }));
      const outcome = await bulkIndex(client, index, items(500), { backoffMs: 50, refresh: true });
      await heal;
      expect(outcome).toMatchObject({ created: 500, duplicates: 0, rejected: 0 });
      expect(outcome.retries).toBeGreaterThanOrEqual(3);
      expect(await client.count(index)).toBe(500);
    },
  );

  it('fails when the retries are spent, saying how many there were', async () => {
    const { client, index } = await behind(503);
    await expect(bulkIndex(client, index, items(10), { backoffMs: 20, maxRetries: 2 })).rejects.toThrow(
      /gave up after 2 retries/,
    );
  });
});

// Not in the shared scope (vitest.config.ts): there is no fault-drill server to lease.
const drill = faultDrills() ? describe : describe.skip;

drill('bulk retries on a real server that hangs and crashes (our own Elasticsearch)', () => {
  let engine: FaultEngine;
  let client: ClusterClient;
  beforeAll(async () => {
    // The run's plain fault-drill server (test/support/fault-engine.ts), leased for this block.
    engine = await leaseFaultEngine('plain');
    client = await createClusterClient(testConfig({ nodes: [engine.url], backend: 'elasticsearch' }), {});
  });
  afterAll(async () => {
    await client?.close();
    await engine?.release();
  });

  it('retries a request that timed out while the server was frozen (SIGSTOP), without duplicates', async () => {
    const index = `test-bulk-stop-${randomUUID().slice(0, 8)}`;
    await bulkIndex(client, index, items(100), { refresh: true });
    await engine.pause();
    const resume = wait(2_500).then(() => engine.resume());
    // The same 100 documents again plus 100 new ones: the frozen server times the request out.
    const outcome = await bulkIndex(client, index, items(200), {
      requestTimeoutMs: 1_000,
      backoffMs: 200,
      refresh: true,
    });
    await resume;
    expect(outcome.retries).toBeGreaterThanOrEqual(1);
    expect(outcome.created + outcome.duplicates).toBe(200);
    expect(outcome.rejected).toBe(0);
    expect(await client.count(index)).toBe(200);
  });

  it('prints the partial summary when interrupted while a request hangs (SIGINT)', async () => {
    const index = `test-bulk-sigint-${randomUUID().slice(0, 8)}`;
    const controller = new AbortController();
    let firstSent = false;
    const stdin = Readable.from(
      (async function* () {
        for (let i = 0; i < 50; i += 1) yield sshLine(i);
        await until(() => firstSent);
        await engine.pause();
        for (let i = 50; i < 80; i += 1) yield sshLine(i);
        await wait(2_500); // the second batch is in flight at the frozen server
        controller.abort(new Error('interrupted by SIGINT'));
      })(),
    );
    const watcher = until(async () => (await client.count(index).catch(() => 0)) >= 50).then(() => {
      firstSent = true;
    });
    const result = await runIngest(engine.url, ['-'], { to: index }, { stdin, signal: controller.signal });
    await engine.resume();
    await watcher;
    expect(result.code).toBe(130);
    expect(result.stdout).toContain(
      `Index ${index}: 50 created, 0 duplicates (already indexed), 0 rejected.`,
    );
    expect(result.stdout).toContain('Not yet sent: 30 event(s)');
    expect(result.stderr).toContain('interrupted');
  });

  it('prints the partial summary and fails when the server crashes mid-run (SIGKILL)', async () => {
    const index = `test-bulk-crash-${randomUUID().slice(0, 8)}`;
    let firstSent = false;
    const stdin = Readable.from(
      (async function* () {
        for (let i = 0; i < 40; i += 1) yield sshLine(i);
        await until(() => firstSent);
        await engine.kill();
        for (let i = 40; i < 65; i += 1) yield sshLine(i);
      })(),
    );
    const watcher = until(async () => (await client.count(index).catch(() => 0)) >= 40).then(() => {
      firstSent = true;
    });
    const result = await runIngest(
      engine.url,
      ['-'],
      { to: index },
      { stdin, dependencies: { bulk: { maxRetries: 3, backoffMs: 100 } } },
    );
    await watcher;
    expect(result.code).toBe(1);
    // Written before the crash: 40 (a slow first request retried shows part of them as duplicates).
    const written = /Index \S+: (\d+) created, (\d+) duplicates/.exec(result.stdout);
    expect(Number(written?.[1]) + Number(written?.[2])).toBe(40);
    expect(Number(/Retried (\d+) time/.exec(result.stdout)?.[1])).toBeGreaterThanOrEqual(3);
    expect(result.stdout).toContain('Not yet sent: 25 event(s)');
    expect(result.stderr).toMatch(/gave up after 3 retries/);
    expect(result.stderr).toContain('run the same command again to finish');
  });
});

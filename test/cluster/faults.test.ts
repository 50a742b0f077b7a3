// Faults, each with a distinct, readable error. Real servers wherever one can produce the
// fault (unreachable port, unknown host, missing index, a secured Elasticsearch for 401/403
// and bearer auth, a server crashed and restarted under a running poller); the fault-injection
// proxy (test/support/http-fault-proxy.ts) only for 429/503, a half-open connection, and the
// same outage on OpenSearch (whose test distribution has no security and which we cut
// through the proxy rather than start a third server).
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pidsWithArgument } from '../../scripts/engine/processes.js';
import { createClusterClient } from '../../source/cluster/client.js';
import { fetchSnapshot } from '../../source/cluster/fetch.js';
import { createPoller, type PollerStatus, type PollResult } from '../../source/cluster/poller.js';
import type { BackendKind } from '../../source/cluster/types.js';
import type { Config, Secrets } from '../../source/config/types.js';
import { testConfig } from '../support/config.js';
import { type FaultEngine, faultDrills, leaseFaultEngine, SECURED_USERS } from '../support/fault-engine.js';
import { type FaultProxy, startFaultProxy } from '../support/http-fault-proxy.js';
import { buildSeed, deleteIndices, seedIndex } from '../support/seed.js';

const backends: { kind: BackendKind; url: () => string }[] = [
  { kind: 'elasticsearch', url: () => inject('esUrl') },
  { kind: 'opensearch', url: () => inject('opensearchUrl') },
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function failure(
  promise: Promise<unknown>,
): Promise<{ kind: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error && 'kind' in error) {
      return {
        kind: String(error.kind),
        message: error.message,
        status: (error as { status?: number }).status,
      };
    }
    throw error;
  }
  throw new Error('expected a failure');
}

/** Run a poller until `until(statuses)` holds (real timers, short intervals). */
function watch(config: Config, client: Awaited<ReturnType<typeof createClusterClient>>) {
  const statuses: PollerStatus[] = [];
  const results: PollResult[] = [];
  const poller = createPoller({
    client,
    config,
    onResult: (result) => results.push(result),
    onStatus: (status) => statuses.push(status),
    backoff: { baseMs: 100, maxMs: 800 },
  });
  // Generous: polls are cheap, and a loaded 2-core machine answers many times slower.
  const waitFor = async (what: string, predicate: () => boolean, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}; statuses: ${JSON.stringify(statuses.map((s) => s.kind))}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  return { poller, statuses, results, waitFor };
}

describe.each(backends)('faults on $kind', ({ kind, url }) => {
  let proxy: FaultProxy;
  const index = `test-faults-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    proxy = await startFaultProxy(url());
    const seed = buildSeed(Date.now());
    await seedIndex(url(), kind, index, seed.docs.ssh);
  });
  afterAll(async () => {
    await proxy?.close();
    await deleteIndices(url(), [index]);
  });

  it('an unreachable port is "unreachable", at detection and per request', async () => {
    const port = await freePort();
    const auto = await failure(createClusterClient(testConfig({ nodes: [`http://127.0.0.1:${port}`] }), {}));
    expect(auto.kind).toBe('unreachable');
    expect(auto.message).toContain(`127.0.0.1:${port}`);
    expect(auto.message).toMatch(/connection refused/);
    const client = await createClusterClient(
      testConfig({ nodes: [`http://127.0.0.1:${port}`], backend: kind }),
      {},
    );
    expect((await failure(client.info())).kind).toBe('unreachable');
    await client.close();
  });

  it('errors name the node that answered or failed, not the whole node list', async () => {
    const dead = await freePort();
    const live = new URL(url()).host;
    const config = testConfig({ nodes: [`http://127.0.0.1:${dead}`, url()], backend: kind });
    const client = await createClusterClient(config, {});
    const rejected = await failure(client.search({ index, body: { query: { no_such_query: {} } } }));
    expect(rejected.kind).toBe('query');
    expect(rejected.message).toContain(`${live} (the last of 2 nodes tried) rejected the query (400)`);
    expect(rejected.message).not.toContain(String(dead));
    await client.close();

    const otherDead = await freePort();
    const nowhere = await createClusterClient(
      testConfig({ nodes: [`http://127.0.0.1:${dead}`, `http://127.0.0.1:${otherDead}`], backend: kind }),
      {},
    );
    const refused = await failure(nowhere.info());
    expect(refused.kind).toBe('unreachable');
    expect(refused.message).toMatch(
      new RegExp(`^cannot connect to 127\\.0\\.0\\.1:(${dead}|${otherDead}) \\(the last of 2 nodes tried\\)`),
    );
    expect(refused.message).not.toContain(',');
    await nowhere.close();
  });

  it('an unknown host is "dns"', async () => {
    const config = testConfig({ nodes: ['http://no-such-host.invalid:9200'], backend: kind });
    const client = await createClusterClient(config, {});
    const error = await failure(fetchSnapshot(client, config));
    expect(error.kind).toBe('dns');
    expect(error.message).toContain('no-such-host.invalid');
    await client.close();
  });

  it('a missing index is "not-found" for a plain search, but "no events" in a snapshot', async () => {
    const client = await createClusterClient(testConfig({ nodes: [url()], backend: kind }), {});
    const error = await failure(client.search({ index: `${index}-missing`, body: { size: 0 } }));
    expect(error.kind).toBe('not-found');
    expect(error.message).toContain(`${index}-missing`);
    const snapshot = await fetchSnapshot(
      client,
      testConfig({ nodes: [url()], indexPattern: `${index}-missing` }),
    );
    expect(snapshot.services.map((service) => service.failures)).toEqual([0, 0]);
    await client.close();
  });

  it.each([
    [401, 'auth', /rejected the credentials/],
    [403, 'forbidden', /refused access/],
    [429, 'rate-limited', /429 Too Many Requests/],
    [503, 'unavailable', /unavailable \(503\)/],
  ])('HTTP %i is "%s" (fault-injection stand-in)', async (status, expected, text) => {
    proxy.setMode({ kind: 'status', status, headers: { 'x-elastic-product': 'Elasticsearch' } });
    try {
      const client = await createClusterClient(testConfig({ nodes: [proxy.url], backend: kind }), {});
      const error = await failure(
        fetchSnapshot(client, testConfig({ nodes: [proxy.url], indexPattern: index })),
      );
      expect(error.kind).toBe(expected);
      expect(error.status).toBe(status);
      expect(error.message).toMatch(text);
      await client.close();
    } finally {
      proxy.setMode({ kind: 'forward' });
    }
  });

  it('a half-open connection is "timeout" (fault-injection stand-in)', async () => {
    proxy.setMode({ kind: 'hang' });
    try {
      const config = testConfig({ nodes: [proxy.url], backend: kind, requestTimeoutMs: 300 });
      const client = await createClusterClient(config, {});
      const started = Date.now();
      const error = await failure(fetchSnapshot(client, config));
      expect(error.kind).toBe('timeout');
      expect(error.message).toMatch(/within 300 ms/);
      // Not a timing target: far below the 60 s a missed timeout would take, even on a loaded machine.
      expect(Date.now() - started).toBeLessThan(30_000);
      await client.close();
    } finally {
      proxy.setMode({ kind: 'forward' });
    }
  });

  it('aborting a request to a hung server returns at once', async () => {
    proxy.setMode({ kind: 'hang' });
    try {
      const config = testConfig({ nodes: [proxy.url], backend: kind, requestTimeoutMs: 60_000 });
      const client = await createClusterClient(config, {});
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = Date.now();
      expect((await failure(fetchSnapshot(client, config, { signal: controller.signal }))).kind).toBe(
        'aborted',
      );
      // Not a timing target: far below the 60 s request timeout it would wait for without the abort.
      expect(Date.now() - started).toBeLessThan(30_000);
      await client.close();
    } finally {
      proxy.setMode({ kind: 'forward' });
    }
  });

  it('never puts credentials in messages', async () => {
    proxy.setMode({ kind: 'status', status: 401 });
    try {
      const secret = 'Sup3r-s3cret-pw';
      const config = testConfig({
        nodes: [`http://intruder:${secret}@127.0.0.1:${proxy.port}`],
        backend: kind,
        auth: { mode: 'basic', username: 'analyst' },
      });
      const client = await createClusterClient(config, { password: secret });
      expect(client.cluster).toBe(`127.0.0.1:${proxy.port}`);
      const error = await failure(client.info());
      expect(error.kind).toBe('auth');
      expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain('intruder');
      await client.close();
    } finally {
      proxy.setMode({ kind: 'forward' });
    }
  });

  it('sends API keys and bearer tokens in the Authorization header', async () => {
    const apiClient = await createClusterClient(
      testConfig({ nodes: [proxy.url], backend: kind, auth: { mode: 'apiKey' } }),
      { apiKey: 'a2V5aWQ6c2VjcmV0' },
    );
    await apiClient.info();
    expect(proxy.lastRequest?.headers.authorization).toBe('ApiKey a2V5aWQ6c2VjcmV0');
    await apiClient.close();
    const bearerClient = await createClusterClient(
      testConfig({ nodes: [proxy.url], backend: kind, auth: { mode: 'bearer' } }),
      { bearerToken: 'tok-123' },
    );
    await bearerClient.info();
    expect(proxy.lastRequest?.headers.authorization).toBe('Bearer tok-123');
    await bearerClient.close();
  });

  it('the poller reports reconnecting while the cluster is cut off and recovers by itself', async () => {
    const config = testConfig({
      nodes: [proxy.url],
      backend: kind,
      indexPattern: index,
      refreshMs: 100,
      // Long: the cut must be what fails the polls, not a slow answer on a loaded machine.
      requestTimeoutMs: 30_000,
    });
    const client = await createClusterClient(config, {});
    const { poller, statuses, results, waitFor } = watch(config, client);
    poller.start();
    await waitFor('live', () => statuses.some((status) => status.kind === 'live'));
    await proxy.cut();
    await waitFor('three reconnect attempts', () =>
      statuses.some((status) => status.kind === 'reconnecting' && status.attempt >= 3),
    );
    const attempts = statuses.flatMap((status) => (status.kind === 'reconnecting' ? [status.attempt] : []));
    expect(attempts.slice(0, 3)).toEqual([1, 2, 3]);
    const first = statuses.find((status) => status.kind === 'reconnecting');
    expect(first && 'error' in first ? first.error.kind : '').toBe('unreachable');
    const before = results.length;
    await proxy.restore();
    await waitFor('live again', () => statuses.at(-1)?.kind === 'live' && results.length > before);
    await poller.stop();
    await client.close();
  });
});

describe.skipIf(!faultDrills())('secured Elasticsearch (real server with security on)', () => {
  let engine: FaultEngine;
  const users = { analyst: SECURED_USERS.analyst, viewer: SECURED_USERS.watcher };
  const basic = (user: { name: string; password: string }): [Config, Secrets] => [
    testConfig({
      nodes: [engine.url],
      auth: { mode: 'basic', username: user.name },
      indexPattern: 'test-secured-*',
    }),
    { password: user.password },
  ];

  beforeAll(async () => {
    // The run's secured fault-drill server (test/support/fault-engine.ts), leased for this block.
    engine = await leaseFaultEngine('secured');
  });
  afterAll(async () => {
    await engine?.release();
  });

  it('basic auth works, and detection works with it', async () => {
    const client = await createClusterClient(...basic(users.analyst));
    expect((await client.info()).kind).toBe('elasticsearch');
    await client.close();
  });

  it('a wrong password is "auth" and the message does not contain it', async () => {
    const [config] = basic(users.analyst);
    const error = await failure(createClusterClient(config, { password: 'wrong-password-42' }));
    expect(error.kind).toBe('auth');
    expect(error.status).toBe(401);
    expect(error.message).not.toContain('wrong-password-42');
  });

  it('no credentials is "auth"', async () => {
    const error = await failure(createClusterClient(testConfig({ nodes: [engine.url] }), {}));
    expect(error.kind).toBe('auth');
  });

  it('a read-only user (no monitor privilege) can take snapshots, and writing is "forbidden"', async () => {
    const client = await createClusterClient(...basic(users.viewer));
    // GET / and node info need `monitor`: the backend still comes from a search's product header.
    expect(await client.info()).toEqual({ kind: 'elasticsearch', version: 'unknown' });
    const snapshot = await fetchSnapshot(client, basic(users.viewer)[0]);
    expect(snapshot.services.map((service) => service.failures)).toEqual([0, 0]);
    const error = await failure(client.createDocument('test-secured-write', 'one', { a: 1 }));
    expect(error.kind).toBe('forbidden');
    expect(error.message).toMatch(/unauthorized|privilege/i);
    await client.close();
  });

  it('a bearer service token works', async () => {
    const client = await createClusterClient(testConfig({ nodes: [engine.url], auth: { mode: 'bearer' } }), {
      bearerToken: engine.serviceToken ?? '',
    });
    expect((await client.info()).kind).toBe('elasticsearch');
    await client.close();
  });

  it('the poller survives the server being killed and started again', async () => {
    const [base, secrets] = basic(users.analyst);
    const config = { ...base, refreshMs: 100, requestTimeoutMs: 30_000 };
    const client = await createClusterClient(config, secrets);
    const { poller, statuses, results, waitFor } = watch(config, client);
    poller.start();
    await waitFor('live', () => statuses.some((status) => status.kind === 'live'));
    await engine.kill();
    // A crash: no process of the server is left, its data stays (start() brings it back).
    expect(pidsWithArgument(engine.instanceDir)).toEqual([]);
    expect(existsSync(join(engine.instanceDir, 'data'))).toBe(true);
    await waitFor('two reconnect attempts', () =>
      statuses.some((status) => status.kind === 'reconnecting' && status.attempt >= 2),
    );
    const before = results.length;
    await engine.start();
    // A restart has taken minutes on a loaded 2-core machine.
    await waitFor('live again', () => statuses.at(-1)?.kind === 'live' && results.length > before, 600_000);
    const attempts = statuses.flatMap((status) => (status.kind === 'reconnecting' ? [status.attempt] : []));
    expect(attempts[0]).toBe(1);
    expect(attempts).toEqual(attempts.map((_, i) => i + 1));
    await poller.stop();
    await client.close();
  }, 900_000);
});

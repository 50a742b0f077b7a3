// npx tsx bench/max-offenders.ts — what `maxOffenders` a cluster still answers. Prints figures;
// asserts nothing. The upper bound of `maxOffenders` (source/config/keys.ts) comes from here.
//
// Data: DISTINCT_IPS source IPs with SSH failures in the window (one each, a second for every
// third IP, a success for every tenth): far more offenders than any sane setting, so every
// size below asks for a full answer. For each size, one real poll (the product's ONE
// _msearch, both built-in services, parsed) and what came back: ok with took/wall/answer
// size, or the cluster's error (kind, status, reason). Between sizes the request circuit
// breaker's estimate is read back, so a near-trip shows up before a trip does.
//
// Cluster: SOC_WATCH_BENCH_ES_URL (e.g. the shared 512 MB-heap test Elasticsearch; OpenSearch
// works too, the backend is detected). The index
// is deleted afterwards.
import { randomUUID } from 'node:crypto';
import { createClusterClient } from '../source/cluster/client.js';
import { fetchSnapshot } from '../source/cluster/fetch.js';
import { ClusterError } from '../source/cluster/types.js';
import { testConfig } from '../test/support/config.js';
import { ECS_MAPPINGS } from '../test/support/seed.js';

const BASE = process.env.SOC_WATCH_BENCH_ES_URL ?? 'http://127.0.0.1:9200';
const DISTINCT_IPS = Number(process.env.BENCH_DISTINCT_IPS ?? 200_000);
const SIZES = (process.env.BENCH_SIZES ?? '1000,5000,10000,20000,32768,50000,100000,1000000,1000000000')
  .split(',')
  .map(Number);
const INDEX = `bench-max-offenders-${randomUUID().slice(0, 8)}`;

const say = (line = '') => process.stdout.write(`${line}\n`);
const fmt = (value: number) => Math.round(value).toLocaleString('en-US');

async function http(method: string, path: string, body?: string, type = 'application/json') {
  const response = await fetch(`${BASE}${path}`, {
    method,
    ...(body !== undefined ? { body, headers: { 'content-type': type } } : {}),
  });
  return { status: response.status, text: await response.text() };
}

function ipOf(i: number): string {
  return `11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

async function seed(now: number): Promise<number> {
  const created = await http(
    'PUT',
    `/${INDEX}`,
    JSON.stringify({
      settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '-1' },
      mappings: ECS_MAPPINGS,
    }),
  );
  if (created.status !== 200) throw new Error(`create ${INDEX}: ${created.text}`);
  const header = `{"create":{"_index":"${INDEX}"}}\n`;
  const line = (i: number, outcome: 'failure' | 'success', offsetMs: number) =>
    `${header}${JSON.stringify({
      '@timestamp': new Date(now - offsetMs).toISOString(),
      event: { action: 'ssh_login', outcome, category: ['authentication'] },
      system: { auth: { ssh: { event: outcome === 'success' ? 'Accepted' : 'Failed' } } },
      user: { name: `user${i % 300}` },
      host: { hostname: `host-${i % 20}` },
      source: { ip: ipOf(i) },
    })}\n`;
  let docs = 0;
  const CHUNK = 5000;
  for (let from = 0; from < DISTINCT_IPS; from += CHUNK) {
    let body = '';
    for (let i = from; i < Math.min(DISTINCT_IPS, from + CHUNK); i++) {
      const offset = 1000 + ((i * 7919) % (13 * 60_000));
      body += line(i, 'failure', offset);
      docs += 1;
      if (i % 3 === 0) {
        body += line(i, 'failure', offset + 500);
        docs += 1;
      }
      if (i % 10 === 0) {
        body += line(i, 'success', offset - 500);
        docs += 1;
      }
    }
    const result = await http('POST', '/_bulk', body, 'application/x-ndjson');
    if (result.status !== 200 || result.text.includes('"errors":true'))
      throw new Error(`bulk: ${result.text.slice(0, 300)}`);
  }
  await http('PUT', `/${INDEX}/_settings`, JSON.stringify({ index: { refresh_interval: '1s' } }));
  await http('POST', `/${INDEX}/_refresh`);
  return docs;
}

async function breaker(): Promise<string> {
  const stats = await http('GET', '/_nodes/stats/breaker,jvm');
  const nodes = Object.values(JSON.parse(stats.text).nodes ?? {}) as {
    breakers: {
      request: { limit_size_in_bytes: number; tripped: number };
      parent: { tripped: number };
    };
    jvm: { mem: { heap_max_in_bytes: number } };
  }[];
  return nodes
    .map(
      (node) =>
        `heap ${fmt(node.jvm.mem.heap_max_in_bytes / 2 ** 20)} MB, request breaker ${fmt(node.breakers.request.limit_size_in_bytes / 2 ** 20)} MB (tripped ${node.breakers.request.tripped}×), parent tripped ${node.breakers.parent.tripped}×`,
    )
    .join('; ');
}

async function main(): Promise<void> {
  const now = Date.now();
  say(`cluster ${BASE}: ${await breaker()}`);
  const started = performance.now();
  const docs = await seed(now);
  say(
    `data: ${fmt(docs)} events from ${fmt(DISTINCT_IPS)} source IPs into ${INDEX} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const client = await createClusterClient(testConfig({ nodes: [BASE], requestTimeoutMs: 300_000 }), {});
  try {
    say('maxOffenders  outcome');
    for (const size of SIZES) {
      const config = testConfig({
        nodes: [BASE],
        indexPattern: INDEX,
        maxOffenders: size,
        requestTimeoutMs: 120_000,
      });
      const t0 = performance.now();
      let outcome: string;
      try {
        const snapshot = await fetchSnapshot(client, config, { now });
        const ssh = snapshot.services.find((service) => service.service === 'ssh');
        outcome = `ok: ${fmt(ssh?.offenders.length ?? 0)} offenders, took ${fmt(snapshot.took)} ms, wall ${fmt(performance.now() - t0)} ms`;
      } catch (error) {
        outcome =
          error instanceof ClusterError
            ? `FAILED ${error.kind}${error.status ? ` ${error.status}` : ''}: ${error.message.slice(0, 220)}`
            : `FAILED: ${String(error).slice(0, 220)}`;
      }
      say(`${fmt(size).padStart(13)}  ${outcome}`);
      say(`${''.padStart(13)}  after: ${await breaker()}`);
    }
  } finally {
    await client.close();
    await http('DELETE', `/${INDEX}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});

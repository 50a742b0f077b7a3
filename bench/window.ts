// npm run bench:window — issue 16: what a console poll costs as the window grows, full query
// (fetchSnapshot: every poll counts the whole window) next to incremental snapshots
// (source/cluster/incremental/: only the slices that can still change are read), and what 1
// versus 10 consoles cost the server, with and without live ingest. Prints figures; asserts
// nothing about time. One run prints everything.
//
//   data     SSH failures spread evenly over the 24 h before the seeding time, from source
//            IPs drawn Zipf-like (rank r with probability ∝ 1/r), users Zipf-like from 300;
//            1 % successes. Default: the issue's 2,000,000 failures from 20,000 IPs; and its
//            15 m goal's 1,000,000 failures in the 15 min before the seeding time. --scale 0.1
//            loads a tenth (IPs scale too, at least 1,000). Loaded in bulk (refresh off,
//            0 replicas, one segment) into indices named after what they hold, kept and reused
//            by later runs (their _meta holds the seeding time); --fresh reloads them.
//   table    per window (15m, 1h, 6h, 24h), the clock is the seeding time (the newest slices
//            hold events at the full rate). Full: the request cache cleared before each poll,
//            medians of --iterations. Incremental: the first poll (answered by the full path
//            while the slices are read in the background: its cost, and the background
//            read's, shown apart), then polls 5 s apart (the default refresh), the cache
//            cleared before each; `took` is the sum over its round trips (they run one after
//            the other). The last incremental snapshot is compared with a full one at the
//            same instant: "equal" says whether every field matched.
//   consoles N consoles (N = 1, 10) polling the 15 m window every 2 s for --console-seconds
//            (default 40) on a clock starting at the seeding time, request cache on (as the
//            product runs); server CPU = the engine process's CPU time (nodes stats
//            process.cpu), minus an idle run of the same length (nothing polling; with
//            ingest: ingest alone). Ingest: 200 events/s, 20 every 100 ms, refresh 1 s; the
//            events ingested are deleted after each run.
//   memory   a child process holding the incremental state of 200,000 distinct source IPs in
//            a 15 m window (60 slices, 1,000,000 failures), each poll replacing the 3 newest
//            slices and merging; RSS after --memory-polls polls (default the issue's 10,000).
//
// Cluster: SOC_WATCH_BENCH_ES_URL (default the shared http://127.0.0.1:9200).
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { launcherCommand } from '../scripts/launcher-command.js';
import { createClusterClient } from '../source/cluster/client.js';
import { fetchSnapshot } from '../source/cluster/fetch.js';
import { createIncrementalSnapshots } from '../source/cluster/incremental/engine.js';
import type { ClusterClient } from '../source/cluster/types.js';
import { keySpec } from '../source/config/keys.js';
import type { Config } from '../source/config/types.js';
import type { Snapshot } from '../source/contracts/snapshot.js';
import { testConfig } from '../test/support/config.js';
import { http, loadIndex } from './bulk-load.mjs';
import { seededRandom } from './seeded-random.mjs';

const HOUR = 3_600_000;
const MINUTE = 60_000;

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};
const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;
const kb = (bytes: number) => (bytes >= 1_048_576 ? mb(bytes) : `${(bytes / 1024).toFixed(0)} KB`);

// ---------- memory child ----------

async function memoryChild(polls: number): Promise<void> {
  const { Dictionary, keywordOrderKey } = await import('../source/cluster/incremental/dictionary.js');
  const { SliceBuilder, releaseSlice } = await import('../source/cluster/incremental/slice-table.js');
  const { parsePairsPage, PAGE_SIZE } = await import('../source/cluster/incremental/slice-query.js');
  const { MergeScratch, mergeSlices } = await import('../source/cluster/incremental/merge.js');
  const scratch = new MergeScratch();
  const { ipSortKey } = await import('../source/core/net.js');
  const IPS = 200_000;
  const PER_SLICE = 16_667; // 1,000,000 failures in 60 slices of 15 s
  const bucketMs = 15_000;
  const random = seededRandom(7);
  const ips = new Dictionary(ipSortKey);
  const users = new Dictionary(keywordOrderKey);
  const slices = new Map<number, ReturnType<InstanceType<typeof SliceBuilder>['finish']>>();
  // Every IP once per window (a permutation spread over the slices), plus repeats. A slice is
  // read as the engine reads it: composite answer pages of up to PAGE_SIZE buckets, parsed
  // JSON objects (as the client hands them over), each page handed to the slice's builder.
  let cursor = 0;
  const sliceAt = (start: number, queriedAt: number) => {
    const builder = new SliceBuilder(start, ips, users);
    for (let from = 0; from < PER_SLICE; from += PAGE_SIZE) {
      const buckets = [];
      for (let i = from; i < Math.min(PER_SLICE, from + PAGE_SIZE); i += 1) {
        const n = i < IPS / 60 ? cursor++ % IPS : Math.floor(IPS * random() ** 3);
        buckets.push({
          key: {
            t: start,
            a: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
            u: `user${Math.floor(300 * random() ** 2)}`,
          },
          doc_count: 1,
          f: { value: start + i },
          l: { value: start + i },
          i: { doc_count: random() < 0.3 ? 1 : 0 },
        });
      }
      parsePairsPage({ p: { buckets } }, 'memory', () => builder);
    }
    return builder.finish(queriedAt, 0);
  };
  let to = 60 * bucketMs;
  for (let s = 0; s < 60; s += 1) slices.set(s * bucketMs, sliceAt(s * bucketMs, to));
  const report: string[] = [];
  const started = performance.now();
  for (let poll = 1; poll <= polls; poll += 1) {
    // Every 3rd poll a new bucket starts and the oldest leaves; the 3 newest are re-read.
    if (poll % 3 === 0) {
      const oldest = to - 60 * bucketMs;
      const leaving = slices.get(oldest);
      if (leaving) releaseSlice(leaving, ips, users);
      slices.delete(oldest);
      to += bucketMs;
    }
    for (let start = to - 3 * bucketMs; start < to; start += bucketMs) {
      const fresh = sliceAt(start, to);
      const old = slices.get(start);
      slices.set(start, fresh);
      if (old) releaseSlice(old, ips, users);
    }
    const merged = mergeSlices(
      slices.values(),
      { from: to - 60 * bucketMs, bucketMs, buckets: 60 },
      ips,
      users,
      {
        maxOffenders: 250,
        detailed: 25,
        hasInvalidUser: true,
      },
      scratch,
    );
    if ([1, polls / 10, polls / 2, polls].includes(poll)) {
      // Retained (after a full collection) apart from RSS, which also holds V8's room for
      // the garbage a poll makes (composite answers parsed into objects, then dropped).
      (globalThis as { gc?: () => void }).gc?.();
      report.push(
        `poll ${poll}: ${merged.distinctIps.toLocaleString('en')} distinct IPs, RSS ${mb(process.memoryUsage().rss)}, retained heap ${mb(process.memoryUsage().heapUsed)} + typed arrays ${mb(process.memoryUsage().arrayBuffers)}`,
      );
    }
  }
  report.push(
    `${polls.toLocaleString('en')} polls in ${((performance.now() - started) / 1000).toFixed(0)} s (each: 3 slices of 16,667 composite buckets parsed from answer pages, 60 slices merged)`,
  );
  process.stdout.write(`${report.join('\n')}\n`);
}

// ---------- data ----------

interface DataSet {
  index: string;
  failures: number;
  ips: number;
  /** The events end here (the newest is 1 ms before) and span `spanMs` back. */
  seededAt: number;
  spanMs: number;
}

/**
 * The seeded index, reused by name when a previous run left it complete (its _meta says what
 * it holds and when it was seeded); otherwise (re)loaded in bulk, refresh off, 0 replicas.
 */
async function seeded(base: string, set: Omit<DataSet, 'seededAt'>, fresh: boolean): Promise<DataSet> {
  const meta = { failures: set.failures, ips: set.ips, spanMs: set.spanMs, layout: 2 };
  if (!fresh) {
    const found = await http(base, 'GET', `/${set.index}/_mapping`);
    if (found.status === 200) {
      const held = (found.json()[set.index] as { mappings?: { _meta?: Record<string, unknown> } } | undefined)
        ?.mappings?._meta;
      const count = (await http(base, 'GET', `/${set.index}/_count`)).json().count;
      if (
        held &&
        typeof held.seededAt === 'number' &&
        count === set.failures &&
        Object.entries(meta).every(([key, value]) => held[key] === value)
      ) {
        say(
          `data: reusing ${set.index} (${set.failures.toLocaleString('en')} events, seeded ${new Date(held.seededAt).toISOString()})`,
        );
        return { ...set, seededAt: held.seededAt };
      }
    }
  }
  const full: DataSet = { ...set, seededAt: Date.now() };
  const random = seededRandom(16);
  const started = performance.now();
  await loadIndex(base, full.index, full.failures, { ...meta, seededAt: full.seededAt }, (i) =>
    docLine(i, random, full),
  );
  say(
    `data: loaded ${full.failures.toLocaleString('en')} SSH events into ${full.index} in ${((performance.now() - started) / 1000).toFixed(0)} s (bulk, refresh off, 0 replicas, then 1 segment)`,
  );
  return full;
}

function docLine(i: number, random: () => number, set: DataSet): string {
  const rank = Math.floor(Math.exp(random() * Math.log(set.ips + 1))) - 1; // Zipf-like, 0-based
  const ip = `${11 + (rank % 200)}.${(rank >> 8) & 255}.${rank & 255}.${((rank * 7) % 254) + 1}`;
  const user = `user${Math.floor(300 * random() ** 2)}`;
  const at = new Date(set.seededAt - Math.floor((i / set.failures) * set.spanMs) - 1).toISOString();
  const success = random() < 0.01;
  const kind = success ? 'Accepted' : random() < 0.3 ? 'Invalid' : 'Failed';
  return `{"@timestamp":"${at}","event":{"action":"ssh_login","outcome":"${success ? 'success' : 'failure'}"},"system":{"auth":{"ssh":{"event":"${kind}"}}},"user":{"name":"${user}"},"host":{"hostname":"host-${rank % 20}"},"source":{"ip":"${ip}"}}`;
}

// ---------- clients ----------

/** The client, counting the bytes of every `_msearch` answer (re-serialised JSON). */
function counting(client: ClusterClient): { client: ClusterClient; take(): number } {
  let bytes = 0;
  const wrapped = new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'msearch')
        return async (...args: Parameters<ClusterClient['msearch']>) => {
          const answer = await target.msearch(...args);
          bytes += Buffer.byteLength(JSON.stringify(answer));
          return answer;
        };
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    client: wrapped,
    take() {
      const taken = bytes;
      bytes = 0;
      return taken;
    },
  };
}

/**
 * Without timings and distinct IPs (above 3,000 the full query's count is the cardinality
 * aggregation's estimate, the incremental one exact: both are shown). With `truncated`
 * (more IPs than maxOffenders), also without offenders' success-after-failure fields: the
 * full query samples successes for the top IPs by failures and successes, so an offender
 * outside that ranking reads 0 there; the incremental path samples every offender shown
 * (as test/cluster/incremental.integration.test.ts compares them).
 */
function comparable(snapshot: Snapshot, truncated: boolean): unknown {
  const { took: _t, fetchMs: _f, fetchedAt: _a, services, ...rest } = snapshot;
  return {
    ...rest,
    services: services.map(({ took: _took, distinctIps: _d, ...service }) =>
      truncated && service.offendersTruncated
        ? {
            ...service,
            // Distinct IPs per user: the full query's cardinality is an estimate above 3,000.
            targetedUsers: service.targetedUsers.map(({ distinctIps: _i, ...user }) => user),
            offenders: service.offenders.map(
              ({ successesAfterFailure: _s, firstSuccessAfterFailure: _f2, successUser: _u, ...offender }) =>
                offender,
            ),
          }
        : service,
    ),
  };
}

/** Paths where two values differ (at most `limit`). */
function differences(a: unknown, b: unknown, path = '', out: string[] = [], limit = 3): string[] {
  if (out.length >= limit || isDeepStrictEqual(a, b)) return out;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys)
      differences(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${path}.${key}`,
        out,
        limit,
      );
    return out;
  }
  out.push(`${path}: ${JSON.stringify(a)?.slice(0, 60)} vs ${JSON.stringify(b)?.slice(0, 60)}`);
  return out;
}

/** "yes" when every field matches, "yes*" when all but the full query's approximations do. */
function equality(incremental: Snapshot | undefined, full: Snapshot | undefined): string {
  if (!incremental || !full) return 'n/a';
  const same = isDeepStrictEqual(comparable(incremental, false), comparable(full, false));
  const sameTruncated = isDeepStrictEqual(comparable(incremental, true), comparable(full, true));
  const exact = incremental.services[0]?.distinctIps ?? 0;
  const estimate = full.services[0]?.distinctIps ?? 0;
  const ips =
    exact === estimate
      ? ''
      : ` (distinct IPs: ${exact.toLocaleString('en')} exact vs ≈${estimate.toLocaleString('en')})`;
  const verdict = same
    ? 'yes'
    : sameTruncated
      ? "yes* (differs only where the full query approximates: users' distinct IPs above 3,000, successes after failure beyond its success sample)"
      : `NO: ${differences(comparable(incremental, true), comparable(full, true)).join('; ')}`;
  return `${verdict}${ips}`;
}

// ---------- table ----------

interface Row {
  label: string;
  windowMs: number;
  set: DataSet;
  config: Config;
}

async function table(base: string, client: ClusterClient, rows: Row[], iterations: number) {
  const counted = counting(client);
  say(
    '| window | failures in window | full took | full client | full bytes | incr. took Σ | incr. client | incr. bytes | incr. slices read | incr. first poll = full path (took / client) | background read (slices, took Σ, wall) | incr. state | RSS | equal |',
  );
  say('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const { label, windowMs, set, config } of rows) {
    const clearCache = () => http(base, 'POST', `/${set.index}/_cache/clear?request=true`);
    const now = set.seededAt;
    const full = { took: [] as number[], wall: [] as number[], bytes: [] as number[] };
    let fullSnapshot: Snapshot | undefined;
    for (let i = 0; i < iterations; i += 1) {
      await clearCache();
      counted.take();
      const started = performance.now();
      fullSnapshot = await fetchSnapshot(counted.client, config, { windowMs, now });
      full.wall.push(performance.now() - started);
      full.took.push(fullSnapshot.took);
      full.bytes.push(counted.take());
    }
    const engine = createIncrementalSnapshots(counted.client, config);
    const firstAt = now - iterations * 5_000;
    await clearCache();
    counted.take();
    let started = performance.now();
    await engine.fetch(windowMs, { now: firstAt });
    const first = { took: engine.stats().lastTookSum, wall: performance.now() - started };
    await engine.settled();
    const fill = engine.stats().lastFill;
    counted.take();
    const incr = { took: [] as number[], wall: [] as number[], bytes: [] as number[], read: [] as number[] };
    let last: Snapshot | undefined;
    let inFull = 0;
    for (let i = 1; i <= iterations; i += 1) {
      await clearCache();
      started = performance.now();
      last = await engine.fetch(windowMs, { now: firstAt + i * 5_000 });
      incr.wall.push(performance.now() - started);
      incr.took.push(engine.stats().lastTookSum);
      incr.bytes.push(counted.take());
      incr.read.push(engine.stats().lastSlicesRead);
      if (engine.stats().lastAnsweredInFull) inFull += 1;
    }
    const equal = equality(last, fullSnapshot);
    const stats = engine.stats();
    say(
      `| ${label} | ${(fullSnapshot?.services[0]?.failures ?? 0).toLocaleString('en')} | ${Math.round(median(full.took))} ms | ${Math.round(median(full.wall))} ms | ${kb(median(full.bytes))} | ${Math.round(median(incr.took))} ms | ${Math.round(median(incr.wall))} ms | ${kb(median(incr.bytes))} | ${median(incr.read)}${inFull > 0 ? ` (${inFull} polls full path)` : ''} | ${Math.round(first.took)} / ${Math.round(first.wall)} ms | ${fill.slices}, ${fill.tookSum} ms, ${(fill.ms / 1000).toFixed(1)} s | ${mb(stats.bytes)}, ${stats.ips.toLocaleString('en')} IPs | ${mb(process.memoryUsage().rss)} | ${equal} |`,
    );
  }
}

// ---------- consoles ----------

async function engineCpuMs(base: string): Promise<number> {
  const stats = (await http(base, 'GET', '/_nodes/_local/stats/process')).json() as {
    nodes: Record<string, { process: { cpu: { total_in_millis: number } } }>;
  };
  return Object.values(stats.nodes)[0]?.process.cpu.total_in_millis ?? 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function consoles(
  base: string,
  client: ClusterClient,
  config: Config,
  set: DataSet,
  mode: 'none' | 'full' | 'incremental',
  count: number,
  seconds: number,
  ingest: boolean,
): Promise<{ cpuMs: number; polls: number }> {
  let stop = false;
  let polls = 0;
  const deadline = Date.now() + seconds * 1000;
  // The console's clock runs from the seeding time (a reused index was seeded earlier), so
  // the 15 m window holds the seeded rate, and ingested events are stamped on that clock.
  const shift = set.seededAt - Date.now();
  const clock = () => Date.now() + shift;
  const runConsole = async () => {
    const engine = createIncrementalSnapshots(client, config);
    while (!stop && Date.now() < deadline) {
      if (mode === 'full') await fetchSnapshot(client, config, { windowMs: 15 * MINUTE, now: clock() });
      else await engine.fetch(15 * MINUTE, { now: clock() });
      polls += 1;
      await sleep(2_000);
    }
  };
  let sent = 0;
  const ingestLoop = async () => {
    const random = seededRandom(sent + 1);
    while (!stop && Date.now() < deadline) {
      const tick = Date.now();
      let body = '';
      for (let i = 0; i < 20; i += 1) {
        const line = docLine(0, random, { ...set, seededAt: clock() + 1 });
        body += `{"create":{"_index":"${set.index}"}}\n${line}\n`;
      }
      await http(base, 'POST', '/_bulk', body, 'application/x-ndjson');
      sent += 20;
      await sleep(Math.max(0, 100 - (Date.now() - tick)));
    }
  };
  const before = await engineCpuMs(base);
  const tasks: Promise<void>[] = [];
  if (ingest) tasks.push(ingestLoop());
  if (mode !== 'none') for (let i = 0; i < count; i += 1) tasks.push(runConsole());
  if (tasks.length === 0) await sleep(seconds * 1000);
  await Promise.all(tasks);
  stop = true;
  const after = await engineCpuMs(base);
  // The events ingested are removed, so every run starts from the same index.
  if (ingest) {
    await http(base, 'POST', `/${set.index}/_refresh`);
    await http(
      base,
      'POST',
      `/${set.index}/_delete_by_query?refresh=true`,
      JSON.stringify({ query: { range: { '@timestamp': { gte: new Date(set.seededAt).toISOString() } } } }),
    );
  }
  return { cpuMs: after - before, polls };
}

// ---------- late arrivals ----------

/** Event time → searchable: one event stamped now, bulk-indexed (refresh 1 s), counted until seen. */
async function lag(base: string, samples = 15): Promise<string> {
  const index = `bench-soc-watch-window-lag-${process.pid}`;
  await http(
    base,
    'PUT',
    `/${index}`,
    JSON.stringify({
      settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '1s' },
      mappings: { properties: { '@timestamp': { type: 'date' }, n: { type: 'long' } } },
    }),
  );
  const lags: number[] = [];
  try {
    for (let n = 0; n < samples; n += 1) {
      const at = Date.now();
      const line = `{"create":{"_index":"${index}"}}\n{"@timestamp":${at},"n":${n}}\n`;
      await http(base, 'POST', '/_bulk', line, 'application/x-ndjson');
      while ((await http(base, 'GET', `/${index}/_count?q=n:${n}`)).json().count === 0) await sleep(50);
      lags.push(Date.now() - at);
      await sleep(300);
    }
  } finally {
    await http(base, 'DELETE', `/${index}`);
  }
  lags.sort((a, b) => a - b);
  return `event time → searchable (bulk, refresh 1 s), ${samples} samples: min ${lags[0]} ms, median ${median(lags)} ms, max ${lags[lags.length - 1]} ms (margin: 30 s)`;
}

// ---------- main ----------

const load = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  if (process.argv.includes('--memory-child')) {
    await memoryChild(flag('memory-polls', 10_000));
    return;
  }
  const scale = flag('scale', 1);
  const iterations = flag('iterations', 7);
  const consoleSeconds = flag('console-seconds', 40);
  const memoryPolls = flag('memory-polls', 10_000);
  const fresh = process.argv.includes('--fresh');
  const base = process.env.SOC_WATCH_BENCH_ES_URL ?? 'http://127.0.0.1:9200';
  say(`load average at start: ${load()}`);
  const failures = Math.round(2_000_000 * scale);
  const ips = Math.max(1_000, Math.round(20_000 * scale));
  const configFor = (index: string) =>
    testConfig({
      nodes: [base],
      indexPattern: index,
      maxOffenders: Number(keySpec('maxOffenders')?.default),
    });
  const client = await createClusterClient(configFor('bench-soc-watch-window-*'), {});
  const info = await client.info();
  say(`bench:window — ${info.kind} ${info.version} at ${base}, ${new Date().toISOString()}`);
  say(
    `NOTE: measured on a shared 2-core machine loaded by other work running at the same time (other test suites on the same engine); figures are noisy, compare columns of one run.`,
  );
  try {
    // The issue's data: 2,000,000 failures over 24 h from 20,000 IPs; and its 15 m goal's:
    // 1,000,000 failures in the last 15 min (same IPs).
    const day = await seeded(
      base,
      { index: `bench-soc-watch-window-24h-${failures}-${ips}`, failures, ips, spanMs: 24 * HOUR },
      fresh,
    );
    const burstFailures = Math.round(1_000_000 * scale);
    const burst = await seeded(
      base,
      {
        index: `bench-soc-watch-window-15m-${burstFailures}-${ips}`,
        failures: burstFailures,
        ips,
        spanMs: 15 * MINUTE,
      },
      fresh,
    );
    say(
      `data: SSH events (99 % failures), source IPs Zipf-like (rank r with probability ∝ 1/r), 1 shard, 1 segment`,
    );
    say();
    say(
      `## Poll cost by window (clock = seeding time; medians of ${iterations}; request cache cleared before each poll)`,
    );
    say(
      'Incremental: the first poll is answered by the full path while the slices are read in the background (shown apart); then polls 5 s apart.',
    );
    const dayConfig = configFor(day.index);
    await table(
      base,
      client,
      [
        ...(
          [
            ['15m', 15 * MINUTE],
            ['1h', HOUR],
            ['6h', 6 * HOUR],
            ['24h', 24 * HOUR],
          ] as const
        ).map(([label, windowMs]) => ({ label, windowMs, set: day, config: dayConfig })),
        { label: '15m (1M in 15 m)', windowMs: 15 * MINUTE, set: burst, config: configFor(burst.index) },
      ],
      iterations,
    );
    say();
    say('## Late arrivals');
    say(await lag(base));
    say();
    say(
      `## Server CPU: consoles polling the 15m window of ${day.index} every 2 s for ${consoleSeconds} s (engine process CPU, nodes stats)`,
    );
    say('| ingest | consoles | full: CPU s (− idle) | full polls | incr.: CPU s (− idle) | incr. polls |');
    say('|---|---:|---:|---:|---:|---:|');
    for (const ingest of [false, true]) {
      const idle = await consoles(base, client, dayConfig, day, 'none', 0, consoleSeconds, ingest);
      const rows: string[][] = [];
      for (const count of [1, 10]) {
        const full = await consoles(base, client, dayConfig, day, 'full', count, consoleSeconds, ingest);
        const incr = await consoles(
          base,
          client,
          dayConfig,
          day,
          'incremental',
          count,
          consoleSeconds,
          ingest,
        );
        const net = (run: { cpuMs: number }) => ((run.cpuMs - idle.cpuMs) / 1000).toFixed(1);
        rows.push([
          ingest ? '200/s' : 'none',
          String(count),
          `${(full.cpuMs / 1000).toFixed(1)} (${net(full)})`,
          String(full.polls),
          `${(incr.cpuMs / 1000).toFixed(1)} (${net(incr)})`,
          String(incr.polls),
        ]);
      }
      say(`(idle, ${ingest ? 'ingest only' : 'nothing polling'}: ${(idle.cpuMs / 1000).toFixed(1)} CPU s)`);
      for (const row of rows) say(`| ${row.join(' | ')} |`);
    }
  } finally {
    await client.close();
  }
  say();
  // The child runs node as the product does (the launcher's shebang: flags and environment).
  const launcher = launcherCommand(new URL('../bin/soc-watch.js', import.meta.url));
  say(
    `## Memory: incremental state for 200,000 distinct IPs in a 15m window (child process, no cluster; run as the launcher runs node: ${launcher.text})`,
  );
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      ...launcher.flags,
      '--expose-gc',
      fileURLToPath(import.meta.url),
      '--memory-child',
      '--memory-polls',
      String(memoryPolls),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, ...launcher.env } },
  );
  say((child.stdout || child.stderr).trim());
  say();
  say(`load average at end: ${load()}`);
}

await main();

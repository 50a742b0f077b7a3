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
//   table    per window (15m, 1h, 6h, 24h). Full: the clock is the seeding time (the newest
//            slices hold events at the full rate), the request cache cleared before each
//            poll, medians of --iterations. Incremental: live, as the console polls: a clock
//            starting at the seeding time, events arriving at the set's own rate (its
//            failures over its span) into the index (refresh 1 s; deleted after the row,
//            the full polls of every row are timed first, on the index as seeded, and it is
//            force-merged to one segment again at the end); the first poll (answered by the full path while the
//            slices are read in the background: its cost, and the background read's, shown
//            apart), two polls not measured, then --iterations polls every 5 s on the wall
//            clock, the cache cleared before each; `took` is the sum over its round trips
//            (they run one after the other). After the ingest stops, an incremental snapshot
//            is compared with a full one at the same instant: "equal" says whether every
//            field matched (and where the full query approximates, see equality()).
//   consoles N consoles (N = 1, 10) polling the 15 m window every 2 s on the console's
//            schedule (the next multiple of 2 s on the wall clock) for --console-seconds
//            (default 40) after each has made its first poll, on a clock starting at the
//            seeding time, request cache on (as the product runs); server CPU = the engine
//            process's CPU time (nodes stats process.cpu), minus an idle run of the same
//            length (nothing polling; with ingest: ingest alone). Ingest: 200 events/s into
//            the index, refresh 1 s, deleted after each run. Full, incremental, and
//            incremental shared (share/shared-polls.ts: consoles on one host, one polls for
//            all over a Unix socket). Each cell is the median of --console-repeats runs
//            (default 3, taken in turn; the range of CPU − idle in brackets): with ingest,
//            one run's figure moved by ±1.5 CPU s between runs (segment merges, refreshes).
//            --consoles-only: the data and this section alone.
//   memory   a child process (window-memory.mts, against dist/ under plain node, as the
//            launcher runs it) holding the incremental state of 200,000 distinct source IPs
//            in a 15 m window (1,000,000 failures) as the engine polls at steady state; RSS
//            after --memory-polls polls (default the issue's 10,000). --memory-only: just it.
//
// Cluster: SOC_WATCH_BENCH_ES_URL (default the shared http://127.0.0.1:9200).
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { launcherCommand } from '../scripts/launcher-command.js';
import { createClusterClient } from '../source/cluster/client.js';
import { fetchSnapshot } from '../source/cluster/fetch.js';
import {
  createIncrementalSnapshots,
  type IncrementalSnapshots,
} from '../source/cluster/incremental/engine.js';
import { nextPollDelay } from '../source/cluster/poller.js';
import { createSharedPolls } from '../source/cluster/share/shared-polls.js';
import type { ClusterClient } from '../source/cluster/types.js';
import { keySpec } from '../source/config/keys.js';
import type { Config } from '../source/config/types.js';
import type { Snapshot } from '../source/contracts/snapshot.js';
import { clusterAuditStore } from '../source/slack/audit-store.js';
import { SYNC_HORIZON_MS } from '../source/slack/escalator.js';
import { testConfig } from '../test/support/config.js';
import { http, loadIndex } from './bulk-load.mjs';
import { plainNodeChild } from './plain-node-child.mjs';
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

const ROOT = new URL('../', import.meta.url);

/** The memory child (window-memory.mts, seeded-random.mts) as plain JavaScript, as bench/render.tsx's. */
const writeMemoryChild = () =>
  plainNodeChild(['seeded-random.mts', 'window-memory.mts'], 'window-memory.mts');

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

// ---------- live ingest ----------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Removes what a run's live ingest added to the seeded index (events after its seeding
 * time), so every run starts from the same data. The full query stays exact: one shard.
 */
async function dropIngested(base: string, set: DataSet): Promise<void> {
  await http(base, 'POST', `/${set.index}/_refresh`);
  await http(
    base,
    'POST',
    `/${set.index}/_delete_by_query?refresh=true&conflicts=proceed`,
    JSON.stringify({ query: { range: { '@timestamp': { gte: new Date(set.seededAt).toISOString() } } } }),
  );
}

/** One segment again after a run's ingest and deletes (full polls are timed on the index as seeded). */
async function compact(base: string, set: DataSet): Promise<void> {
  await http(base, 'POST', `/${set.index}/_forcemerge?max_num_segments=1`);
}

/**
 * Events at `rate` a second into `index`, stamped on `clock` (spread over each 100 ms batch),
 * as a shipper sends them; searchable after the index's 1 s refresh.
 */
function ingest(base: string, index: string, set: DataSet, rate: number, clock: () => number) {
  let stopped = false;
  let sent = 0;
  const random = seededRandom(99);
  const loop = (async () => {
    let last = clock();
    let owed = 0;
    while (!stopped) {
      const tick = Date.now();
      const at = clock();
      owed += (rate * (at - last)) / 1000;
      const n = Math.floor(owed);
      owed -= n;
      let body = '';
      for (let i = 0; i < n; i += 1) {
        const stamp = last + Math.floor(((i + 1) / n) * (at - last));
        body += `{"create":{"_index":"${index}"}}\n${docLine(0, random, { ...set, seededAt: stamp + 1 })}\n`;
      }
      last = at;
      if (body) {
        await http(base, 'POST', '/_bulk', body, 'application/x-ndjson');
        sent += n;
      }
      await sleep(Math.max(0, 100 - (Date.now() - tick)));
    }
  })();
  return {
    async stop(): Promise<number> {
      stopped = true;
      await loop;
      return sent;
    },
  };
}

// ---------- table ----------

interface Row {
  label: string;
  windowMs: number;
  set: DataSet;
  config: Config;
}

/** Failures a second in the set (its count over its span): the rate of the live ingest. */
const rateOf = (set: DataSet) => set.failures / (set.spanMs / 1000);

async function table(base: string, client: ClusterClient, rows: Row[], iterations: number) {
  const counted = counting(client);
  say(
    '| window | failures in window | full took | full client | full bytes | incr. took Σ | incr. client | incr. bytes | incr. slices read (again: counts moved) | incr. first poll = full path (took / client) | background read (slices, took Σ, wall) | incr. state (slices) | RSS | equal |',
  );
  say('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  // Every full poll first, on the indices as seeded (one segment); then the incremental ones,
  // each with events arriving into the index.
  const fulls = new Map<string, { took: number; wall: number; bytes: number; failures: number }>();
  for (const { label, windowMs, set, config } of rows) {
    const clearCache = () => http(base, 'POST', `/${set.index}/_cache/clear?request=true`);
    const full = { took: [] as number[], wall: [] as number[], bytes: [] as number[] };
    let snapshot: Snapshot | undefined;
    for (let i = 0; i < iterations; i += 1) {
      await clearCache();
      counted.take();
      const started = performance.now();
      snapshot = await fetchSnapshot(counted.client, config, { windowMs, now: set.seededAt });
      full.wall.push(performance.now() - started);
      full.took.push(snapshot.took);
      full.bytes.push(counted.take());
    }
    fulls.set(label, {
      took: median(full.took),
      wall: median(full.wall),
      bytes: median(full.bytes),
      failures: snapshot?.services[0]?.failures ?? 0,
    });
  }
  const tookByRow = new Map<string, number>();
  for (const { label, windowMs, set, config } of rows) {
    const clearCache = () => http(base, 'POST', `/${set.index}/_cache/clear?request=true`);
    // Incremental: live, on a clock that starts at the seeding time, events arriving at the
    // set's rate into the index (refresh 1 s); polls on the console's schedule (every 5 s on
    // the wall clock).
    const shift = set.seededAt - Date.now();
    const clock = () => Date.now() + shift;
    const feed = ingest(base, set.index, set, rateOf(set), clock);
    const incr = { took: [] as number[], wall: [] as number[], bytes: [] as number[], read: [] as number[] };
    let moved = 0;
    let inFull = 0;
    let equal = 'n/a';
    let first = { took: 0, wall: 0 };
    let fill = { slices: 0, tookSum: 0, ms: 0 };
    const engine = createIncrementalSnapshots(counted.client, config);
    try {
      await clearCache();
      counted.take();
      let started = performance.now();
      await engine.fetch(windowMs, { now: clock() });
      first = { took: engine.stats().lastTookSum, wall: performance.now() - started };
      await engine.settled();
      fill = engine.stats().lastFill;
      // Two polls not measured: the first adopts the background read, the second re-reads
      // the seconds the first left hot.
      for (let i = -2; i < iterations; i += 1) {
        await sleep(nextPollDelay(Date.now(), 5_000));
        await clearCache();
        counted.take();
        started = performance.now();
        await engine.fetch(windowMs, { now: clock() });
        const wall = performance.now() - started;
        const bytes = counted.take();
        if (i < 0) continue;
        const stats = engine.stats();
        incr.wall.push(wall);
        incr.took.push(stats.lastTookSum);
        incr.bytes.push(bytes);
        incr.read.push(stats.lastSlicesRead);
        moved += stats.lastMoved;
        if (stats.lastAnsweredInFull) inFull += 1;
      }
      await feed.stop();
      await http(base, 'POST', `/${set.index}/_refresh`);
      // The last incremental snapshot against a full one at the same instant.
      const at = clock();
      const last = await engine.fetch(windowMs, { now: at });
      const full = await fetchSnapshot(counted.client, config, { windowMs, now: at });
      equal = equality(last, full);
    } finally {
      await feed.stop();
      await dropIngested(base, set);
    }
    const stats = engine.stats();
    const full = fulls.get(label)!;
    tookByRow.set(label, median(incr.took));
    say(
      `| ${label} | ${full.failures.toLocaleString('en')} | ${Math.round(full.took)} ms | ${Math.round(full.wall)} ms | ${kb(full.bytes)} | ${Math.round(median(incr.took))} ms | ${Math.round(median(incr.wall))} ms | ${kb(median(incr.bytes))} | ${median(incr.read)} (${moved})${inFull > 0 ? ` (${inFull} polls full path)` : ''} | ${Math.round(first.took)} / ${Math.round(first.wall)} ms | ${fill.slices}, ${fill.tookSum} ms, ${(fill.ms / 1000).toFixed(1)} s | ${mb(stats.bytes)}, ${stats.ips.toLocaleString('en')} IPs (${stats.slices}) | ${mb(process.memoryUsage().rss)} | ${equal} |`,
    );
  }
  return tookByRow;
}

// ---------- consoles ----------

/** The engine process's CPU time and its shard request cache's hits and misses so far. */
async function engineStats(base: string): Promise<{ cpuMs: number; hits: number; misses: number }> {
  const stats = (await http(base, 'GET', '/_nodes/_local/stats/process,indices')).json() as {
    nodes: Record<
      string,
      {
        process: { cpu: { total_in_millis: number } };
        indices: { request_cache: { hit_count: number; miss_count: number } };
      }
    >;
  };
  const node = Object.values(stats.nodes)[0];
  return {
    cpuMs: node?.process.cpu.total_in_millis ?? 0,
    hits: node?.indices.request_cache.hit_count ?? 0,
    misses: node?.indices.request_cache.miss_count ?? 0,
  };
}

/** A team's day of escalations (50 records with their message text), read by every console after each poll. */
const AUDIT_INDEX = 'bench-soc-watch-escalations';

async function seedAudit(base: string): Promise<void> {
  await http(base, 'DELETE', `/${AUDIT_INDEX}`);
  await http(
    base,
    'PUT',
    `/${AUDIT_INDEX}`,
    JSON.stringify({
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: {
        properties: { at: { type: 'date' }, updatedAt: { type: 'date' }, alertId: { type: 'keyword' } },
      },
    }),
  );
  const at = Date.now();
  let body = '';
  for (let i = 0; i < 50; i += 1) {
    const record = {
      at: at - i * 600_000,
      updatedAt: at - i * 600_000,
      alertId: `bench-${i}`,
      by: 'analyst@bench',
      delivery: 'sent',
      text: 'x'.repeat(400),
    };
    body += `{"index":{"_index":"${AUDIT_INDEX}"}}\n${JSON.stringify(record)}\n`;
  }
  await http(base, 'POST', '/_bulk?refresh=true', body, 'application/x-ndjson');
}

/**
 * `count` consoles polling the 15 m window every 2 s on the console's schedule (the next
 * multiple of 2 s on the wall clock: poller.ts nextPollDelay) for `seconds`, with events
 * arriving at `rate` a second (0: none). Server CPU is measured from when every console has
 * made its first poll (and the incremental ones have read their slices): steady polling.
 */
async function consoles(
  base: string,
  client: ClusterClient,
  config: Config,
  set: DataSet,
  mode: 'none' | 'full' | 'incremental' | 'shared',
  count: number,
  seconds: number,
  rate: number,
): Promise<{ cpuMs: number; polls: number; hits: number; misses: number }> {
  // The consoles' clock runs from the seeding time (a reused index was seeded earlier), so
  // the 15 m window holds the seeded rate, and ingested events are stamped on that clock.
  const shift = set.seededAt - Date.now();
  const clock = () => Date.now() + shift;
  const feed = rate > 0 ? ingest(base, set.index, set, rate, clock) : null;
  const shareDir = mkdtempSync(join(os.tmpdir(), 'soc-watch-bench-share-'));
  chmodSync(shareDir, 0o700);
  let polls = 0;
  try {
    const engines = Array.from({ length: mode === 'none' ? 0 : count }, () =>
      createIncrementalSnapshots(client, config),
    );
    // Shared: each console's engine behind its share of the host's polls (the poller's path:
    // share/shared-polls.ts over a socket in a private directory); one leads, the others ask it.
    const shares = engines.map((engine) =>
      mode === 'shared'
        ? createSharedPolls({
            socketPath: () => join(shareDir, 'poll.sock'),
            local: (window, options) => engine.fetch(window.windowMs, options),
            refreshMs: 2_000,
            requestTimeoutMs: config.requestTimeoutMs,
          })
        : null,
    );
    const signal = new AbortController().signal;
    // After each poll a console reads the escalation audit trail (session.tsx → escalator
    // sync), shared as its polls are when they are.
    const auditStore = clusterAuditStore(client, AUDIT_INDEX, config.requestTimeoutMs);
    const auditRead = ({ now, signal }: { now: number; signal: AbortSignal }) =>
      auditStore.recent(now - SYNC_HORIZON_MS, undefined, signal);
    const audit = (index: number) => {
      const share = shares[index];
      const at = { now: Date.now(), signal };
      return share ? share.read(`escalations:${AUDIT_INDEX}`, auditRead, at) : auditRead(at);
    };
    const poll = async (engine: IncrementalSnapshots, index: number) => {
      if (mode === 'full') return fetchSnapshot(client, config, { windowMs: 15 * MINUTE, now: clock() });
      const share = shares[index];
      if (share) {
        const [snapshot] = await share.fetch([{ windowMs: 15 * MINUTE, includeCustomRules: true }], {
          now: clock(),
          signal,
        });
        return snapshot;
      }
      return engine.fetch(15 * MINUTE, { now: clock() });
    };
    await Promise.all(
      engines.map(async (engine, index) => {
        await poll(engine, index);
        await audit(index);
        await engine.settled();
      }),
    );
    const before = await engineStats(base);
    const deadline = Date.now() + seconds * 1000;
    await Promise.all(
      engines.map(async (engine, index) => {
        for (;;) {
          const wait = nextPollDelay(Date.now(), 2_000);
          if (Date.now() + wait >= deadline) break;
          await sleep(wait);
          await poll(engine, index);
          await audit(index);
          polls += 1;
        }
      }),
    );
    await Promise.all(shares.map((share) => share?.close()));
    await sleep(Math.max(0, deadline - Date.now()));
    const after = await engineStats(base);
    return {
      cpuMs: after.cpuMs - before.cpuMs,
      polls,
      hits: after.hits - before.hits,
      misses: after.misses - before.misses,
    };
  } finally {
    rmSync(shareDir, { recursive: true, force: true });
    if (feed) {
      await feed.stop();
      await dropIngested(base, set);
    }
  }
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

/** The memory child's report (window-memory.mts). */
async function memory(memoryPolls: number): Promise<void> {
  // The child runs node as the product does (the launcher's shebang: flags and environment).
  const launcher = launcherCommand(new URL('../bin/soc-watch.js', import.meta.url));
  say(
    `## Memory: incremental state for 200,000 distinct IPs in a 15m window (child process, no cluster; run as the launcher runs node: ${launcher.text})`,
  );
  const childFile = await writeMemoryChild();
  // Its lines as they come (a 10,000-poll run takes about an hour on this machine).
  const child = spawn(
    process.execPath,
    [
      ...launcher.flags,
      '--expose-gc',
      fileURLToPath(childFile),
      JSON.stringify({ productRoot: new URL('dist/', ROOT).href, polls: memoryPolls }),
    ],
    { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...launcher.env } },
  );
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) say(`(memory child exited with ${code})`);
  say();
}

// ---------- main ----------

const load = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const scale = flag('scale', 1);
  const iterations = flag('iterations', 7);
  const consoleSeconds = flag('console-seconds', 40);
  const consoleRepeats = flag('console-repeats', 3);
  const memoryPolls = flag('memory-polls', 10_000);
  const fresh = process.argv.includes('--fresh');
  const consolesOnly = process.argv.includes('--consoles-only');
  const base = process.env.SOC_WATCH_BENCH_ES_URL ?? 'http://127.0.0.1:9200';
  say(`load average at start: ${load()}`);
  // --memory-only: the memory child alone (no cluster).
  if (process.argv.includes('--memory-only')) {
    await memory(memoryPolls);
    return;
  }
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
    const dayConfig = configFor(day.index);
    // --consoles-only: the data and the consoles' section alone.
    if (!consolesOnly) {
      say();
      say(`## Poll cost by window (medians of ${iterations}; request cache cleared before each poll)`);
      say(
        `Full: clock = seeding time, the index as seeded. Incremental: live, on a clock starting at the seeding time, events arriving at the set's rate (${Math.round(rateOf(day))}/s for the 24 h set, ${Math.round(rateOf(burst))}/s for the 1M-in-15m set, into the index, refresh 1 s); the first poll is answered by the full path while the slices are read in the background (shown apart); then polls every 5 s on the wall clock (two not measured). "again": slices read a second time in a poll because their counts moved.`,
      );
      const took = await table(
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
      const quarter = took.get('15m') ?? 0;
      const day24 = took.get('24h') ?? 0;
      say(
        `24 h against 15 m at the same event rate (incremental took Σ, medians): ${Math.round(day24)} ms vs ${Math.round(quarter)} ms = ${quarter > 0 ? (day24 / quarter).toFixed(2) : 'n/a'}× (goal ≤ 2×); 15 m at 1M failures in the window: ${Math.round(took.get('15m (1M in 15 m)') ?? 0)} ms (goal ≤ 60 ms)`,
      );
      say();
      say('## Late arrivals');
      say(await lag(base));
      say();
    }
    await seedAudit(base);
    say(
      `## Server CPU: consoles polling the 15m window of ${day.index} every 2 s (on the wall clock, as the console's poller) for ${consoleSeconds} s after each console's first poll, each reading the escalation audit trail after its poll as the console does (${AUDIT_INDEX}: 50 records) (engine process CPU, nodes stats)`,
    );
    say(
      '| ingest | consoles | full: CPU s (− idle) | full polls | full cache hits / misses | incr.: CPU s (− idle) | incr. polls | incr. cache hits / misses | incr. shared on one host: CPU s (− idle) | shared polls | shared cache hits / misses |',
    );
    say('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    // Each cell the median of --console-repeats runs, in turn (idle, then each mode and
    // count), so a merge or a burst of other work lands in one run of a cell, not all of it.
    const modes = ['full', 'incremental', 'shared'] as const;
    type Mode = (typeof modes)[number];
    for (const rate of [0, 200]) {
      const idles: number[] = [];
      const runs = new Map<string, { cpuMs: number; polls: number; hits: number; misses: number }[]>();
      for (let repeat = 0; repeat < consoleRepeats; repeat += 1) {
        idles.push((await consoles(base, client, dayConfig, day, 'none', 0, consoleSeconds, rate)).cpuMs);
        for (const count of [1, 10])
          for (const mode of modes) {
            const run = await consoles(base, client, dayConfig, day, mode, count, consoleSeconds, rate);
            const key = `${mode} ${count}`;
            runs.set(key, [...(runs.get(key) ?? []), run]);
          }
      }
      const idle = median(idles);
      const cell = (mode: Mode, count: number) => {
        const all = runs.get(`${mode} ${count}`) ?? [];
        const cpu = all.map((run) => run.cpuMs);
        const net = cpu.map((value) => value - idle);
        const spread =
          all.length > 1
            ? ` [${(Math.min(...net) / 1000).toFixed(1)}–${(Math.max(...net) / 1000).toFixed(1)}]`
            : '';
        const mid = (pick: (run: (typeof all)[number]) => number) => Math.round(median(all.map(pick)));
        return {
          net: Math.max(1, median(net)),
          text: [
            `${(median(cpu) / 1000).toFixed(1)} (${(median(net) / 1000).toFixed(1)}${spread})`,
            String(mid((run) => run.polls)),
            `${mid((run) => run.hits)} / ${mid((run) => run.misses)}`,
          ],
        };
      };
      say(
        `(idle, ${rate > 0 ? 'ingest only' : 'nothing polling'}: ${(idle / 1000).toFixed(1)} CPU s${idles.length > 1 ? `, runs ${idles.map((value) => (value / 1000).toFixed(1)).join(' / ')}` : ''})`,
      );
      for (const count of [1, 10])
        say(
          `| ${[rate > 0 ? `${rate}/s` : 'none', String(count), ...modes.flatMap((mode) => cell(mode, count).text)].join(' | ')} |`,
        );
      const times = (mode: Mode) => (cell(mode, 10).net / cell(mode, 1).net).toFixed(1);
      say(
        `10 consoles against 1 (CPU − idle${consoleRepeats > 1 ? `, medians of ${consoleRepeats}` : ''}), ingest ${rate > 0 ? `${rate}/s` : 'none'}: full ${times('full')}×, incremental ${times('incremental')}×, incremental shared on one host ${times('shared')}× (goal ≤ 1.5×)`,
      );
    }
    // One segment again for the next run's full polls.
    await compact(base, day);
    await compact(base, burst);
    await http(base, 'DELETE', `/${AUDIT_INDEX}`);
  } finally {
    await client.close();
  }
  say();
  if (!consolesOnly) await memory(memoryPolls);
  say(`load average at end: ${load()}`);
}

await main();

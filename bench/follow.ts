// npm run bench:follow — `soc-watch ingest --follow` as a service runs it: the built CLI started
// through bin/soc-watch.js (its shebang's node flags included) in a child process, following a
// file that a writer appends to. Prints figures; asserts nothing.
//
//   ceiling  the cluster alone: the same kind of documents sent by a plain loop of hand-rolled
//            `_bulk` requests (8,000 a request, 2 in flight). No follower can index faster than
//            this on this machine at this moment; it is printed so the rows below can be read.
//   rate R   a writer appends R lines/s for BENCH_FOLLOW_SECONDS, renaming the file away (and
//            going on in a new one, as logrotate + a daemon's reopen do) half-way. Every 100 ms
//            one line carries a marker user name and the bench searches for markers every 50 ms:
//            line-to-searchable latency p50/p99 is the writer's clock to the first search that
//            returns the line (the follower's poll, the bulk request and the index refresh).
//            lines/s = lines indexed / (writer start → last line searchable).
//   max      the writer appends as fast as it can (BENCH_FOLLOW_MAX lines, rotation half-way):
//            the catch-up rate. Latency here is queueing: a line waits for those before it.
//   follower CPU: user+system time of the follower process over the phase (from /proc, after
//            its start-up), per line — its own cost, whatever the cluster's speed: 1 s / (µs per
//            line) is how many lines/s one core of follower keeps up with.
//
// BENCH_FOLLOW_RATES (default "2000,20000,max"), BENCH_FOLLOW_SECONDS (default 10),
// BENCH_FOLLOW_MAX (default 100000). Cluster: SOC_WATCH_BENCH_ES_URL (or
// SOC_WATCH_BENCH_OPENSEARCH_URL), else a local Elasticsearch started by scripts/engine.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EngineHandle, startEngine } from '../scripts/engine.js';
import { createClusterClient } from '../source/cluster/client.js';
import { loadConfig } from '../source/config/load.js';
import { openConfigStore } from '../source/config/store.js';
import type { IngestItem } from '../source/ingest/doc-id.js';
import { bulkBody } from '../source/ingest/follow/bulk-send.js';
import { LogParser } from '../source/ingest/parser.js';
import { authTemplateName, ensureAuthTemplate } from '../source/ingest/template.js';

const RATES = (process.env.BENCH_FOLLOW_RATES ?? '2000,20000,max').split(',').map((rate) => rate.trim());
const SECONDS = Number(process.env.BENCH_FOLLOW_SECONDS ?? 10);
const MAX_LINES = Number(process.env.BENCH_FOLLOW_MAX ?? 100_000);
const TICK_MS = 50;
const bin = join(import.meta.dirname, '../bin/soc-watch.js');
/** Clock ticks per second of /proc/PID/stat (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

const say = (line = '') => process.stdout.write(`${line}\n`);
const fmt = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const load = () => loadavg()[0]?.toFixed(1) ?? '?';

let pid = 1000;
/** `count` sshd failures, each its own connection (a distinct pid), stamped now. */
function lines(count: number, marker?: string): string {
  const stamp = new Date().toISOString();
  let out = '';
  for (let i = 0; i < count; i += 1) {
    pid += 1;
    const user = i === 0 && marker ? marker : `u${pid % 5000}`;
    out += `${stamp} web${pid % 7} sshd[${pid}]: Failed password for invalid user ${user} from 198.51.${(pid >> 8) & 255}.${pid & 255} port ${20_000 + (pid % 40_000)} ssh2\n`;
  }
  return out;
}

async function post(url: string, path: string, body: string, type = 'application/json') {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
  return (await response.json()) as Record<string, unknown>;
}

async function count(url: string, index: string): Promise<number> {
  const body: Record<string, unknown> = await post(
    url,
    `/${index}/_count`,
    '{"query":{"match_all":{}}}',
  ).catch(() => ({}));
  return typeof body.count === 'number' ? body.count : 0;
}

/** Peak resident memory (MB) of the process so far. */
function peakRssMb(child: ChildProcess): number {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
    return Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** CPU time (ms) the process has used so far. */
function cpuMs(child: ChildProcess): number {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return Number.NaN;
  }
}

function follower(url: string, index: string, path: string, configDir: string): ChildProcess {
  // bin/soc-watch.js itself, so its shebang's node flags apply as they do for a service.
  return spawn(bin, ['ingest', '--follow', path, '--url', url, '--to', index], {
    env: { PATH: process.env.PATH ?? '', HOME: configDir, SOC_WATCH_CONFIG_DIR: configDir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function cleanup(url: string, index: string, dir?: string): Promise<void> {
  await fetch(`${url}/${index}`, { method: 'DELETE' }).catch(() => {});
  await fetch(`${url}/_index_template/${authTemplateName(index)}`, { method: 'DELETE' }).catch(() => {});
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** The follower's own documents (same parser, same template) sent by a plain loop, 2 requests in flight. */
async function ceiling(url: string, total: number): Promise<void> {
  const index = `bench-follow-ceiling-${randomUUID().slice(0, 8)}`;
  const { config, secrets } = loadConfig({
    store: openConfigStore({ directory: mkdtempSync(join(tmpdir(), 'soc-watch-bench-config-')) }),
    env: { ELASTICSEARCH_URL: url, SOC_WATCH_REQUEST_TIMEOUT: '60s' },
  });
  const client = await createClusterClient(config, secrets);
  await ensureAuthTemplate(client, index);
  await client.close();
  const parser = new LogParser({ format: 'auto', file: 'bench', now: Date.now(), zone: 'utc' });
  const items: IngestItem[] = [];
  lines(total)
    .split('\n')
    .forEach((line, i) => {
      if (line !== '') parser.push(line, i + 1, items);
    });
  const perRequest = 8000;
  const started = Date.now();
  const queue: Promise<unknown>[] = [];
  for (let at = 0; at < items.length; at += perRequest) {
    const body = bulkBody(items.slice(at, at + perRequest));
    queue.push(post(url, `/${index}/_bulk?filter_path=errors`, body, 'application/x-ndjson'));
    if (queue.length >= 2) await queue.shift();
  }
  await Promise.all(queue);
  const elapsed = (Date.now() - started) / 1000;
  say(
    `ceiling  the cluster alone: the same documents by a plain loop of _bulk requests (8,000 a request, 2 in flight): ${fmt(items.length)} in ${elapsed.toFixed(1)} s = ${fmt(items.length / elapsed)} docs/s (load ${load()})`,
  );
  await cleanup(url, index);
}

interface Phase {
  label: string;
  /** Lines per second, or undefined: as fast as the writer can. */
  rate: number | undefined;
}

async function phase(url: string, { label, rate }: Phase): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'soc-watch-bench-follow-'));
  const index = `bench-follow-${randomUUID().slice(0, 8)}`;
  const path = join(dir, 'auth.log');
  let fd = openSync(path, 'a');
  const child = follower(url, index, path, join(dir, 'config'));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  // Let it start (and create the index) before the clock runs.
  writeSync(fd, lines(1));
  let written = 1;
  while ((await count(url, index)) < 1) {
    if (child.exitCode !== null) throw new Error(`the follower exited: ${stderr}`);
    await sleep(100);
  }
  const cpuStart = cpuMs(child);
  const loadStart = load();

  const pending = new Map<string, number>();
  const latencies: number[] = [];
  let searching = true;
  const searcher = (async () => {
    while (searching) {
      await sleep(50);
      if (pending.size === 0) continue;
      const names = [...pending.keys()].slice(0, 1000);
      const body = await post(
        url,
        `/${index}/_search?filter_path=hits.hits._source.user.name`,
        JSON.stringify({
          size: names.length,
          _source: ['user.name'],
          query: { terms: { 'user.name': names } },
        }),
      ).catch(() => ({}));
      const now = Date.now();
      const hits =
        (body as { hits?: { hits?: { _source?: { user?: { name?: string } } }[] } }).hits?.hits ?? [];
      for (const hit of hits) {
        const name = hit._source?.user?.name;
        const at = name === undefined ? undefined : pending.get(name);
        if (name === undefined || at === undefined) continue;
        latencies.push(now - at);
        pending.delete(name);
      }
    }
  })();

  let marker = 0;
  const probe = () => {
    marker += 1;
    return `probe-${marker}`;
  };
  const rotate = () => {
    // logrotate without copytruncate: rename, the daemon writes a little more to the old file,
    // then reopens the path.
    renameSync(path, `${path}.1`);
    writeSync(fd, lines(Math.max(1, Math.round((rate ?? 20_000) / 20))));
    written += Math.max(1, Math.round((rate ?? 20_000) / 20));
    closeSync(fd);
    fd = openSync(path, 'a');
  };
  const writeStart = Date.now();
  if (rate === undefined) {
    const chunk = 10_000;
    for (let done = 0; done < MAX_LINES; done += chunk) {
      if (done === Math.floor(MAX_LINES / chunk / 2) * chunk) rotate();
      const label = probe();
      writeSync(fd, lines(chunk, label));
      pending.set(label, Date.now());
      written += chunk;
    }
  } else {
    const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
    const ticks = Math.round((SECONDS * 1000) / TICK_MS);
    for (let tick = 0; tick < ticks; tick += 1) {
      const due = writeStart + tick * TICK_MS;
      if (due > Date.now()) await sleep(due - Date.now());
      const label = tick % 2 === 0 ? probe() : undefined;
      writeSync(fd, lines(perTick, label));
      if (label) pending.set(label, Date.now());
      written += perTick;
      if (tick === Math.floor(ticks / 2)) rotate();
    }
  }
  const writerEnd = Date.now();
  const writeSeconds = (writerEnd - writeStart) / 1000;
  closeSync(fd);
  let indexed = 0;
  while (Date.now() - writerEnd < 600_000) {
    indexed = await count(url, index);
    if (indexed >= written) break;
    if (child.exitCode !== null) throw new Error(`the follower exited: ${stderr}`);
    await sleep(100);
  }
  const caughtUp = Date.now();
  // The last probes' searches.
  for (let wait = 0; pending.size > 0 && wait < 40; wait += 1) await sleep(50);
  searching = false;
  await searcher;
  const cpu = cpuMs(child) - cpuStart;
  const peak = peakRssMb(child);
  await stop(child);
  latencies.sort((a, b) => a - b);
  // Per line read and indexed (a phase cut short by the 600 s cap did not process the rest).
  const microsPerLine = (cpu * 1000) / Math.max(1, indexed - 1);
  say(
    `${label.padEnd(8)} writer ${fmt((written - 1) / writeSeconds)} lines/s for ${writeSeconds.toFixed(1)} s (one rename rotation half-way): ${fmt(indexed)} of ${fmt(written)} lines indexed${indexed === written ? ' (exact)' : indexed > written ? ' (MORE THAN WRITTEN)' : ' (NOT CAUGHT UP within 600 s: the rest stays in the file for the next run)'}, ${fmt((indexed * 1000) / (caughtUp - writeStart))} lines/s end to end (caught up ${((caughtUp - writerEnd) / 1000).toFixed(1)} s after the writer stopped; load ${loadStart} → ${load()})`,
  );
  say(
    `         line-to-searchable latency over ${latencies.length} marked lines: p50 ${fmt(percentile(latencies, 50))} ms · p99 ${fmt(percentile(latencies, 99))} ms · max ${fmt(latencies[latencies.length - 1] ?? Number.NaN)} ms${pending.size > 0 ? ` · ${pending.size} never found` : ''}`,
  );
  say(
    `         follower CPU ${(cpu / 1000).toFixed(1)} s = ${microsPerLine.toFixed(1)} µs a line (one core keeps up with ≈ ${fmt(1e6 / microsPerLine)} lines/s) · peak RSS ${fmt(peak)} MB`,
  );
  await cleanup(url, index, dir);
}

async function main(): Promise<void> {
  let engine: EngineHandle | undefined;
  let url = process.env.SOC_WATCH_BENCH_ES_URL ?? process.env.SOC_WATCH_BENCH_OPENSEARCH_URL;
  if (!url) {
    process.stderr.write(
      'starting a local Elasticsearch (set SOC_WATCH_BENCH_ES_URL to use a running one)…\n',
    );
    engine = await startEngine({
      kind: 'elasticsearch',
      log: (line) => process.stderr.write(`engine: ${line}\n`),
    });
    url = engine.url;
  }
  // _cat/nodes answers on both engines (and where the root endpoint is refused).
  const version = (await (await fetch(`${url}/_cat/nodes?h=version`)).text()).trim().split('\n')[0];
  const engineName =
    process.env.SOC_WATCH_BENCH_OPENSEARCH_URL && !process.env.SOC_WATCH_BENCH_ES_URL
      ? 'OpenSearch'
      : 'Elasticsearch';
  say(
    `bench:follow — soc-watch ingest --follow (bin/soc-watch.js, child process) into ${engineName} ${version} on the same machine; ${cpus().length} cores; load average ${load()} at start`,
  );
  try {
    await ceiling(url, 40_000);
    for (const rate of RATES) {
      const lines = rate === 'max' ? undefined : Number(rate);
      await phase(url, { label: rate === 'max' ? 'max' : `rate ${fmt(Number(rate))}`, rate: lines });
    }
  } finally {
    await engine?.stop();
  }
}

await main();

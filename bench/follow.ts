// npm run bench:follow — `soc-watch ingest --follow` as a service runs it: the built CLI in a
// child process following a file that a writer appends to. Prints figures; asserts nothing.
//
//   backlog  BENCH_FOLLOW_BACKLOG lines already in the file when the follower starts: lines/s
//            from its start until the last document is searchable (the catch-up rate)
//   live     a writer appending BENCH_FOLLOW_RATE lines/s for BENCH_FOLLOW_SECONDS, with one
//            rename rotation half-way; every 100 ms one line carries a marker user name and the
//            bench searches for markers every 50 ms: line-to-searchable latency p50/p99 (the
//            writer's clock to the first search that returns it, so it includes the follower's
//            poll, the bulk request and the index refresh), and the lines/s indexed
//
// Cluster: SOC_WATCH_BENCH_ES_URL (or SOC_WATCH_BENCH_OPENSEARCH_URL), else a local
// Elasticsearch started by scripts/engine.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EngineHandle, startEngine } from '../scripts/engine.js';
import { authTemplateName } from '../source/ingest/template.js';

const BACKLOG = Number(process.env.BENCH_FOLLOW_BACKLOG ?? 200_000);
const RATE = Number(process.env.BENCH_FOLLOW_RATE ?? 20_000);
const SECONDS = Number(process.env.BENCH_FOLLOW_SECONDS ?? 20);
const TICK_MS = 50;
const bin = join(import.meta.dirname, '../bin/soc-watch.js');

const say = (line = '') => process.stdout.write(`${line}\n`);
const fmt = (value: number) => Math.round(value).toLocaleString('en-US');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let pid = 1000;
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

async function post(url: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

async function count(url: string, index: string): Promise<number> {
  const body = await post(url, `/${index}/_count`, { query: { match_all: {} } });
  return typeof body.count === 'number' ? body.count : 0;
}

function follower(url: string, index: string, path: string, configDir: string): ChildProcess {
  const child = spawn(process.execPath, [bin, 'ingest', '--follow', path, '--url', url, '--to', index], {
    env: { PATH: process.env.PATH ?? '', HOME: configDir, SOC_WATCH_CONFIG_DIR: configDir },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function backlog(url: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'soc-watch-bench-follow-'));
  const index = `bench-follow-backlog-${randomUUID().slice(0, 8)}`;
  const path = join(dir, 'auth.log');
  const fd = openSync(path, 'a');
  for (let written = 0; written < BACKLOG; written += 10_000)
    writeSync(fd, lines(Math.min(10_000, BACKLOG - written)));
  closeSync(fd);
  const started = Date.now();
  const child = follower(url, index, path, join(dir, 'config'));
  let done = 0;
  while (done < BACKLOG && Date.now() - started < 600_000) {
    await sleep(250);
    done = await count(url, index).catch(() => 0);
  }
  const elapsed = Date.now() - started;
  await stop(child);
  say(
    `backlog  ${fmt(BACKLOG)} lines in the file: ${fmt(done)} searchable after ${(elapsed / 1000).toFixed(1)} s = ${fmt((done * 1000) / elapsed)} lines/s (from process start, incl. startup)`,
  );
  await cleanup(url, index, dir);
}

async function live(url: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'soc-watch-bench-follow-'));
  const index = `bench-follow-live-${randomUUID().slice(0, 8)}`;
  const path = join(dir, 'auth.log');
  let fd = openSync(path, 'a');
  const child = follower(url, index, path, join(dir, 'config'));
  // Let it start (and create the index) before the clock runs.
  writeSync(fd, lines(1));
  let written = 1;
  while ((await count(url, index).catch(() => 0)) < 1) await sleep(100);

  const pending = new Map<string, number>();
  const latencies: number[] = [];
  const perTick = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
  const ticks = Math.round((SECONDS * 1000) / TICK_MS);
  let marker = 0;
  let rotated = false;
  let searching = true;
  let writerEnd = Number.POSITIVE_INFINITY;
  const searcher = (async () => {
    while (searching || pending.size > 0) {
      await sleep(50);
      if (pending.size === 0) continue;
      const body = await post(url, `/${index}/_search`, {
        size: pending.size,
        _source: ['user.name'],
        query: { terms: { 'user.name': [...pending.keys()] } },
      }).catch(() => ({}));
      const now = Date.now();
      const hits = ((body as { hits?: { hits?: { _source?: { user?: { name?: string } } }[] } }).hits?.hits ??
        []) as { _source?: { user?: { name?: string } } }[];
      for (const hit of hits) {
        const name = hit._source?.user?.name;
        const at = name === undefined ? undefined : pending.get(name);
        if (name === undefined || at === undefined) continue;
        latencies.push(now - at);
        pending.delete(name);
      }
      if (!searching && now - writerEnd > 120_000) break;
    }
  })();
  const writeStart = Date.now();
  for (let tick = 0; tick < ticks; tick += 1) {
    const due = writeStart + tick * TICK_MS;
    if (due > Date.now()) await sleep(due - Date.now());
    let label: string | undefined;
    if (tick % 2 === 0) {
      marker += 1;
      label = `probe-${marker}`;
    }
    writeSync(fd, lines(perTick, label));
    if (label) pending.set(label, Date.now());
    written += perTick;
    if (!rotated && tick >= ticks / 2) {
      // logrotate without copytruncate: rename, then the daemon reopens.
      renameSync(path, `${path}.1`);
      writeSync(fd, lines(perTick));
      written += perTick;
      closeSync(fd);
      fd = openSync(path, 'a');
      rotated = true;
    }
  }
  writerEnd = Date.now();
  const writeSeconds = (writerEnd - writeStart) / 1000;
  closeSync(fd);
  let indexed = 0;
  while (Date.now() - writerEnd < 300_000) {
    indexed = await count(url, index).catch(() => 0);
    if (indexed >= written) break;
    await sleep(100);
  }
  const caughtUp = Date.now();
  searching = false;
  await searcher;
  await stop(child);
  latencies.sort((a, b) => a - b);
  say(
    `live     writer ${fmt(written / writeSeconds)} lines/s for ${writeSeconds.toFixed(1)} s (one rename rotation half-way): ${fmt(indexed)} of ${fmt(written)} lines indexed, ${fmt((indexed * 1000) / (caughtUp - writeStart))} lines/s end to end (caught up ${((caughtUp - writerEnd) / 1000).toFixed(1)} s after the writer stopped)`,
  );
  say(
    `         line-to-searchable latency over ${latencies.length} marked lines: p50 ${fmt(percentile(latencies, 50))} ms · p99 ${fmt(percentile(latencies, 99))} ms · max ${fmt(latencies[latencies.length - 1] ?? Number.NaN)} ms${pending.size > 0 ? ` · ${pending.size} never found` : ''}`,
  );
  await cleanup(url, index, dir);
}

async function cleanup(url: string, index: string, dir: string): Promise<void> {
  await fetch(`${url}/${index}`, { method: 'DELETE' }).catch(() => {});
  await fetch(`${url}/_index_template/${authTemplateName(index)}`, { method: 'DELETE' }).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
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
  const version = (await (await fetch(url)).json()) as {
    version?: { number?: string; distribution?: string };
  };
  say(
    `bench:follow — soc-watch ingest --follow (built CLI, child process) into ${version.version?.distribution ?? 'elasticsearch'} ${version.version?.number ?? '?'}; machine load average ${(await import('node:os')).loadavg()[0]?.toFixed(1)}`,
  );
  try {
    if (BACKLOG > 0) await backlog(url);
    await live(url);
  } finally {
    await engine?.stop();
  }
}

await main();

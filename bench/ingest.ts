// npm run bench:ingest — how fast `soc-watch ingest` parses and indexes. Prints figures;
// asserts nothing about time.
//
//   parse   a synthetic auth.log of an SSH server under attack (the line mix below), through
//           the parser alone (lines in memory) and from a file through readInput + parser;
//           lines/s by the wall clock and by this process's CPU time (one core's worth of work
//           on a shared machine)
//   index   the same documents into fresh indices, alternately through
//             (a) a plain loop of hand-rolled `_bulk` requests (NDJSON built by hand, one
//                 request in flight, same batch size, same client) and
//             (b) soc-watch's bulk path (its own sender: `create` with ids, 4 requests in
//                 flight, retries of timeouts/429/503);
//           docs/s of each and (b) as a share of (a); then (b) again over the same documents
//           (every one a 409 duplicate: the cost of re-ingesting a file)
//
// Cluster: SOC_WATCH_BENCH_ES_URL, else a local Elasticsearch started by scripts/engine.ts.
import { randomUUID } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EngineHandle, startEngine } from '../scripts/engine.js';
import { createClusterClient } from '../source/cluster/client.js';
import type { ClusterClient } from '../source/cluster/types.js';
import { loadConfig } from '../source/config/load.js';
import { openConfigStore } from '../source/config/store.js';
import { bulkIndex } from '../source/ingest/bulk.js';
import type { IngestItem } from '../source/ingest/doc-id.js';
import { readInput } from '../source/ingest/input.js';
import { LogParser } from '../source/ingest/parser.js';
import { authTemplateName, ensureAuthTemplate } from '../source/ingest/template.js';

const PARSE_LINES = Number(process.env.BENCH_PARSE_LINES ?? 400_000);
const INDEX_LINES = Number(process.env.BENCH_INDEX_LINES ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH_BYTES = 5_000_000;
const NOW = Date.UTC(2025, 0, 20);

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

const fmt = (value: number) => Math.round(value).toLocaleString('en-US');

// --- a synthetic auth.log ---------------------------------------------------------------------

/** A deterministic auth.log: connections of bots and staff interleaved with other daemons. */
function syntheticAuthLog(count: number): string[] {
  const lines: string[] = [];
  let seed = 42;
  const random = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 2 ** 32;
  };
  let clock = Date.UTC(2025, 0, 12, 0, 0, 0);
  let pid = 10_000;
  const stamp = () => {
    clock += Math.floor(random() * 400);
    const d = new Date(clock);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `Jan ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  };
  const users = ['root', 'admin', 'ubuntu', 'oracle', 'test', 'git', 'postgres', 'deploy', 'pi', 'user'];
  while (lines.length < count) {
    pid += 1 + Math.floor(random() * 3);
    const host = `web${Math.floor(random() * 8)}`;
    const ip = `203.0.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`;
    const port = 1024 + Math.floor(random() * 60_000);
    const user = users[Math.floor(random() * users.length)]!;
    const sshd = (message: string) => lines.push(`${stamp()} ${host} sshd[${pid}]: ${message}`);
    const kind = random();
    if (kind < 0.4) {
      const tries = 1 + Math.floor(random() * 3);
      sshd(
        `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${user}`,
      );
      for (let i = 0; i < tries; i += 1) sshd(`Failed password for ${user} from ${ip} port ${port} ssh2`);
      sshd(`Received disconnect from ${ip} port ${port}:11: Bye Bye [preauth]`);
      sshd(`Disconnected from authenticating user ${user} ${ip} port ${port} [preauth]`);
      if (tries > 1) {
        sshd(
          `PAM ${tries - 1} more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${user}`,
        );
      }
    } else if (kind < 0.7) {
      sshd(`Invalid user ${user}x from ${ip} port ${port}`);
      sshd('pam_unix(sshd:auth): check pass; user unknown');
      sshd(`pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}`);
      sshd(`Failed password for invalid user ${user}x from ${ip} port ${port} ssh2`);
      sshd(`Connection closed by invalid user ${user}x ${ip} port ${port} [preauth]`);
    } else if (kind < 0.8) {
      sshd(`Connection closed by ${ip} port ${port} [preauth]`);
    } else if (kind < 0.85) {
      sshd(
        `Accepted publickey for ${user} from 192.0.2.${Math.floor(random() * 50)} port ${port} ssh2: ED25519 SHA256:k3y`,
      );
      sshd(`pam_unix(sshd:session): session opened for user ${user}(uid=1000) by (uid=0)`);
    } else {
      lines.push(
        `${stamp()} ${host} CRON[${pid}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)`,
      );
    }
  }
  lines.length = count;
  return lines;
}

// --- parse -------------------------------------------------------------------------------------

interface Rate {
  wall: number;
  cpu: number;
  events: number;
}

function cpuMillis(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

function parseInMemory(lines: readonly string[]): Rate {
  const parser = new LogParser({ format: 'auto', file: 'bench', now: NOW, zone: 'utc' });
  const out: IngestItem[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < lines.length; i += 1) {
    parser.push(lines[i]!, i + 1, out);
    if (out.length >= 4096) out.length = 0;
  }
  parser.finish(out);
  const wall = performance.now() - started;
  return {
    wall: (lines.length * 1000) / wall,
    cpu: (lines.length * 1000) / cpuMillis(cpu),
    events: parser.stats.events,
  };
}

async function parseFile(path: string, count: number): Promise<Rate> {
  const parser = new LogParser({ format: 'auto', file: path, now: NOW, zone: 'utc' });
  const out: IngestItem[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  for await (const chunk of readInput(createReadStream(path))) {
    if (chunk.kind !== 'lines') continue;
    chunk.lines.forEach((line, i) => {
      parser.push(line, chunk.firstLineNumber + i, out);
    });
    out.length = 0;
  }
  parser.finish(out);
  const wall = performance.now() - started;
  return { wall: (count * 1000) / wall, cpu: (count * 1000) / cpuMillis(cpu), events: parser.stats.events };
}

function best(rates: Rate[]): Rate {
  return rates.reduce((a, b) => (b.cpu > a.cpu ? b : a));
}

// --- index -------------------------------------------------------------------------------------

interface IndexRun {
  /** Documents per second, wall clock. */
  rate: number;
  /** Client CPU milliseconds per 10,000 documents (serialising, sending, reading answers). */
  cpuPer10k: number;
}

/** (a) The plain loop: NDJSON by hand, one `_bulk` request at a time, errors checked. */
async function plainLoop(
  client: ClusterClient,
  index: string,
  items: readonly IngestItem[],
): Promise<IndexRun> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let body = '';
  let created = 0;
  const send = async () => {
    const raw = client.raw;
    const response =
      raw.kind === 'elasticsearch'
        ? await raw.client.transport.request({ method: 'POST', path: `/${index}/_bulk`, bulkBody: body })
        : (await raw.client.transport.request({ method: 'POST', path: `/${index}/_bulk`, bulkBody: body }))
            .body;
    const items = (response as { items?: { create?: { status?: number } }[] }).items ?? [];
    created += items.filter((item) => item.create?.status === 201).length;
    body = '';
  };
  for (const item of items) {
    body += `{"create":{"_id":"${item.id}"}}\n${JSON.stringify(item.doc)}\n`;
    if (body.length >= BATCH_BYTES) await send();
  }
  if (body.length > 0) await send();
  if (created !== items.length) throw new Error(`plain loop created ${created} of ${items.length}`);
  return {
    rate: (items.length * 1000) / (performance.now() - started),
    cpuPer10k: (cpuMillis(cpu) * 10_000) / items.length,
  };
}

/** (b) soc-watch's path. */
async function helperRun(
  client: ClusterClient,
  index: string,
  items: readonly IngestItem[],
): Promise<IndexRun & { created: number; duplicates: number; retries: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const outcome = await bulkIndex(client, index, items as IngestItem[], { flushBytes: BATCH_BYTES });
  if (outcome.rejected > 0) throw new Error(`rejected ${outcome.rejected}: ${outcome.rejections[0]?.reason}`);
  return {
    rate: (items.length * 1000) / (performance.now() - started),
    cpuPer10k: (cpuMillis(cpu) * 10_000) / items.length,
    created: outcome.created,
    duplicates: outcome.duplicates,
    retries: outcome.retries,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function deleteIndex(client: ClusterClient, index: string): Promise<void> {
  const raw = client.raw;
  if (raw.kind === 'elasticsearch') await raw.client.indices.delete({ index, ignore_unavailable: true });
  else await raw.client.indices.delete({ index, ignore_unavailable: true });
}

async function main(): Promise<void> {
  say('soc-watch ingest benchmark');
  say(
    `machine: ${process.platform} ${process.arch}, Node ${process.version}, load average ${(
      await import('node:os')
    )
      .loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}`,
  );
  say();

  // Parse.
  const lines = syntheticAuthLog(PARSE_LINES);
  const dir = mkdtempSync(join(tmpdir(), 'soc-watch-bench-'));
  const file = join(dir, 'auth.log');
  writeFileSync(file, `${lines.join('\n')}\n`);
  try {
    parseInMemory(lines.slice(0, 50_000)); // warm up the JIT
    const memory = best(Array.from({ length: 3 }, () => parseInMemory(lines)));
    const fileRuns: Rate[] = [];
    for (let run = 0; run < 3; run += 1) fileRuns.push(await parseFile(file, lines.length));
    const fromFile = best(fileRuns);
    say(
      `parse: ${fmt(lines.length)} lines of a synthetic auth.log under attack, ${fmt(memory.events)} events (best of 3)`,
    );
    say(
      `  parser, lines in memory   ${fmt(memory.wall).padStart(9)} lines/s wall   ${fmt(memory.cpu).padStart(9)} lines/s of CPU time`,
    );
    say(
      `  file → readInput → parser ${fmt(fromFile.wall).padStart(9)} lines/s wall   ${fmt(fromFile.cpu).padStart(9)} lines/s of CPU time`,
    );
    say('  (target: ≥ 100,000 sshd lines/s on one core)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  say();

  // Index.
  let engine: EngineHandle | undefined;
  let url = process.env.SOC_WATCH_BENCH_ES_URL;
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
  const { config, secrets } = loadConfig({
    store: openConfigStore({ directory: mkdtempSync(join(tmpdir(), 'soc-watch-bench-config-')) }),
    env: { ELASTICSEARCH_URL: url, SOC_WATCH_REQUEST_TIMEOUT: '60s' },
  });
  const client = await createClusterClient(config, secrets);
  const indices: string[] = [];
  try {
    const info = await client.info();
    const parser = new LogParser({ format: 'auto', file: 'bench', now: NOW, zone: 'utc' });
    const items: IngestItem[] = [];
    syntheticAuthLog(INDEX_LINES).forEach((line, i) => {
      parser.push(line, i + 1, items);
    });
    parser.finish(items);
    say(
      `index: ${fmt(items.length)} documents into ${info.kind} ${info.version} at ${client.cluster}, fresh index per run, ${BATCH_BYTES / 1e6} MB requests`,
    );

    const plain: IndexRun[] = [];
    const helper: IndexRun[] = [];
    let lastHelperIndex = '';
    // Alternate the order each round, after one unmeasured warm-up run of each.
    for (let round = -1; round < ROUNDS; round += 1) {
      for (const which of round % 2 === 0 ? ['plain', 'helper'] : ['helper', 'plain']) {
        const index = `bench-ingest-${which}-${randomUUID().slice(0, 8)}`;
        indices.push(index);
        await ensureAuthTemplate(client, index);
        if (which === 'plain') {
          const run = await plainLoop(client, index, items);
          if (round >= 0) plain.push(run);
        } else {
          const run = await helperRun(client, index, items);
          // A retried request (timeout on a loaded machine) shows what its first try wrote as duplicates.
          if (run.created + run.duplicates !== items.length)
            throw new Error(`indexed ${run.created + run.duplicates} of ${items.length}`);
          if (run.retries > 0) say(`  (a soc-watch run needed ${run.retries} retries)`);
          if (round >= 0) helper.push(run);
          lastHelperIndex = index;
        }
      }
    }
    const row = (label: string, runs: IndexRun[]) =>
      say(
        `  ${label} median ${fmt(median(runs.map((run) => run.rate))).padStart(7)} docs/s, best ${fmt(Math.max(...runs.map((run) => run.rate))).padStart(7)}` +
          `   client CPU ${median(runs.map((run) => run.cpuPer10k))
            .toFixed(0)
            .padStart(4)} ms per 10k docs   runs: ${runs.map((run) => fmt(run.rate)).join(', ')}`,
      );
    row('(a) plain _bulk loop   ', plain);
    row('(b) soc-watch bulk path', helper);
    const ratio = (median(helper.map((run) => run.rate)) / median(plain.map((run) => run.rate))) * 100;
    const bestRatio =
      (Math.max(...helper.map((run) => run.rate)) / Math.max(...plain.map((run) => run.rate))) * 100;
    say(
      `  (b) / (a): ${ratio.toFixed(0)} % by median, ${bestRatio.toFixed(0)} % best against best   (target: ≥ 80 %)`,
    );
    const again = await helperRun(client, lastHelperIndex, items);
    say(
      `  re-ingest (b) over the same documents: ${fmt(again.rate)} docs/s, ${fmt(again.duplicates)} duplicates, ${fmt(again.created)} created`,
    );
  } finally {
    for (const index of indices) await deleteIndex(client, index).catch(() => {});
    const raw = client.raw;
    for (const index of indices) {
      const name = authTemplateName(index);
      if (raw.kind === 'elasticsearch')
        await raw.client.indices.deleteIndexTemplate({ name }).catch(() => {});
      else await raw.client.indices.deleteIndexTemplate({ name }).catch(() => {});
    }
    await client.close();
    await engine?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench:ingest failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);

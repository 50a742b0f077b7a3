// npm run bench:package — the single executable next to the npm command (bin/soc-watch.js on
// the Node 24 of node_modules/.bin), side by side; prints figures, asserts nothing.
//   size          the executable vs the npm package installed (dist/ + dependencies) + a Node
//   --version     start-up to exit, median of BENCH_RUNS (15) runs
//   first frame   the console in tmux (120×40): Enter to the first frame on screen, and to
//                 the first frame with data (LIVE), median of BENCH_FRAME_RUNS (7) runs
//   memory        RSS of the live console after BENCH_LIVE_SECONDS (60) of 1 s polls of the
//                 seeded data; and bench:render's BENCH_MEMORY_POLLS (10,000) console polls
//                 back to back (scripts/package-memory.ts) run inside the executable (its
//                 hidden SOC_WATCH_SEA_MEMORY_JOB switch: its bundled modules, its built-in
//                 flags) and by node with the launcher's flags over dist/, as the npm command.
// Needs build/ (npm run package) and dist/ (npm run build). Cluster: SOC_WATCH_BENCH_ES_URL
// (default http://127.0.0.1:9200) with data under the default index pattern, for the frames.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { REFRESH_MS, WINDOW_MS } from '../bench/render-harness.mjs';
import { testConfig } from '../test/support/config.js';
import { buildSeed, deleteIndices, seedIndex } from '../test/support/seed.js';
import { launcherCommand } from './launcher-command.js';
import type { PackageMemoryJob, PackageMemoryRun } from './package-memory.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const EXECUTABLE = path.join(ROOT, `build/soc-watch-linux-${arch()}`);
const LAUNCHER = path.join(ROOT, 'bin/soc-watch.js');
const NODE_BIN = path.join(ROOT, 'node_modules/.bin');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const FRAME_RUNS = Number(process.env.BENCH_FRAME_RUNS ?? 7);
const LIVE_SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 60);
const MEMORY_POLLS = Number(process.env.BENCH_MEMORY_POLLS ?? 10_000);
const CLUSTER = process.env.SOC_WATCH_BENCH_ES_URL ?? 'http://127.0.0.1:9200';
const launcher = launcherCommand(LAUNCHER);
const work = mkdtempSync(path.join(tmpdir(), 'soc-watch-bench-package-'));
const INDEX = `bench-package-${process.pid}`;
const baseEnv = {
  PATH: `${NODE_BIN}:/usr/bin:/bin`,
  HOME: work,
  SOC_WATCH_CONFIG_DIR: work,
  LANG: 'C.UTF-8',
  SOC_WATCH_INDEX_PATTERN: `${INDEX}-*`,
};

const say = (line = '') => process.stdout.write(`${line}\n`);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const ms = (value: number) => `${value.toFixed(0)} ms`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const row = (label: string, a: string, b: string) =>
  say(`${label.padEnd(34)}${a.padStart(16)}${b.padStart(16)}`);
const du = (target: string) =>
  Number(execFileSync('du', ['-sb', target], { encoding: 'utf8' }).split('\t')[0]);

const commands = {
  executable: [EXECUTABLE],
  npm: [LAUNCHER],
} as const;

function timeVersion(command: readonly string[]): number {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const started = performance.now();
    const result = spawnSync(command[0]!, ['--version'], { env: baseEnv, encoding: 'utf8' });
    times.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`${command[0]} --version: ${result.stderr}`);
  }
  return median(times);
}

async function timeFrames(command: readonly string[]): Promise<{ frame: number; live: number }> {
  let socket = '';
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const frames: number[] = [];
  const lives: number[] = [];
  try {
    for (let run = 0; run < FRAME_RUNS; run += 1) {
      // A tmux server of its own per run: a new session on a server still exiting fails.
      socket = `soc-watch-bench-${process.pid}-${command === commands.npm ? 'npm' : 'exe'}-${run}`;
      const env = { ...baseEnv, ELASTICSEARCH_URL: CLUSTER };
      newBenchSession(tmux, env);
      await new Promise((resolve) => setTimeout(resolve, 300));
      tmux('send-keys', '-t', 'bench', `exec ${command.join(' ')}`);
      const started = performance.now();
      tmux('send-keys', '-t', 'bench', 'Enter');
      let frame = 0;
      for (;;) {
        const alternate = tmux('display-message', '-p', '-t', 'bench', '#{alternate_on}').trim() === '1';
        const text = alternate ? tmux('capture-pane', '-p', '-t', 'bench') : '';
        if (!frame && alternate && text.trim() !== '') frame = performance.now() - started;
        if (text.includes('LIVE')) {
          lives.push(performance.now() - started);
          break;
        }
        if (performance.now() - started > 60_000) throw new Error(`no LIVE frame:\n${text}`);
      }
      frames.push(frame);
      tmux('kill-server');
    }
  } finally {
    try {
      tmux('kill-server');
    } catch {
      // gone
    }
  }
  return { frame: median(frames), live: median(lives) };
}

/** A 120×40 tmux session `bench` running a shell with `env` set, on the server `tmux` talks to. */
function newBenchSession(tmux: (...args: string[]) => string, env: Record<string, string>): void {
  const variables = Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
  tmux('new-session', '-d', '-s', 'bench', '-x', '120', '-y', '40', ...variables, '/bin/sh');
}

/**
 * RSS of a live console: started in tmux as for the frames, polling the seeded data every
 * second (SOC_WATCH_REFRESH=1s) for LIVE_SECONDS, then VmRSS of its process (the pane's: `exec`).
 */
async function liveRss(command: readonly string[]): Promise<number> {
  const socket = `soc-watch-bench-${process.pid}-rss-${command === commands.npm ? 'npm' : 'exe'}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const env = { ...baseEnv, ELASTICSEARCH_URL: CLUSTER, SOC_WATCH_REFRESH: '1s' };
  newBenchSession(tmux, env);
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    tmux('send-keys', '-t', 'bench', `exec ${command.join(' ')}`, 'Enter');
    const deadline = Date.now() + 60_000;
    while (!tmux('capture-pane', '-p', '-t', 'bench').includes('LIVE')) {
      if (Date.now() > deadline) throw new Error('no LIVE frame');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, LIVE_SECONDS * 1000));
    const pid = tmux('display-message', '-p', '-t', 'bench', '#{pane_pid}').trim();
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) * 1024;
  } finally {
    tmux('kill-server');
  }
}

/** bench:render's console polls, inside the executable and as the npm command runs (see the top). */
async function pollMemory(): Promise<{ executable: PackageMemoryRun; npm: PackageMemoryRun }> {
  const job: PackageMemoryJob = {
    config: testConfig({ refreshMs: REFRESH_MS, windowMs: WINDOW_MS }),
    polls: MEMORY_POLLS,
  };
  const parse = (what: string, result: ReturnType<typeof spawnSync>) => {
    const line = String(result.stdout).trim().split('\n').pop() ?? '';
    if (result.status !== 0 || !line.startsWith('{'))
      throw new Error(`memory run (${what}) failed: ${String(result.stderr)}${String(result.stdout)}`);
    return JSON.parse(line) as PackageMemoryRun;
  };
  const timeout = 3_600_000;
  const executable = parse(
    'executable',
    spawnSync(EXECUTABLE, [], {
      env: { ...baseEnv, SOC_WATCH_SEA_MEMORY_JOB: JSON.stringify(job) },
      encoding: 'utf8',
      timeout,
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
  // Beside dist/ (build/), so that its `../dist/` and node_modules resolve as the launcher's do.
  const npmEntry = path.join(ROOT, 'build/package-memory-npm.mjs');
  await build({
    entryPoints: [path.join(ROOT, 'scripts/package-memory-npm.ts')],
    outfile: npmEntry,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node24',
    logLevel: 'warning',
  });
  const npm = parse(
    'npm command',
    spawnSync(path.join(NODE_BIN, 'node'), [...launcher.flags, npmEntry, JSON.stringify(job)], {
      env: { ...baseEnv, ...launcher.env, NODE_ENV: 'production' },
      encoding: 'utf8',
      timeout,
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
  rmSync(npmEntry, { force: true });
  return { executable, npm };
}

say(
  `bench:package — build/${path.basename(EXECUTABLE)} vs the npm command (bin/soc-watch.js on node_modules/.bin/node ${execFileSync(path.join(NODE_BIN, 'node'), ['--version'], { encoding: 'utf8' }).trim()})`,
);
say();
row('', 'executable', 'npm command');
const nodeSize = du(path.join(ROOT, 'node_modules/node/bin/node'));
const packSize = du(path.join(ROOT, 'dist')) + du(path.join(ROOT, 'bin/soc-watch.js'));
row('size on disk', mb(du(EXECUTABLE)), `${mb(packSize)} + deps`);
say(
  `  (npm command: dist/ and the launcher; its dependencies add what \`npm install -g\` fetches, and it needs a Node ≥ 22: this one is ${mb(nodeSize)})`,
);
row(`--version (median of ${RUNS})`, ms(timeVersion(commands.executable)), ms(timeVersion(commands.npm)));
const seed = buildSeed(Date.now());
await seedIndex(CLUSTER, 'elasticsearch', `${INDEX}-ssh`, seed.docs.ssh);
await seedIndex(CLUSTER, 'elasticsearch', `${INDEX}-rdp`, seed.docs.rdp);
try {
  const frameExecutable = await timeFrames(commands.executable);
  const frameNpm = await timeFrames(commands.npm);
  row(`first console frame (median of ${FRAME_RUNS})`, ms(frameExecutable.frame), ms(frameNpm.frame));
  row('first frame with data (LIVE)', ms(frameExecutable.live), ms(frameNpm.live));
  const rssExecutable = await liveRss(commands.executable);
  const rssNpm = await liveRss(commands.npm);
  row(`console RSS after ${LIVE_SECONDS} s of 1 s polls`, mb(rssExecutable), mb(rssNpm));
  const polls = await pollMemory();
  const mib = (value: number) => `${value.toFixed(1)} MB`;
  row(
    `RSS after ${MEMORY_POLLS.toLocaleString('en-US')} polls (bench:render's)`,
    mib(polls.executable.rssMb),
    mib(polls.npm.rssMb),
  );
  row('  peak RSS of that run', mib(polls.executable.peakRssMb), mib(polls.npm.peakRssMb));
  row('  heap live after a full GC', mib(polls.executable.liveHeapMb), mib(polls.npm.liveHeapMb));
  for (const [label, run] of Object.entries(polls))
    say(
      `  ${label}: flags seen inside: ${run.execArgv.join(' ') || 'none'}, MALLOC_ARENA_MAX=${run.mallocArenaMax ?? 'unset'}; RSS by poll ${run.samples.map((sample) => `${sample.poll}:${sample.rssMb.toFixed(0)}`).join(' ')} MB`,
    );
  say(
    `  node flags ${launcher.flags.join(' ')}, ${Object.entries(launcher.env)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ')}: from the shebang (npm command), built in + one restart (executable)`,
  );
} finally {
  await deleteIndices(CLUSTER, [`${INDEX}-ssh`, `${INDEX}-rdp`]);
}
rmSync(work, { recursive: true, force: true });

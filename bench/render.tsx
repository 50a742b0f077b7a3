// npm run bench:render — what the live console costs per poll on a 120×40 terminal, with
// 30 offenders per service and the alert feed full, and incremental rendering on vs off.
// Prints figures; asserts nothing about time.
//
//   per poll    bytes written to the terminal, frames drawn, CPU and wall time, over 100
//               polls where a few numbers change each time (3 offenders gain failures, the
//               sparkline's last bucket grows, "last seen" moves)
//   startup     render() to the first full screen of data with an instant data source, and
//               with one real query against the local cluster (SOC_WATCH_BENCH_ES_URL,
//               default http://127.0.0.1:9200; skipped when unreachable)
//   memory      RSS over 10,000 polls (detector clock 5 s per poll, ≈14 h, with offenders
//               coming and going so alerts open, go quiet and close) in a fresh child that
//               runs what ships: the compiled dist/ (built by `npm run bench:render` first)
//               under plain node with the node command line of bin/soc-watch.js's shebang
//               (read from it), holding a cluster client made as the console makes it.
//               Each sample shows RSS next to V8's heap (used, total) and external memory,
//               then, after a forced collection, what is still reachable (a leak grows
//               there); the last sample is broken down (anonymous vs mapped files, V8 spaces).
//               The polls run back to back, far faster than a console polls, which is the
//               hard case for memory: V8 sizes its heap from the allocation rate.
//   knobs       BENCH_MEMORY_POLLS (10000), BENCH_IDLE_MS (pause before each memory sample),
//               BENCH_FLAGS (node flags of the memory child instead of the launcher's),
//               BENCH_NODE_DEFAULTS=1 (adds a run with plain `node`, no flags or settings)
//
// The terminal is a fake TTY stream that counts bytes; the app is the real App, store,
// reducer and detector, rendered by Ink exactly as `soc-watch` renders it.
import { spawnSync } from 'node:child_process';
import { launcherCommand } from '../scripts/launcher-command.js';
import { createClusterClient } from '../source/cluster/client.js';
import { fetchSnapshots } from '../source/cluster/fetch.js';
import { testConfig } from '../test/support/config.js';
import { plainNodeChild } from './plain-node-child.mjs';
import {
  COLUMNS,
  loadProduct,
  mount as mountWith,
  OFFENDERS,
  REFRESH_MS,
  ROWS,
  T0,
  Traffic,
  WINDOW_MS,
} from './render-harness.mjs';
import type { MemoryJob, MemoryRun } from './render-memory.mjs';

// A real terminal gets colours; the fake one here would get none (it is no TTY to chalk),
// which would understate the bytes. 16 colours is what the theme uses. Set before chalk
// loads (with the product, below), and inherited by the memory child.
process.env.FORCE_COLOR ??= '1';
// The per-poll figures run the TypeScript sources under tsx (same code as dist/, compiled
// on the fly); the memory child runs dist/ itself. loadProduct sets NODE_ENV=production
// first, as the launcher does, so React's production build is measured.
const product = await loadProduct(new URL('../source/', import.meta.url));
const { MAX_FPS } = product;
const config = testConfig({ refreshMs: REFRESH_MS, windowMs: WINDOW_MS });
const mount = (incremental: boolean) => mountWith(product, config, incremental);

const POLLS = 100;
const MEMORY_POLLS = Number(process.env.BENCH_MEMORY_POLLS ?? 10_000);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 0);

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

interface PollFigures {
  bytes: number;
  frames: number;
  cpuMs: number;
  wallMs: number;
  fullFrameBytes: number;
  alerts: number;
  firstScreenMs: number;
}

async function measure(incremental: boolean): Promise<PollFigures> {
  const traffic = new Traffic();
  const started = performance.now();
  const session = mount(incremental);
  // Instant data source: the first poll is there as soon as the app is.
  session.store.dispatch({ type: 'poll', snapshot: traffic.poll(0, T0, false), slowSnapshot: null, now: T0 });
  await session.flush();
  const firstScreenMs = performance.now() - started;
  const fullFrameBytes = session.terminal.bytes;
  const alerts = product.alertList(session.store.getState()).length;
  // Warm up (JIT), then measure.
  for (let poll = 1; poll <= 20; poll += 1) {
    session.clock.now += REFRESH_MS;
    session.store.dispatch({
      type: 'poll',
      snapshot: traffic.poll(poll, session.clock.now, false),
      slowSnapshot: null,
      now: session.clock.now,
    });
    await session.flush();
  }
  const bytes0 = session.terminal.bytes;
  const renders0 = session.renders();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let poll = 21; poll < 21 + POLLS; poll += 1) {
    session.clock.now += REFRESH_MS;
    session.store.dispatch({
      type: 'poll',
      snapshot: traffic.poll(poll, session.clock.now, false),
      slowSnapshot: null,
      now: session.clock.now,
    });
    await session.flush();
  }
  const cpu = process.cpuUsage(cpu0);
  const figures = {
    bytes: (session.terminal.bytes - bytes0) / POLLS,
    frames: (session.renders() - renders0) / POLLS,
    cpuMs: (cpu.user + cpu.system) / 1000 / POLLS,
    wallMs: (performance.now() - wall0) / POLLS,
    fullFrameBytes,
    alerts,
    firstScreenMs,
  };
  session.stop();
  return figures;
}

const CLUSTER_URL = process.env.SOC_WATCH_BENCH_ES_URL ?? 'http://127.0.0.1:9200';

/** First full screen with one real query; `reachable` says whether the cluster answered. */
async function firstScreenWithRealQuery(): Promise<{ text: string; reachable: boolean }> {
  const config = testConfig({
    nodes: [CLUSTER_URL],
    windowMs: WINDOW_MS,
    indexPattern: 'logs-*,soc-watch-auth',
  });
  const started = performance.now();
  let client: Awaited<ReturnType<typeof createClusterClient>> | undefined;
  try {
    const session = mount(true);
    client = await createClusterClient(config, {});
    const queryStarted = performance.now();
    const [snapshot] = await fetchSnapshots(client, config, [{ windowMs: WINDOW_MS }]);
    const queryMs = performance.now() - queryStarted;
    if (!snapshot) throw new Error('no snapshot');
    session.store.dispatch({ type: 'poll', snapshot, slowSnapshot: null, now: Date.now() });
    await session.flush();
    const total = performance.now() - started;
    session.stop();
    return {
      text: `${total.toFixed(0)} ms (connect + backend detection + one _msearch of ${queryMs.toFixed(0)} ms, ${snapshot.backend.kind} ${snapshot.backend.version} at ${client.cluster})`,
      reachable: true,
    };
  } catch (error) {
    return { text: `n/a (${(error as Error).message})`, reachable: false };
  } finally {
    await client?.close();
  }
}

const ROOT = new URL('../', import.meta.url);
const LAUNCHER = new URL('bin/soc-watch.js', ROOT);
const DIST = new URL('dist/', ROOT);

/** The memory child (render-memory.mts, render-harness.mts, seeded-random.mts) as plain JavaScript. */
const writeMemoryChild = () =>
  plainNodeChild(['seeded-random.mts', 'render-harness.mts', 'render-memory.mts'], 'render-memory.mts');

/** One memory run in a fresh process: plain node, `flags`, `env` added, dist/ as the product. */
function memoryInChild(
  child: URL,
  flags: string[],
  env: Record<string, string>,
  clusterUrl: string | undefined,
): MemoryRun {
  const job: MemoryJob = {
    productRoot: DIST.href,
    config,
    polls: MEMORY_POLLS,
    idleMs: IDLE_MS,
    ...(clusterUrl ? { clusterUrl } : {}),
  };
  const run = spawnSync(process.execPath, [...flags, child.pathname, JSON.stringify(job)], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`memory run failed: ${run.stderr}`);
  const line = run.stdout.split('\n').find((text) => text.startsWith('{'));
  if (!line) throw new Error(`memory run printed no samples: ${run.stdout}${run.stderr}`);
  return JSON.parse(line) as MemoryRun;
}

const pad = (text: string, width: number) => text.padStart(width);
const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main() {
  const processStartToNow = performance.now();
  say(`bench:render — ${COLUMNS}×${ROWS}, ${OFFENDERS} offenders per service (SSH, RDP), maxFps ${MAX_FPS}`);
  const on = await measure(true);
  const off = await measure(false);
  say(`alert feed: ${on.alerts} alerts (the feed shows what fits: full)`);
  say(`${POLLS} polls, 3 offenders per service change each poll, after 20 warm-up polls`);
  say();
  say(`${''.padEnd(30)}${pad('incremental', 14)}${pad('full redraw', 14)}`);
  say(`${'bytes per poll'.padEnd(30)}${pad(fmt(on.bytes), 14)}${pad(fmt(off.bytes), 14)}`);
  say(
    `${'  as % of a full redraw'.padEnd(30)}${pad(`${fmt((100 * on.bytes) / off.bytes, 1)} %`, 14)}${pad('100 %', 14)}`,
  );
  say(`${'frames per poll'.padEnd(30)}${pad(fmt(on.frames, 2), 14)}${pad(fmt(off.frames, 2), 14)}`);
  say(`${'CPU ms per poll'.padEnd(30)}${pad(fmt(on.cpuMs, 2), 14)}${pad(fmt(off.cpuMs, 2), 14)}`);
  say(`${'wall ms per poll'.padEnd(30)}${pad(fmt(on.wallMs, 2), 14)}${pad(fmt(off.wallMs, 2), 14)}`);
  say(
    `${'first frame (whole screen)'.padEnd(30)}${pad(`${fmt(on.fullFrameBytes)} B`, 14)}${pad(`${fmt(off.fullFrameBytes)} B`, 14)}`,
  );
  say();
  say(
    `first full screen, instant data source: ${on.firstScreenMs.toFixed(0)} ms after render() (first run, cold JIT)`,
  );
  say(
    `  process start → first full screen: ${(processStartToNow + on.firstScreenMs).toFixed(0)} ms (includes tsx transpiling this bench)`,
  );
  const realQuery = await firstScreenWithRealQuery();
  say(`first full screen with a real query: ${realQuery.text}`);
  say();
  // The launcher's node command line (shebang), unless BENCH_FLAGS replaces its flags.
  const launcher = launcherCommand(LAUNCHER);
  const variants = [
    process.env.BENCH_FLAGS === undefined
      ? { label: `as \`soc-watch\` runs (${launcher.text}, from its launcher)`, ...launcher }
      : {
          label: `BENCH_FLAGS: ${process.env.BENCH_FLAGS}`,
          env: launcher.env,
          flags: process.env.BENCH_FLAGS.split(' ').filter(Boolean),
        },
  ];
  // Optional second run with node's defaults, to show what the launcher's settings save.
  if (process.env.BENCH_NODE_DEFAULTS) variants.push({ label: 'node defaults', env: {}, flags: [] });
  const child = await writeMemoryChild();
  const clusterUrl = realQuery.reachable ? CLUSTER_URL : undefined;
  const runs = variants.map((variant) => ({
    ...variant,
    ...memoryInChild(child, variant.flags, variant.env, clusterUrl),
  }));
  for (const run of runs) {
    say(`memory over ${fmt(MEMORY_POLLS)} polls of dist/ under plain node, ${run.label}:`);
    say(`  cluster client: ${run.client}`);
    say(
      `${'poll'.padStart(8)}${'RSS MB'.padStart(9)}${'heap used'.padStart(11)}${'heap total'.padStart(12)}${'external'.padStart(10)}${'after gc: RSS'.padStart(15)}${'heap used'.padStart(11)}${'alerts'.padStart(8)}`,
    );
    for (const entry of run.samples) {
      say(
        `${fmt(entry.poll).padStart(8)}${fmt(entry.rssMb, 1).padStart(9)}${fmt(entry.heapUsedMb, 1).padStart(11)}${fmt(entry.heapTotalMb, 1).padStart(12)}${fmt(entry.externalMb, 1).padStart(10)}${fmt(entry.gcRssMb, 1).padStart(15)}${fmt(entry.gcHeapUsedMb, 1).padStart(11)}${fmt(entry.alerts).padStart(8)}`,
      );
    }
    const last = run.samples.at(-1)!;
    const spaces = Object.entries(last.spaces)
      .filter(([, mb]) => mb >= 0.05)
      .map(([name, mb]) => `${name.replace(/_space$/, '')} ${fmt(mb, 1)}`)
      .join(', ');
    say(
      `  RSS at the end, ${fmt(last.rssMb, 1)} MB = ${fmt(last.rssAnonMb, 1)} MB anonymous + ${fmt(last.rssFileMb, 1)} MB mapped files (node's own code and ICU data: shared, clean)`,
    );
    say(
      `    anonymous: V8 heap ${fmt(last.heapTotalMb, 1)} MB committed (${spaces}), V8 pages pooled for reuse, malloc, wasm (yoga); "external" ${fmt(last.externalMb, 1)} MB is what V8 is told of outside its heap, not all of it resident`,
    );
    say(
      `  peak RSS over the run ${fmt(run.peakRssMb, 1)} MB; CPU per poll (bench collections excluded) ${fmt(last.cpuMs / Math.max(1, last.poll), 1)} ms`,
    );
    say();
  }
  say('targets:');
  say(`  ≤ 1 frame per poll: ${fmt(on.frames, 2)} ${on.frames <= 1 ? 'met' : 'MISSED'}`);
  const share = on.bytes / off.bytes;
  say(
    `  bytes per poll ≤ 25 % of a full redraw: ${fmt(100 * share, 1)} % ${share <= 0.25 ? 'met' : 'MISSED'}`,
  );
  for (const run of runs) {
    // "Flat" is judged from the second sample on: the first is before the heap has warmed up.
    const second = run.samples[1]!;
    const last = run.samples.at(-1)!;
    say(
      `  RSS ≤ 150 MB after ${fmt(MEMORY_POLLS)} polls (${run.label}): ${fmt(last.rssMb, 1)} MB ${last.rssMb <= 150 ? 'met' : 'MISSED'}`,
    );
    say(
      `    flat: RSS ${fmt(second.rssMb, 1)} MB at poll ${fmt(second.poll)} → ${fmt(last.rssMb, 1)} MB at ${fmt(last.poll)} (peak ${fmt(run.peakRssMb, 1)}); heap used after gc ${fmt(second.gcHeapUsedMb, 1)} → ${fmt(last.gcHeapUsedMb, 1)} MB`,
    );
  }
}

await main();

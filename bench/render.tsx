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
//   memory      RSS and heap over 10,000 polls (detector clock 5 s per poll, ≈14 h, with
//               offenders coming and going so alerts open, go quiet and close), in a fresh
//               child process with the launcher's --max-semi-space-size=1; BENCH_NODE_DEFAULTS=1
//               adds a run with V8's default young generation. The polls run back to back, so V8 sizes its heap for a far higher
//               allocation rate than one poll every few seconds: "heap used" shows leaks,
//               RSS here is an upper bound, not what a console settles at.
//   knobs       BENCH_MEMORY_POLLS (10000), BENCH_IDLE_MS (pause before each memory sample),
//               BENCH_FLAGS (node flags of the memory child; default the launcher's)
//
// The terminal is a fake TTY stream that counts bytes; the app is the real App, store,
// reducer and detector, rendered by Ink exactly as `soc-watch` renders it.
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createClusterClient } from '../source/cluster/client.js';
import { fetchSnapshots } from '../source/cluster/fetch.js';
import type { Offender, ServiceSnapshot, Snapshot } from '../source/cluster/snapshot.js';
import { detectionSettings } from '../source/detect/settings.js';
import { UNICODE_GLYPHS } from '../source/ui/glyphs.js';
import { initialState } from '../source/ui/state.js';
import { createStore, type Store } from '../source/ui/store.js';
import { COLOUR_THEME } from '../source/ui/theme.js';
import { testConfig } from '../test/support/config.js';

// React picks its development or production build when it is first loaded, and the
// development build (prop diffing, performance-track logging) costs several times more per
// render. `soc-watch` runs with NODE_ENV=production (bin/soc-watch.js); so does this bench,
// which is why everything that loads React is imported below, after this line, and the
// tree is built with createElement instead of JSX (JSX would import React up front).
// Colours are forced on for the same reason chalk needs it before it loads.
process.env.NODE_ENV = 'production';
// A real terminal gets colours; the fake one here would get none (it is no TTY to chalk),
// which would understate the bytes. 16 colours is what the theme uses.
process.env.FORCE_COLOR ??= '1';
const React = await import('react');
const { render } = await import('ink');
const { App } = await import('../source/ui/App.js');
const { UiContext } = await import('../source/ui/ui-context.js');
const { MAX_FPS } = await import('../source/commands/console.js');

const COLUMNS = 120;
const ROWS = 40;
const OFFENDERS = 30;
const POLLS = 100;
const MEMORY_POLLS = Number(process.env.BENCH_MEMORY_POLLS ?? 10_000);
const MEMORY_CHILD = '--memory-child';
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 0);
const REFRESH_MS = 5000;
const WINDOW_MS = 15 * 60_000;
const BUCKET_MS = 15_000;
const T0 = Date.parse('2026-03-01T12:00:00.000Z');

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** A terminal that counts what it is sent. */
class Terminal extends EventEmitter {
  readonly isTTY = true;
  readonly columns = COLUMNS;
  readonly rows = ROWS;
  bytes = 0;
  write(chunk: string | Uint8Array, encoding?: unknown, callback?: () => void): boolean {
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    const done = typeof encoding === 'function' ? (encoding as () => void) : callback;
    done?.();
    return true;
  }
}

class Keyboard extends EventEmitter {
  readonly isTTY = true;
  read = () => null;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

/** mulberry32: the same "random" changes on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Attack traffic that evolves poll by poll: a few counts change, sources come and go. */
class Traffic {
  private readonly random = seeded(42);
  private next = 1;
  private readonly services: { name: string; label: string; offenders: Offender[]; timeline: number[] }[];

  constructor() {
    this.services = [
      { name: 'ssh', label: 'SSH', offenders: [], timeline: new Array(WINDOW_MS / BUCKET_MS).fill(0) },
      { name: 'rdp', label: 'RDP', offenders: [], timeline: new Array(WINDOW_MS / BUCKET_MS).fill(0) },
    ];
    for (const service of this.services) {
      for (let index = 0; index < OFFENDERS; index += 1) service.offenders.push(this.offender(T0, index));
    }
  }

  private offender(now: number, index: number): Offender {
    const id = this.next++;
    const failures = 5 + Math.floor(this.random() * 200);
    const users = 1 + (index % 9);
    return {
      ip:
        index % 5 === 0
          ? `2001:db8:${(id % 65_000).toString(16)}::${index + 1}`
          : `198.51.${id % 250}.${index + 1}`,
      failures,
      distinctUsers: users,
      topUsers: Array.from({ length: Math.min(users, 5) }, (_, user) => ({
        name: ['root', 'admin', 'oracle', 'ubuntu', 'test'][user]!,
        count: Math.max(1, Math.floor(failures / (user + 2))),
      })),
      invalidUserFailures: index % 4 === 0 ? Math.floor(failures / 2) : 0,
      hosts: [{ name: `web-${index % 3}`, count: failures }],
      firstFailure: iso(now - 600_000),
      lastFailure: iso(now - Math.floor(this.random() * 300_000)),
      successesAfterFailure: index === 7 ? 1 : 0,
      firstSuccessAfterFailure: index === 7 ? iso(now - 60_000) : null,
      successUser: index === 7 ? 'admin' : null,
      country: ['CN', 'RU', 'US', 'BR', null][index % 5] ?? null,
      asn: index % 5 === 4 ? null : 4134 + index,
      asOrg: index % 5 === 4 ? null : `AS-ORG-${index}`,
    };
  }

  /** The snapshot of poll `poll` (taken at `now`). */
  poll(poll: number, now: number, churn: boolean): Snapshot {
    const services: ServiceSnapshot[] = this.services.map((service) => {
      // A few numbers change: three offenders gain failures, the last bucket grows.
      for (let change = 0; change < 3; change += 1) {
        const index = Math.floor(this.random() * service.offenders.length);
        const current = service.offenders[index]!;
        const more = 1 + Math.floor(this.random() * 3);
        service.offenders[index] = { ...current, failures: current.failures + more, lastFailure: iso(now) };
        service.timeline[service.timeline.length - 1]! += more;
      }
      if (poll % (BUCKET_MS / REFRESH_MS) === 0) service.timeline = [...service.timeline.slice(1), 0];
      if (churn && poll % 50 === 0) {
        // A new source replaces the quietest one (its alerts go quiet, then close).
        service.offenders.sort((a, b) => b.failures - a.failures);
        service.offenders[service.offenders.length - 1] = this.offender(now, poll % OFFENDERS);
      }
      const offenders = [...service.offenders].sort((a, b) => b.failures - a.failures);
      return {
        service: service.name,
        label: service.label,
        failures: offenders.reduce((sum, offender) => sum + offender.failures, 0),
        successes: 3,
        distinctIps: offenders.length,
        unknownSource: 2,
        invalidUserFailures: offenders.reduce((sum, offender) => sum + offender.invalidUserFailures, 0),
        offenders,
        offendersTruncated: false,
        timeline: [...service.timeline],
        targetedUsers: [],
        took: 4,
      };
    });
    return {
      schema: 1,
      backend: { kind: 'elasticsearch', version: '8.19.9' },
      cluster: 'es.example:9200',
      indexPattern: 'logs-*,winlogbeat-*',
      window: { from: iso(now - WINDOW_MS), to: iso(now), ms: WINDOW_MS },
      bucketMs: BUCKET_MS,
      services,
      customRules: [],
      took: 4,
      fetchMs: 6,
      fetchedAt: iso(now),
    };
  }
}

interface Session {
  store: Store;
  terminal: Terminal;
  renders: () => number;
  flush: () => Promise<void>;
  stop: () => void;
  clock: { now: number };
}

function mount(incremental: boolean): Session {
  const config = testConfig({ refreshMs: REFRESH_MS, windowMs: WINDOW_MS });
  const clock = { now: T0 };
  const store = createStore(
    initialState({
      now: clock.now,
      services: config.services.map((service) => ({ name: service.name, label: service.label })),
      cluster: 'es.example:9200',
      indexPattern: config.indexPattern,
      refreshMs: REFRESH_MS,
      windowMs: WINDOW_MS,
      settings: detectionSettings(config),
      escalation: { configured: true, hint: 'Slack: configured' },
    }),
  );
  const terminal = new Terminal();
  let renders = 0;
  const instance = render(
    React.createElement(
      UiContext,
      { value: { glyphs: UNICODE_GLYPHS, theme: COLOUR_THEME } },
      React.createElement(App, { store, onEffect: () => {}, clock: () => clock.now }),
    ),
    {
      stdout: terminal as unknown as NodeJS.WriteStream,
      stdin: new Keyboard() as unknown as NodeJS.ReadStream,
      stderr: new Terminal() as unknown as NodeJS.WriteStream,
      exitOnCtrlC: false,
      patchConsole: false,
      incrementalRendering: incremental,
      maxFps: MAX_FPS,
      alternateScreen: true,
      interactive: true,
      onRender: () => {
        renders += 1;
      },
    },
  );
  return {
    store,
    terminal,
    clock,
    renders: () => renders,
    flush: () => instance.waitUntilRenderFlush(),
    stop: () => {
      instance.unmount();
      instance.cleanup();
    },
  };
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
  const alerts = session.store.getState().alerts.length;
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

async function firstScreenWithRealQuery(): Promise<string> {
  const url = process.env.SOC_WATCH_BENCH_ES_URL ?? 'http://127.0.0.1:9200';
  const config = testConfig({ nodes: [url], windowMs: WINDOW_MS, indexPattern: 'logs-*,soc-watch-auth' });
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
    return `${total.toFixed(0)} ms (connect + backend detection + one _msearch of ${queryMs.toFixed(0)} ms, ${snapshot.backend.kind} ${snapshot.backend.version} at ${client.cluster})`;
  } catch (error) {
    return `n/a (${(error as Error).message})`;
  } finally {
    await client?.close();
  }
}

interface MemorySample {
  poll: number;
  rssMb: number;
  heapMb: number;
  heapTotalMb: number;
  alerts: number;
}

/** The long run, in a process of its own so nothing from the other measurements lingers. */
async function memory(): Promise<MemorySample[]> {
  const traffic = new Traffic();
  const session = mount(true);
  const samples: MemorySample[] = [];
  for (let poll = 0; poll <= MEMORY_POLLS; poll += 1) {
    session.clock.now = T0 + poll * REFRESH_MS;
    session.store.dispatch({
      type: 'poll',
      snapshot: traffic.poll(poll, session.clock.now, true),
      slowSnapshot: null,
      now: session.clock.now,
    });
    await session.flush();
    if (poll % (MEMORY_POLLS / 10) === 0) {
      if (IDLE_MS > 0) await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      gc();
      const usage = process.memoryUsage();
      samples.push({
        poll,
        rssMb: usage.rss / 1_048_576,
        heapMb: usage.heapUsed / 1_048_576,
        heapTotalMb: usage.heapTotal / 1_048_576,
        alerts: session.store.getState().alerts.length,
      });
    }
  }
  session.stop();
  return samples;
}

/** Run `memory()` in a child (same runtime and loader as this process, plus `flags`). */
function memoryInChild(flags: string[]): MemorySample[] {
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, ...flags, import.meta.filename, MEMORY_CHILD],
    {
      encoding: 'utf8',
      env: process.env,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  if (child.status !== 0) throw new Error(`memory run failed: ${child.stderr}`);
  const line = child.stdout.split('\n').find((text) => text.startsWith('['));
  if (!line) throw new Error(`memory run printed no samples: ${child.stdout}${child.stderr}`);
  return JSON.parse(line) as MemorySample[];
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
  say(`first full screen with a real query: ${await firstScreenWithRealQuery()}`);
  say();
  // bin/soc-watch.js runs node with --max-semi-space-size=1 (see its comment): measure that.
  const variants = [
    {
      label: 'as `soc-watch` runs (--max-semi-space-size=1, from its launcher)',
      flags: (process.env.BENCH_FLAGS ?? '--max-semi-space-size=1').split(' '),
    },
  ];
  // Optional second run with V8's defaults, to show what the flag saves (doubles the time).
  if (process.env.BENCH_NODE_DEFAULTS) variants.push({ label: 'node defaults', flags: [] as string[] });
  const runs = variants.map((variant) => ({ ...variant, samples: memoryInChild(variant.flags) }));
  for (const run of runs) {
    say(`memory over ${fmt(MEMORY_POLLS)} polls, ${run.label}, after gc (tsx loader included):`);
    say(
      `${'poll'.padStart(8)}${'RSS MB'.padStart(10)}${'heap used'.padStart(11)}${'heap total'.padStart(12)}${'alerts'.padStart(9)}`,
    );
    for (const entry of run.samples) {
      say(
        `${fmt(entry.poll).padStart(8)}${fmt(entry.rssMb, 1).padStart(10)}${fmt(entry.heapMb, 1).padStart(11)}${fmt(entry.heapTotalMb, 1).padStart(12)}${fmt(entry.alerts).padStart(9)}`,
      );
    }
    say();
  }
  say('targets:');
  say(`  ≤ 1 frame per poll: ${fmt(on.frames, 2)} ${on.frames <= 1 ? 'met' : 'MISSED'}`);
  const share = on.bytes / off.bytes;
  say(
    `  bytes per poll ≤ 25 % of a full redraw: ${fmt(100 * share, 1)} % ${share <= 0.25 ? 'met' : 'MISSED'}`,
  );
  for (const run of runs) {
    const second = run.samples[1]!;
    const last = run.samples.at(-1)!;
    say(
      `  RSS ≤ 150 MB after ${fmt(MEMORY_POLLS)} polls (${run.label}): ${fmt(last.rssMb, 1)} MB ${last.rssMb <= 150 ? 'met' : 'MISSED'}; heap used ${fmt(second.heapMb, 1)} MB at poll ${fmt(second.poll)} → ${fmt(last.heapMb, 1)} MB`,
    );
  }
}

if (process.argv.includes(MEMORY_CHILD)) say(JSON.stringify(await memory()));
else await main();

// bench:package's memory run: bench:render's 10,000 console polls (the real App, store,
// reducer and detector rendered by Ink into a fake terminal, with the evolving attack traffic
// of bench/render-harness.mts), run once inside the single executable and once the way the npm
// command runs, so the two RSS figures are of the same work. Inside the executable it is
// reached only with SOC_WATCH_SEA_MEMORY_JOB set (scripts/package-sea-main.ts): the product's
// own bundled modules, under the executable's built-in node flags and environment.
// The loop is bench/render-memory.mts's, cut down to the figures bench:package prints.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mount, type Product, REFRESH_MS, T0, Traffic } from '../bench/render-harness.mjs';
import type { Config } from '../source/config/types.js';

export interface PackageMemoryJob {
  config: Config;
  polls: number;
}

export interface PackageMemoryRun {
  /** RSS (MB) after the last poll, as the console has it (before any forced collection). */
  rssMb: number;
  /** Peak RSS of the run (VmHWM, MB). */
  peakRssMb: number;
  /** Heap still reachable after a full collection at the end (MB): a leak shows here. */
  liveHeapMb: number;
  /** The node flags the process runs with, and MALLOC_ARENA_MAX, as it saw them. */
  execArgv: string[];
  mallocArenaMax: string | undefined;
  /** RSS (MB) every tenth of the run. */
  samples: { poll: number; rssMb: number }[];
}

const MB = 1_048_576;

function procStatusMb(field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

export async function runPackageMemory(product: Product, job: PackageMemoryJob): Promise<PackageMemoryRun> {
  const traffic = new Traffic();
  const session = mount(product, job.config, true);
  const samples: { poll: number; rssMb: number }[] = [];
  const every = Math.max(1, Math.floor(job.polls / 10));
  for (let poll = 0; poll <= job.polls; poll += 1) {
    session.clock.now = T0 + poll * REFRESH_MS;
    session.store.dispatch({
      type: 'poll',
      snapshot: traffic.poll(poll, session.clock.now, true),
      slowSnapshot: null,
      now: session.clock.now,
    });
    await session.flush();
    if (poll % every === 0) samples.push({ poll, rssMb: process.memoryUsage().rss / MB });
  }
  const rssMb = process.memoryUsage().rss / MB;
  session.stop();
  // The bench's collection, not the product's: the flag is set at run time so the command
  // line stays the product's.
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return {
    rssMb,
    peakRssMb: procStatusMb('VmHWM'),
    liveHeapMb: process.memoryUsage().heapUsed / MB,
    execArgv: process.execArgv,
    mallocArenaMax: process.env.MALLOC_ARENA_MAX,
    samples,
  };
}

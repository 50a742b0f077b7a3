// The memory child of bench/render.tsx: 10,000 console polls back to back against the
// compiled product (dist/), in a process started the way bin/soc-watch.js starts node, so
// RSS here is what `soc-watch` itself would hold. The parent transpiles this file and
// render-harness.mts to JavaScript and runs them under plain node (no tsx, no type
// stripping: either would add its own tens of MB). One argument, JSON: `MemoryJob`.
// Prints one JSON line: a `MemoryRun`.
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Config } from '../source/config/types.js';
import { loadProduct, mount, REFRESH_MS, T0, Traffic } from './render-harness.mjs';

export interface MemoryJob {
  /** file: URL of the compiled product (dist/), with a trailing slash. */
  productRoot: string;
  config: Config;
  polls: number;
  /** Pause before each sample (an idle console between polls; 0 = back to back). */
  idleMs: number;
  /** A reachable cluster to connect to as the console does (backend auto); else none. */
  clusterUrl?: string;
}

export interface MemoryRun {
  /** Which cluster client the run holds, and how it was made. */
  client: string;
  /** Peak RSS of the whole run (VmHWM). */
  peakRssMb: number;
  samples: MemorySample[];
}

export interface MemorySample {
  poll: number;
  alerts: number;
  /** process.memoryUsage() as the console has it, before the bench forces a collection. */
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  /** After a full collection: what is still reachable (a leak shows here). */
  gcRssMb: number;
  gcHeapUsedMb: number;
  /** /proc/self/status: anonymous memory (heaps, malloc) vs mapped files (node's own code). */
  rssAnonMb: number;
  rssFileMb: number;
  /** V8 heap space sizes (committed), by space, MB. */
  spaces: Record<string, number>;
  /** CPU time (user + system) of the polls so far, the bench's own collections excluded. */
  cpuMs: number;
}

const MB = 1_048_576;

function procStatusMb(field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

// The forced collection is the bench's, not the product's: setting the flag at run time
// keeps the child's command line exactly the launcher's.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const job = JSON.parse(process.argv[2] ?? '') as MemoryJob;
const product = await loadProduct(new URL(job.productRoot));
// The console holds a cluster client all session, and the client libraries it loads stay in
// the heap, so this run makes one the same way: backend auto against a real cluster (which
// loads the OpenSearch probe and, on Elasticsearch, the Elasticsearch client, as
// `soc-watch` does), or without a cluster an explicit Elasticsearch backend (no I/O). The
// polls themselves come from `Traffic`, not from the cluster.
const client = await product.createClusterClient(
  job.clusterUrl
    ? { ...job.config, nodes: [job.clusterUrl], backend: 'auto' }
    : { ...job.config, backend: 'elasticsearch' },
  {},
);
// Detection has already asked the cluster; info() answers from what it learnt.
const detected = job.clusterUrl ? await client.info() : undefined;
const clientText = detected
  ? `${detected.kind} ${detected.version} at ${client.cluster}, backend auto`
  : 'elasticsearch, explicit backend (no cluster reachable)';
const traffic = new Traffic();
const session = mount(product, job.config, true);
const samples: MemorySample[] = [];
const cpuStart = process.cpuUsage();
let benchCpuMs = 0;
const cpuMsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
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
  if (poll % every === 0) {
    if (job.idleMs > 0) await new Promise((resolve) => setTimeout(resolve, job.idleMs));
    const usage = process.memoryUsage();
    const rssAnonMb = procStatusMb('RssAnon');
    const rssFileMb = procStatusMb('RssFile');
    const spaces = Object.fromEntries(
      getHeapSpaceStatistics().map((space) => [space.space_name, space.space_size / MB]),
    );
    const gcStart = process.cpuUsage();
    gc();
    benchCpuMs += cpuMsSince(gcStart);
    const after = process.memoryUsage();
    samples.push({
      poll,
      alerts: product.alertList(session.store.getState()).length,
      rssMb: usage.rss / MB,
      heapUsedMb: usage.heapUsed / MB,
      heapTotalMb: usage.heapTotal / MB,
      externalMb: usage.external / MB,
      arrayBuffersMb: usage.arrayBuffers / MB,
      gcRssMb: after.rss / MB,
      gcHeapUsedMb: after.heapUsed / MB,
      rssAnonMb,
      rssFileMb,
      spaces,
      cpuMs: cpuMsSince(cpuStart) - benchCpuMs,
    });
  }
}
session.stop();
await client.close();
const run: MemoryRun = { client: clientText, peakRssMb: procStatusMb('VmHWM'), samples };
process.stdout.write(`${JSON.stringify(run)}\n`);

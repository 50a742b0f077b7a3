// The memory child of bench/window.ts: the incremental state of a 15 m window holding
// 1,000,000 failures from 200,000 distinct source IPs, polled `polls` times, against the
// compiled product (dist/), in a process started the way bin/soc-watch.js starts node, so
// RSS here is what `soc-watch` itself would hold (the parent transpiles this file and
// seeded-random.mts and runs them under plain node: tsx would add its own tens of MB).
// One argument, JSON: { productRoot, polls }. Prints its report lines.
//
// A poll as the engine makes one at steady state (engine.ts): the newest 5 s of the window
// read as a slice (5,556 composite buckets, parsed from answer pages as the client hands
// them over), the previous poll's slice read again (the engine reads only its hot last
// seconds again; all of it here, erring high), the bucket's sealed
// slices combined into one once it is whole, the oldest bucket leaving every third poll,
// and the window's slices merged.
import { readFileSync } from 'node:fs';
import { seededRandom } from './seeded-random.mjs';

interface Job {
  /** file: URL of the compiled product (dist/), with a trailing slash. */
  productRoot: string;
  polls: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const product = (path: string) => import(new URL(path, job.productRoot).href);
const { Dictionary, keywordOrderKey } = await product('cluster/incremental/dictionary.js');
const { SliceBuilder, releaseSlice, combineSlices } = await product('cluster/incremental/slice-table.js');
const { parsePairsPage, PAGE_SIZE } = await product('cluster/incremental/slice-query.js');
const { MergeScratch, mergeSlices } = await product('cluster/incremental/merge.js');
const { ipSortKey } = await product('core/net.js');

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;
/** Resident bytes of the C heap (malloc's main arena: typed arrays' memory), Linux only. */
const cHeap = (): string => {
  try {
    const smaps = readFileSync('/proc/self/smaps', 'utf8');
    const at = smaps.indexOf(' [heap]\n');
    if (at < 0) return '';
    const rss = /\nRss:\s+(\d+) kB/.exec(smaps.slice(at));
    return rss ? `, C heap ${mb(Number(rss[1]) * 1024)}` : '';
  } catch {
    return '';
  }
};
const IPS = 200_000;
const BUCKET_MS = 15_000;
const BUCKETS = 60;
const PER_BUCKET = 16_667; // 1,000,000 failures in 60 buckets of 15 s
const scratch = new MergeScratch();
const random = seededRandom(7);
const ips = new Dictionary(ipSortKey);
const users = new Dictionary(keywordOrderKey);
// biome-ignore lint/suspicious/noExplicitAny: the product's SliceTable, loaded at run time
type Slice = any;
const slices = new Map<number, Slice>();

// Every IP once per window (a permutation spread over its 5 s slices: a slice read again
// has the same ones), plus repeats drawn Zipf-like.
const PER_5S = IPS / (BUCKETS * 3);
const read = (start: number, end: number, rows: number, queriedAt: number): Slice => {
  const builder = new SliceBuilder(start, end, ips, users, rows);
  const firstOwn = Math.round(start / 5_000) * PER_5S;
  const own = Math.round(((end - start) / 5_000) * PER_5S);
  for (let from = 0; from < rows; from += PAGE_SIZE) {
    const buckets = [];
    for (let i = from; i < Math.min(rows, from + PAGE_SIZE); i += 1) {
      const n = i < own ? (firstOwn + i) % IPS : Math.floor(IPS * random() ** 3);
      const at = start + Math.floor(((end - start) * i) / rows);
      buckets.push({
        key: {
          a: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
          u: `user${Math.floor(300 * random() ** 2)}`,
        },
        doc_count: 1,
        f: { value: at },
        l: { value: at },
        i: { doc_count: random() < 0.3 ? 1 : 0 },
      });
    }
    parsePairsPage({ p: { buckets } }, 'memory', builder);
  }
  return builder.finish(queriedAt, 0);
};
const put = (slice: Slice) => {
  const old = slices.get(slice.start);
  slices.set(slice.start, slice);
  if (old) releaseSlice(old, ips, users);
};

let to = BUCKETS * BUCKET_MS;
for (let b = 0; b < BUCKETS; b += 1) put(read(b * BUCKET_MS, (b + 1) * BUCKET_MS, PER_BUCKET, to + 60_000));
/** A line at once: a long run shows how far it got. */
const say = (line: string) => process.stdout.write(`${line}\n`);
const started = performance.now();
for (let poll = 1; poll <= job.polls; poll += 1) {
  // Polls every 5 s: three a bucket. The open bucket is [to - 15 s, to).
  const third = (poll - 1) % 3;
  if (third === 0) {
    // A new bucket: the oldest leaves; the previous one's three slices become one.
    const oldest = to - BUCKETS * BUCKET_MS;
    const leaving = slices.get(oldest);
    if (leaving) releaseSlice(leaving, ips, users);
    slices.delete(oldest);
    const previous = [0, 1, 2]
      .map((k) => slices.get(to - BUCKET_MS + k * 5_000))
      .filter((slice): slice is Slice => slice !== undefined);
    if (previous.length === 3) {
      const combined = combineSlices(previous, ips, users);
      for (const slice of previous) {
        slices.delete(slice.start);
        releaseSlice(slice, ips, users);
      }
      slices.set(combined.start, combined);
    }
    to += BUCKET_MS;
  }
  const start = to - BUCKET_MS + third * 5_000;
  // The previous poll's slice read again, then the new 5 s.
  if (third > 0) put(read(start - 5_000, start, Math.round(PER_BUCKET / 3), to));
  put(read(start, start + 5_000, Math.round(PER_BUCKET / 3), to));
  const merged = mergeSlices(
    slices.values(),
    { from: to - BUCKETS * BUCKET_MS, bucketMs: BUCKET_MS, buckets: BUCKETS },
    ips,
    users,
    { maxOffenders: 250, detailed: 25, hasInvalidUser: true },
    scratch,
  );
  if (poll === 1 || poll === job.polls / 100 || poll % Math.max(1, job.polls / 10) === 0) {
    // Retained (after a full collection) apart from RSS, which also holds V8's room for the
    // garbage a poll makes (composite answers parsed into objects, then dropped).
    (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    say(
      `poll ${poll}: ${merged.distinctIps.toLocaleString('en')} distinct IPs, ${slices.size} slices, RSS ${mb(memory.rss)}, retained heap ${mb(memory.heapUsed)} (V8 holds ${mb(memory.heapTotal)}) + typed arrays ${mb(memory.arrayBuffers)}${cHeap()}`,
    );
  }
}
say(
  `${job.polls.toLocaleString('en')} polls in ${((performance.now() - started) / 1000).toFixed(0)} s (each: 5,556 composite buckets parsed from answer pages, and 5,556 more read again in 2 of 3; every third a bucket's slices combined; all slices merged)`,
);

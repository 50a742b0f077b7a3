// Incremental snapshots (issue 16): the poll cost follows what changed, not the window.
// Each service keeps the window as slices (slice-table.ts: compact tables of (source IP,
// user) pairs), each a time range within one timeline bucket; a poll asks the cluster only
// about the slices that may still change, merges all slices on the client (merge.ts) and
// asks exact small searches for the rows shown, per slice, about the slices it holds no
// part for (row-slices.ts). The result is the Snapshot the full query (query.ts, parse.ts)
// gives for the same window, field for field (test/cluster/incremental.integration.test.ts).
//
// Which slices are asked, at a poll at time `now` (live):
//   hot      a slice read less than HOT_MS after its end (its last events may not have been
//            searchable yet) is read again, cut anew;
//   new      the time not covered by a held slice is read, cut at the timeline's bucket
//            boundaries and at `now` − HOT_MS (floored to the second): what is older is
//            read once, the newest seconds are hot. A steady 5 s poll reads about 7 s of
//            events, not the newest bucket (24 h window: 24 min) and the late margin's;
//   warm     a slice read before LATE_MARGIN_MS after its end is checked by its counts
//            (failures, successes) in the same round trip; one whose counts moved is read
//            again in a second round trip;
//   sealed   beyond the margin: every RESYNC_MS one count search per service over every
//            slice held; a slice whose counts moved is read again. Counts equal are taken
//            as unchanged (log indices append).
// Sealed slices of one bucket are combined into one (combineSlices; the rows' parts too), so
// a long window holds about a slice per bucket plus the newest seconds' slices.
// A poll that needs many slices (the first one, a gap, a new window) is answered by the
// full query (exact, its usual cost) while they are read in the background, one composite
// cursor per slice; a later poll adopts them. Polls "as of" a time (replay, `once --at`)
// cut at the buckets only, or at `sliceMs` (finer slices so that steps keep their slices).
import type { Config, ServiceDefinition } from '../../config/types.js';
import type { CustomRuleResult, Offender, ServiceSnapshot, Snapshot } from '../../contracts/snapshot.js';
import { isoTime } from '../../core/iso-time.js';
import { ipSortKey } from '../../core/net.js';
import { buildCustomRuleSearch, parseCustomRule } from '../custom-rules.js';
import { fetchSnapshots } from '../fetch.js';
import { byTargeting, checkResponse, successesAfterFailure, UNKNOWN_SOURCE_KEYS } from '../parse.js';
import { DETAILED_OFFENDERS, newestSearch, TARGETED_USERS } from '../query.js';
import { type ClusterClient, ClusterError, type SearchRequest } from '../types.js';
import { Reader } from '../validate.js';
import { bucketOffset, type SnapshotWindow, snapshotWindow, snapshotWindowEndingAt } from '../window.js';
import { Dictionary, keywordOrderKey } from './dictionary.js';
import { MergeScratch, mergeSlices } from './merge.js';
import {
  combineDetailParts,
  combineSuccessParts,
  type DetailPart,
  detailBucketsPerSlice,
  detailPart,
  detailSlicesSearch,
  EMPTY_DETAILS,
  EMPTY_SUCCESSES,
  ipGroups,
  type KeyOrders,
  mergeDetails,
  mergeSuccesses,
  PartCache,
  parseSliceParts,
  type SuccessPart,
  successPartOf,
  successSlicesSearch,
} from './row-slices.js';
import { detailsSearch, parseDetails, type RowDetails, type RowSuccesses } from './rows-query.js';
import {
  type AfterKey,
  PAIRS_FILTER_PATH,
  pairsSearch,
  parsePairsPage,
  parseRangeCounts,
  rangeCountSearch,
  type SliceCounts,
  type SliceRange,
} from './slice-query.js';
import { combineSlices, releaseSlice, SliceBuilder, type SliceTable, sliceBytes } from './slice-table.js';

/**
 * How late (by event time) an event may become searchable and still be counted at the next
 * poll: until then a slice's counts are checked at every poll (one small count search over
 * the margin's slices). Chosen, not measured on a production pipeline: a shipper's batching
 * (Filebeat flushes every 1 s; soc-watch's own `ingest --follow` sends within its flush
 * interval), the index refresh (1 s) and a loaded cluster's bulk queue (seconds), with room
 * to spare. Later events are counted at the next resync (RESYNC_MS).
 */
export const LATE_MARGIN_MS = 30_000;
/**
 * A slice read less than this after its end is read again at the next poll without a check
 * (its newest events were probably not searchable yet): a check would find it changed and
 * cost a second round trip. Measured (bench:window, "late arrivals"): a bulk-indexed event
 * was searchable 0.7 s (median), 1.0 s (max) after its time on a quiet 2-core machine,
 * 6.0 s (max) loaded; events later than this are caught by the warm check.
 */
export const HOT_MS = 2_000;
/** Sealed slices of one bucket are combined when this many are held in a row (or the bucket is whole). */
export const ROLL_UP_RUN = 12;
/** Every slice is read again this often, catching events later than the margin. */
export const RESYNC_MS = 15 * 60_000;

/** Cursors (slice pages) per `_msearch` of a background fill: ~1 MB of answer each. */
export const FILL_CURSORS_PER_TRIP = 4;

export interface IncrementalOptions {
  lateMarginMs?: number;
  hotMs?: number;
  resyncMs?: number;
  /**
   * A poll that needs more slices than this for a service (default DIRECT_SLICES) is
   * answered by the full query while the slices are read in the background.
   */
  directSlices?: number;
  /** Terms per (IP, slice) of the rows' details (row-slices.ts; tests lower it). */
  sliceTerms?: number;
  /**
   * Slices finer than the timeline's buckets (a divisor of the bucket size; otherwise the
   * bucket size is used). Polls as of times whose spacing is not a whole number of buckets
   * (replay: the 6 h window's 6 min buckets stepped every 2 min) keep their slices when the
   * spacing is a whole number of slices (slicedWindow); the timeline is summed back into
   * the window's buckets.
   */
  sliceMs?: number;
}

/** Direct reads (not the background fill): cursors per `_msearch`, so a long read holds ~16 pages. */
const DIRECT_CURSORS_PER_TRIP = 16;
/** A steady poll reads 2–4 slices a service (hot, new, a bucket boundary): more is a start or a gap. */
export const DIRECT_SLICES = 8;

/**
 * The time not covered by `held` (sorted, not overlapping) in [from, to), cut at the grid
 * (from + k × step) and at `cuts`: the slices to read. Pure (tests: slice-plan.test.ts).
 */
export function planSlices(
  held: readonly SliceRange[],
  from: number,
  to: number,
  step: number,
  cuts: readonly number[] = [],
): SliceRange[] {
  const out: SliceRange[] = [];
  const cutGap = (a: number, b: number) => {
    const points = new Set<number>();
    for (let grid = from + Math.ceil((a - from) / step) * step; grid < b; grid += step)
      if (grid > a) points.add(grid);
    for (const cut of cuts) if (cut > a && cut < b) points.add(cut);
    let start = a;
    for (const point of [...points].sort((x, y) => x - y)) {
      out.push({ start, end: point });
      start = point;
    }
    out.push({ start, end: b });
  };
  let cursor = from;
  for (const range of held) {
    if (range.end <= cursor || range.start >= to) continue;
    if (range.start > cursor) cutGap(cursor, range.start);
    cursor = Math.max(cursor, range.end);
  }
  if (cursor < to) cutGap(cursor, to);
  return out;
}

/**
 * Runs of sealed slices to combine, per bucket (grid from + k × step): a bucket whose whole
 * range is covered by sealed slices (more than one), or ROLL_UP_RUN or more sealed slices in
 * a row from its start. `held` sorted by start. Pure (tests: slice-plan.test.ts).
 */
export function rollUpRuns<T extends SliceRange>(
  held: readonly T[],
  from: number,
  step: number,
  sealed: (slice: T) => boolean,
  run = ROLL_UP_RUN,
): T[][] {
  const runs: T[][] = [];
  let at = 0;
  while (at < held.length) {
    const bucket = from + Math.floor((held[at]!.start - from) / step) * step;
    const group: T[] = [];
    let cursor = bucket;
    let inRow = true;
    while (at < held.length && held[at]!.start < bucket + step) {
      const slice = held[at]!;
      at += 1;
      if (inRow && slice.start === cursor && sealed(slice)) {
        group.push(slice);
        cursor = slice.end;
      } else inRow = false;
    }
    const whole = inRow && cursor === bucket + step;
    if (group.length > 1 && (whole || group.length >= run)) runs.push(group);
  }
  return runs;
}

/** The window cut into `sliceMs` slices when that divides its buckets (else as it is). */
export function slicedWindow(window: SnapshotWindow, sliceMs: number | undefined): SnapshotWindow {
  if (
    sliceMs === undefined ||
    !(sliceMs >= 1000) ||
    sliceMs >= window.bucketMs ||
    window.bucketMs % sliceMs !== 0
  )
    return window;
  return { ...window, bucketMs: sliceMs, buckets: window.ms / sliceMs };
}

interface Fill {
  controller: AbortController;
  promise: Promise<void>;
  built?: Map<number, SliceTable>[];
  failed?: boolean;
}

interface ServiceState {
  service: ServiceDefinition;
  index: string;
  slices: Map<number, SliceTable>;
  ips: Dictionary;
  users: Dictionary;
  /** The merge's working arrays, reused poll after poll. */
  scratch: MergeScratch;
  /** The shown rows' details and successes per sealed slice (row-slices.ts). */
  details: PartCache<DetailPart>;
  successParts: PartCache<SuccessPart>;
  orders: KeyOrders;
  /** Shards of the last search sent for the service (a poll may send none: all sealed). */
  shards: { total: number; failed: number };
}

export interface IncrementalStats {
  slices: number;
  ips: number;
  users: number;
  pairs: number;
  bytes: number;
  /** Slices read in the last poll (for the service that read most). */
  lastSlicesRead: number;
  /** Of those, recent slices read again because their counts moved (events later than HOT_MS). */
  lastMoved: number;
  /** Slices combined into one since the engine started (sealed slices of a bucket). */
  rolledUp: number;
  lastResync: boolean;
  /** Server time of the last poll: the slowest search of each round trip, summed over them. */
  lastTookSum: number;
  /** The last poll was answered by the full query (slices were being read in the background). */
  lastAnsweredInFull: boolean;
  /**
   * The last poll's shown rows (details and successes): answered from kept parts plus the
   * slices not sealed (`kept`), asked over the window per slice (`asked`), or by the
   * window-wide details search (`wide`: more than SLICE_TERMS of a field in a slice).
   */
  lastRows: { kept: number; asked: number; wide: number };
  /** Slices are being read in the background. */
  filling: boolean;
  /** The last background read: slices (per service), server time summed, wall time. */
  lastFill: { slices: number; tookSum: number; ms: number };
}

export interface FetchOptions {
  /**
   * The poll's time (epoch ms): a live window ends at the bucket boundary after it, and a
   * slice read at this time is sealed once `now` is LATE_MARGIN_MS past its end. The caller
   * gives it (the wall clock when live; any time when stepping through the past).
   */
  now: number;
  /**
   * "As of" (replay, `once --at`): the window ends exactly here (exclusive) instead, its
   * slices aligned to it (window.ts). Steps that are whole buckets keep the slices; another
   * alignment starts from scratch. `now` still says when the cluster was asked (sealing).
   */
  endAt?: number;
  signal?: AbortSignal;
  includeNewest?: boolean;
}

export interface IncrementalSnapshots {
  /** `includeNewest`: each service's newest event rides along (ingest lag, as in query.ts). */
  fetch(windowMs: number, options: FetchOptions): Promise<Snapshot>;
  /** Forget every slice (the next poll reads the whole window). */
  reset(): void;
  /** Resolves when the background read in progress (if any) has finished. */
  settled(): Promise<void>;
  stats(): IncrementalStats;
}

interface PollCtx {
  signal: AbortSignal | undefined;
  tookMax: number;
  tookSum: number;
  warnings: string[];
}

/** What a poll's answers said about one service: its server time and shards. */
interface ServiceRead {
  took: number;
  shardsTotal: number;
  shardsFailed: number;
  searched: boolean;
}

function noteRead(read: ServiceRead, reader: Reader): void {
  read.searched = true;
  read.took = Math.max(read.took, reader.maybe('took')?.count() ?? 0);
  const shards = reader.maybe('_shards');
  read.shardsTotal = Math.max(read.shardsTotal, shards?.maybe('total')?.count() ?? 0);
  read.shardsFailed = Math.max(read.shardsFailed, shards?.maybe('failed')?.count() ?? 0);
}

/** The slices a service holds, in time order. */
function sortedSlices(state: ServiceState): SliceTable[] {
  return [...state.slices.values()].sort((a, b) => a.start - b.start);
}

export function createIncrementalSnapshots(
  client: ClusterClient,
  config: Config,
  options: IncrementalOptions = {},
): IncrementalSnapshots {
  const marginMs = options.lateMarginMs ?? LATE_MARGIN_MS;
  const resyncMs = options.resyncMs ?? RESYNC_MS;
  const hotMs = options.hotMs ?? HOT_MS;

  let states: ServiceState[] | null = null;
  let grid: { ms: number; bucketMs: number; offset: number } | null = null;
  let lastResyncAt = Number.NEGATIVE_INFINITY;
  let last = { slicesRead: 0, moved: 0, resync: false, tookSum: 0, answeredInFull: false };
  let rolledUp = 0;
  let lastFill = { slices: 0, tookSum: 0, ms: 0 };
  let lastRows = { kept: 0, asked: 0, wide: 0 };
  /** Bumped when every slice is dropped: a fill started before is discarded. */
  let generation = 0;
  let fill: Fill | null = null;

  async function orderKeyFor(field: string, index: string, signal?: AbortSignal) {
    // The cluster orders ip keys by address bytes and keyword keys by their bytes: the
    // `_key: asc` tie-break of the full query's terms must be reproduced exactly.
    const caps = new Reader(await client.fieldCaps(index, [field], signal ? { signal } : {}), '_field_caps');
    const types = Object.keys(caps.maybe('fields')?.maybe(field)?.object() ?? {});
    return types.length > 0 && types.every((type) => type === 'ip') ? ipSortKey : keywordOrderKey;
  }

  async function init(signal?: AbortSignal): Promise<ServiceState[]> {
    const made: ServiceState[] = [];
    for (const service of config.services) {
      const index = service.indexPattern ?? config.indexPattern;
      made.push({
        service,
        index,
        slices: new Map(),
        ips: new Dictionary(await orderKeyFor(service.fields.sourceIp, index, signal)),
        users: new Dictionary(keywordOrderKey),
        shards: { total: 0, failed: 0 },
        scratch: new MergeScratch(),
        details: new PartCache(),
        successParts: new PartCache(),
        orders: { host: await orderKeyFor(service.fields.host, index, signal) },
      });
    }
    return made;
  }

  function dropAll(): void {
    for (const state of states ?? []) {
      for (const slice of state.slices.values()) releaseSlice(slice, state.ips, state.users);
      state.slices.clear();
      state.details.clear();
      state.successParts.clear();
    }
    lastResyncAt = Number.NEGATIVE_INFINITY;
    generation += 1;
    fill?.controller.abort();
    fill = null;
  }

  /** Combines runs of sealed slices of one bucket (rollUpRuns), their rows' parts too. */
  function rollUp(state: ServiceState, window: SnapshotWindow, sealed: (slice: SliceTable) => boolean): void {
    for (const run of rollUpRuns(sortedSlices(state), window.from, window.bucketMs, sealed)) {
      const combined = combineSlices(run, state.ips, state.users);
      rolledUp += run.length;
      for (const part of run) {
        releaseSlice(part, state.ips, state.users);
        state.slices.delete(part.start);
      }
      state.slices.set(combined.start, combined);
      const olds = run.map((table) => ({ start: table.start, table }));
      state.details.rollUp(olds, combined.start, combined, combineDetailParts);
      state.successParts.rollUp(olds, combined.start, combined, combineSuccessParts);
    }
  }

  async function roundTrip(searches: SearchRequest[], ctx: PollCtx, filterPath?: string): Promise<Reader[]> {
    const backend = await client.info(ctx.signal ? { signal: ctx.signal } : {});
    const filter = backend.kind === 'elasticsearch' && filterPath ? { filterPath } : {};
    const raw = await client.msearch(searches, { ...(ctx.signal ? { signal: ctx.signal } : {}), ...filter });
    const responses = new Reader(raw, 'incremental snapshot _msearch').get('responses').array();
    if (responses.length !== searches.length)
      throw new ClusterError(
        'bad-response',
        `_msearch returned ${responses.length} responses for ${searches.length} searches`,
      );
    // The searches of one `_msearch` run in parallel: a round trip's server time is its
    // slowest search; round trips run one after the other, so theirs add up.
    let slowest = 0;
    for (const item of responses) slowest = Math.max(slowest, item.maybe('took')?.count() ?? 0);
    ctx.tookMax = Math.max(ctx.tookMax, slowest);
    ctx.tookSum += slowest;
    return responses;
  }

  /**
   * Reads the given slices of every service (`ranges[service]`): each slice is its own
   * composite cursor (its search scans that slice's events only, page after page; one
   * cursor over a whole window scanned every event of the window again for each page), at
   * most `perTrip` cursors per `_msearch` (an answer page is up to PAGE_SIZE buckets, ~1 MB).
   * A slice is built as soon as its last page arrives, so what a read holds is about
   * `perTrip` pages, not the window. The first round trip also counts failures and
   * successes of those slices and of `check[service]` (held slices to verify), one search
   * per service; the counts are returned.
   */
  async function readSlices(
    list: ServiceState[],
    ranges: readonly (readonly SliceRange[])[],
    now: number,
    ctx: PollCtx,
    reads: ServiceRead[],
    perTrip: number,
    check: readonly (readonly SliceRange[])[] = [],
  ): Promise<{ built: Map<number, SliceTable>[]; counts: Map<number, SliceCounts>[] }> {
    const built = list.map(() => new Map<number, SliceTable>());
    const counts = list.map(() => new Map<number, SliceCounts>());
    const builders = list.map(() => new Map<number, SliceBuilder>());
    const queue: { service: number; range: SliceRange; after?: AfterKey }[] = [];
    list.forEach((_, service) => {
      for (const range of ranges[service] ?? []) queue.push({ service, range });
    });
    const counted = list.map((_, service) =>
      [...(ranges[service] ?? []), ...(check[service] ?? [])].sort((a, b) => a.start - b.start),
    );
    if (queue.length === 0 && counted.every((own) => own.length === 0)) return { built, counts };
    let first = true;
    try {
      while (first || queue.length > 0) {
        const searches: SearchRequest[] = [];
        const kinds: { service: number; kind: 'pairs' | 'counts'; range: SliceRange }[] = [];
        // The counts first: a slice is built with its successes.
        if (first)
          list.forEach((state, service) => {
            const own = counted[service]!;
            if (own.length === 0) return;
            searches.push(rangeCountSearch(state.service, state.index, own));
            kinds.push({ service, kind: 'counts', range: own[0]! });
          });
        for (const { service, range, after } of queue.splice(0, perTrip)) {
          const state = list[service]!;
          searches.push(pairsSearch(state.service, state.index, range.start, range.end, after));
          kinds.push({ service, kind: 'pairs', range });
        }
        const responses = await roundTrip(searches, ctx, PAIRS_FILTER_PATH);
        const again: typeof queue = [];
        responses.forEach((item, position) => {
          const { service, kind, range } = kinds[position]!;
          const state = list[service]!;
          const label = `${state.service.name} ${kind === 'pairs' ? 'slices' : 'slice counts'} search`;
          const reader = new Reader(item.value, label, `responses[${position}]`);
          checkResponse(reader, label, client.cluster, ctx.warnings);
          noteRead(reads[service]!, reader);
          const aggregations = (item.value as { aggregations?: unknown }).aggregations;
          if (aggregations === undefined && (reader.maybe('_shards')?.maybe('total')?.count() ?? 0) > 0)
            reader.get('aggregations');
          if (kind === 'counts') {
            counts[service] = parseRangeCounts(aggregations, label);
            return;
          }
          const open = builders[service]!;
          let builder = open.get(range.start);
          if (!builder) {
            const expected = counts[service]!.get(range.start)?.failures;
            builder = new SliceBuilder(range.start, range.end, state.ips, state.users, expected);
            open.set(range.start, builder);
          }
          const after = parsePairsPage(aggregations, label, builder);
          if (after) {
            again.push({ service, range, after });
            return;
          }
          open.delete(range.start);
          built[service]!.set(
            range.start,
            builder.finish(now, counts[service]!.get(range.start)?.successes ?? 0),
          );
        });
        // A slice's next page goes first: its builder is held until it is complete.
        queue.unshift(...again);
        first = false;
      }
    } catch (error) {
      // Nothing of a failed read is kept: give back the keys its slices took.
      list.forEach((state, service) => {
        for (const slice of built[service]!.values()) releaseSlice(slice, state.ips, state.users);
        for (const builder of builders[service]!.values()) builder.discard();
      });
      throw error;
    }
    return { built, counts };
  }

  /**
   * The slices of `slices` whose `counts` (asked at `now`) differ from the held tables':
   * they got events later than they were read (or lost some). They are dropped; their
   * ranges are returned, to be read again. The others are as good as read at `now` (so
   * they seal once `now` is past the margin).
   */
  function moved(
    list: ServiceState[],
    slices: readonly (readonly SliceRange[])[],
    counts: readonly Map<number, SliceCounts>[],
    now: number,
  ): SliceRange[][] {
    return list.map((state, service) => {
      const again: SliceRange[] = [];
      const own = counts[service]!;
      for (const range of slices[service] ?? []) {
        const slice = state.slices.get(range.start);
        if (!slice || slice.end !== range.end) continue;
        const counted = own.get(range.start) ?? { failures: 0, successes: 0 };
        if (counted.failures === slice.failures && counted.successes === slice.successes) {
          slice.queriedAt = Math.max(slice.queriedAt, now);
          continue;
        }
        releaseSlice(slice, state.ips, state.users);
        state.slices.delete(range.start);
        again.push(range);
      }
      return again;
    });
  }

  /** Resync: the counts of every slice held, in one round trip; slices whose counts moved are dropped. */
  async function staleSlices(
    list: ServiceState[],
    now: number,
    ctx: PollCtx,
    reads: ServiceRead[],
  ): Promise<void> {
    const held = list.map((state) => sortedSlices(state));
    const { counts } = await readSlices(list, [], now, ctx, reads, 1, held);
    moved(list, held, counts, now);
  }

  /** Slices read in the background (first poll, gaps, resync), adopted by a later poll. */
  function startFill(list: ServiceState[], ranges: SliceRange[][], now: number): void {
    const controller = new AbortController();
    const at = generation;
    const ctx: PollCtx = { signal: controller.signal, tookMax: 0, tookSum: 0, warnings: [] };
    const reads = list.map(() => ({ took: 0, shardsTotal: 0, shardsFailed: 0, searched: false }));
    const started = performance.now();
    const entry: Fill = { controller, promise: Promise.resolve() };
    entry.promise = readSlices(list, ranges, now, ctx, reads, FILL_CURSORS_PER_TRIP).then(
      ({ built }) => {
        if (at !== generation) {
          list.forEach((state, service) => {
            for (const slice of built[service]!.values()) releaseSlice(slice, state.ips, state.users);
          });
          return;
        }
        entry.built = built;
        lastFill = {
          slices: Math.max(0, ...ranges.map((own) => own.length)),
          tookSum: ctx.tookSum,
          ms: Math.round(performance.now() - started),
        };
      },
      () => {
        // Failed or aborted: nothing kept (readSlices gave the keys back); the next poll
        // answers from the full path and starts another fill.
        entry.failed = true;
      },
    );
    fill = entry;
  }

  /** Installs a finished fill's slices that lie in the window and overlap no slice held. */
  function adoptFill(list: ServiceState[], window: SnapshotWindow): void {
    if (!fill?.built && !fill?.failed) return;
    const built = fill.built;
    fill = null;
    if (!built) return;
    list.forEach((state, service) => {
      const held = sortedSlices(state);
      for (const slice of built[service]!.values()) {
        const overlaps = held.some((other) => other.start < slice.end && slice.start < other.end);
        if (slice.start < window.from || slice.end > window.to || overlaps) {
          releaseSlice(slice, state.ips, state.users);
          continue;
        }
        state.slices.set(slice.start, slice);
      }
    });
  }

  async function fetch(
    windowMs: number,
    { now, endAt, signal, includeNewest }: FetchOptions,
  ): Promise<Snapshot> {
    const started = performance.now();
    const shown =
      endAt === undefined ? snapshotWindow(windowMs, now) : snapshotWindowEndingAt(windowMs, endAt);
    // Every read, seal and kept part below is per slice; only the timeline is per shown bucket.
    const window = slicedWindow(shown, options.sliceMs);
    const offset = bucketOffset(window);
    if (!grid || grid.ms !== window.ms || grid.bucketMs !== window.bucketMs || grid.offset !== offset) {
      dropAll();
      grid = { ms: window.ms, bucketMs: window.bucketMs, offset };
    }
    states ??= await init(signal);
    const list = states;
    const ctx: PollCtx = { signal, tookMax: 0, tookSum: 0, warnings: [] };

    // Slices that left the window (or lie after it: a caller stepping back in time).
    for (const state of list) {
      for (const [start, slice] of state.slices) {
        if (start < window.from || slice.end > window.to) {
          releaseSlice(slice, state.ips, state.users);
          state.slices.delete(start);
        }
      }
    }
    adoptFill(list, window);
    const reads: ServiceRead[] = list.map(() => ({
      took: 0,
      shardsTotal: 0,
      shardsFailed: 0,
      searched: false,
    }));
    const live = endAt === undefined;
    const sealed = (slice: SliceTable) => slice.queriedAt >= slice.end + marginMs;
    // Sealed slices of a bucket become one (live: the buckets do not move).
    if (live && window.bucketMs === shown.bucketMs) for (const state of list) rollUp(state, window, sealed);
    const held = list.some((state) => state.slices.size > 0);
    const resync = now - lastResyncAt >= resyncMs;
    if (resync) {
      if (held) await staleSlices(list, now, ctx, reads);
      lastResyncAt = now;
    }
    // Hot slices are read again (cut anew); warm ones are checked by their counts.
    for (const state of list)
      for (const [start, slice] of state.slices)
        if (slice.queriedAt < slice.end + hotMs) {
          releaseSlice(slice, state.ips, state.users);
          state.slices.delete(start);
        }
    const warm = list.map((state) => sortedSlices(state).filter((slice) => !sealed(slice)));
    // Live, the newest seconds are cut off (hot: read again next poll) from what is read once.
    const cuts = live ? [Math.floor((now - hotMs) / 1000) * 1000] : [];
    const toRead = list.map((state) =>
      planSlices(sortedSlices(state), window.from, window.to, window.bucketMs, cuts),
    );
    const direct = options.directSlices ?? DIRECT_SLICES;
    if (toRead.some((own) => own.length > direct)) {
      // Too many to read now (a start, a gap, a resync that found many changed): this poll is
      // the full query's (exact, its usual cost) while the slices are read in the background.
      if (!fill) startFill(list, toRead, now);
      const [snapshot] = await fetchSnapshots(
        client,
        config,
        [
          {
            windowMs,
            ...(endAt === undefined ? {} : { endAt }),
            ...(includeNewest ? { includeNewest } : {}),
          },
        ],
        { now, ...(signal ? { signal } : {}) },
      );
      if (!snapshot) throw new ClusterError('bad-response', 'no snapshot was parsed');
      last = { slicesRead: 0, moved: 0, resync, tookSum: ctx.tookSum + snapshot.took, answeredInFull: true };
      lastRows = { kept: 0, asked: 0, wide: 0 };
      return { ...snapshot, took: Math.max(snapshot.took, ctx.tookMax) };
    }

    const install = (built: Map<number, SliceTable>[]) => {
      if (signal?.aborted) {
        list.forEach((state, index) => {
          for (const slice of built[index]!.values()) releaseSlice(slice, state.ips, state.users);
        });
        throw new ClusterError('aborted', 'the poll was aborted');
      }
      list.forEach((state, index) => {
        for (const [start, fresh] of built[index]!) state.slices.set(start, fresh);
      });
    };
    const perTrip = (ranges: SliceRange[][]) =>
      Math.max(
        1,
        Math.min(
          ranges.reduce((n, own) => n + own.length, 0),
          DIRECT_CURSORS_PER_TRIP,
        ),
      );
    // One round trip: the new and hot slices, and the warm ones' counts.
    const first = await readSlices(list, toRead, now, ctx, reads, perTrip(toRead), warm);
    install(first.built);
    const again = moved(list, warm, first.counts, now);
    let slicesRead = Math.max(0, ...toRead.map((own) => own.length));
    const movedCount = Math.max(0, ...again.map((own) => own.length));
    if (movedCount > 0) {
      // Events later than HOT_MS after their slice's end: those slices are read again.
      const second = await readSlices(list, again, now, ctx, reads, perTrip(again));
      install(second.built);
      slicesRead += Math.max(0, ...again.map((own) => own.length));
    }

    const merged = list.map((state) =>
      mergeSlices(
        state.slices.values(),
        shown,
        state.ips,
        state.users,
        {
          maxOffenders: config.maxOffenders,
          detailed: Math.min(DETAILED_OFFENDERS, config.maxOffenders),
          hasInvalidUser: state.service.invalidUser !== undefined,
        },
        state.scratch,
      ),
    );

    // The rows shown: details for the busiest, successes for all offenders, per slice
    // (row-slices.ts): an IP with parts for the window's first slices (read with the tables
    // held now) is asked from its first slice without one (at steady state the hot and new
    // ones); others about every slice. Every part read is kept: a slice read again is
    // another table, so its parts are asked again.
    const searches: SearchRequest[] = [];
    const plans = list.map((state, index) => {
      const ranked = merged[index]!.ranked;
      const keys = ranked.map((row) => row.ip);
      const detailed = keys.slice(0, Math.min(DETAILED_OFFENDERS, config.maxOffenders));
      const slices = sortedSlices(state);
      const starts = slices.map((slice) => slice.start);
      const from = (start: number) => slices.filter((slice) => slice.start >= start);
      state.details.prune(new Set(detailed), window.from);
      state.successParts.prune(new Set(keys), window.from);
      const split = <P>(cache: PartCache<P>, ips: string[]) => {
        const warm: string[] = [];
        const cold: string[] = [];
        let first = window.to;
        for (const ip of ips) {
          const missing = cache.firstMissing(ip, starts, window.to, state.slices);
          if (starts.length > 0 && missing === starts[0]) cold.push(ip);
          else {
            warm.push(ip);
            first = Math.min(first, missing);
          }
        }
        return { warm, cold, from: first };
      };
      const push = (search: SearchRequest) => searches.push(search) - 1;
      // Each in groups that keep a search under the cluster's bucket limit (ipGroups).
      const grouped = (
        ips: string[],
        ranges: SliceRange[],
        perSlice: number,
        search: (ranges: SliceRange[], group: string[]) => SearchRequest,
      ) =>
        ips.length > 0 && ranges.length > 0
          ? ipGroups(ips, ranges.length, perSlice).map((group) => push(search(ranges, group)))
          : [];
      const d = split(state.details, detailed);
      const detailBuckets = detailBucketsPerSlice(options.sliceTerms);
      const detailSearch = (ranges: SliceRange[], group: string[]) =>
        detailSlicesSearch(state.service, state.index, ranges, group, options.sliceTerms);
      const details = {
        warm: grouped(d.warm, from(d.from), detailBuckets, detailSearch),
        cold: grouped(d.cold, slices, detailBuckets, detailSearch),
      };
      const success = state.service.success;
      const s = split(state.successParts, success ? keys : []);
      const withSuccess = success ? { ...state.service, success } : undefined;
      const successSearch = (ranges: SliceRange[], group: string[]) =>
        successSlicesSearch(withSuccess!, state.index, ranges, group);
      const successes = {
        warm: withSuccess ? grouped(s.warm, from(s.from), 1, successSearch) : [],
        cold: withSuccess ? grouped(s.cold, slices, 1, successSearch) : [],
      };
      const newest = includeNewest ? push(newestSearch(state.service, state.index, window.to)) : undefined;
      return { starts, detailed, details, successes, newest, split: { details: d, successes: s } };
    });
    const rulePlans = config.customRules.map((rule) => {
      const built = buildCustomRuleSearch(config, rule, window.to);
      return { ...built.plan, searchIndex: searches.push(built.search) - 1 };
    });
    const responses = searches.length > 0 ? await roundTrip(searches, ctx) : [];
    const at = (position: number | undefined, label: string, service?: number): Reader | undefined => {
      if (position === undefined) return undefined;
      const reader = new Reader(responses[position]?.value, label, `responses[${position}]`);
      checkResponse(reader, label, client.cluster, ctx.warnings);
      if (service !== undefined) noteRead(reads[service]!, reader);
      return reader;
    };
    const aggregationsOf = (item: Reader | undefined) => {
      if (!item) return undefined;
      const aggregations = item.maybe('aggregations');
      if (!aggregations && (item.maybe('_shards')?.maybe('total')?.count() ?? 0) > 0)
        item.get('aggregations');
      return aggregations;
    };

    // The window's rows from kept and fresh parts; an IP with a part too big to merge
    // (more than SLICE_TERMS hosts or origins in one slice) is asked over the window.
    const rowsOf = list.map((state, index) => {
      const plan = plans[index]!;
      const label = state.service.name;
      const fresh = <P>(positions: number[], kind: string, part: (bucket: Reader) => P) =>
        positions.flatMap((position) => [
          ...parseSliceParts(aggregationsOf(at(position, `${label} ${kind} search`, index)), part),
        ]);
      const details = new Map<string, RowDetails>();
      const detailFresh = new Map([
        ...fresh(plan.details.warm, 'details', detailPart),
        ...fresh(plan.details.cold, 'details', detailPart),
      ]);
      const wide: string[] = [];
      const startsFrom = (from: number) => plan.starts.filter((start) => start >= from);
      for (const [ips, from] of [
        [plan.split.details.cold, window.from],
        [plan.split.details.warm, plan.split.details.from],
      ] as const)
        for (const ip of ips)
          state.details.keep(ip, startsFrom(from), state.slices, detailFresh.get(ip), EMPTY_DETAILS);
      for (const ip of plan.detailed) {
        const row = mergeDetails(state.details.window(ip, plan.starts, EMPTY_DETAILS), state.orders);
        if (row) details.set(ip, row);
        else wide.push(ip);
      }
      const parseSuccess = successPartOf(state.service.fields.user);
      const successFresh = new Map([
        ...fresh(plan.successes.warm, 'successes', parseSuccess),
        ...fresh(plan.successes.cold, 'successes', parseSuccess),
      ]);
      for (const [ips, from] of [
        [plan.split.successes.cold, window.from],
        [plan.split.successes.warm, plan.split.successes.from],
      ] as const)
        for (const ip of ips)
          state.successParts.keep(ip, startsFrom(from), state.slices, successFresh.get(ip), EMPTY_SUCCESSES);
      const successes = new Map<string, RowSuccesses>();
      if (state.service.success)
        for (const { ip } of merged[index]!.ranked)
          successes.set(ip, mergeSuccesses(state.successParts.window(ip, plan.starts, EMPTY_SUCCESSES)));
      return { details, successes, wide };
    });
    lastRows = { kept: 0, asked: 0, wide: 0 };
    plans.forEach((plan, index) => {
      const asked = plan.split.details.cold.length + plan.split.successes.cold.length;
      lastRows.asked += asked;
      lastRows.wide += rowsOf[index]!.wide.length;
      lastRows.kept += plan.detailed.length + rowsOf[index]!.successes.size - asked;
    });
    const wideSearches: SearchRequest[] = [];
    const widePositions = list.map((state, index) => {
      const { wide } = rowsOf[index]!;
      return wide.length > 0
        ? wideSearches.push(detailsSearch(state.service, state.index, window.from, window.to, wide)) - 1
        : undefined;
    });
    const wideResponses = wideSearches.length > 0 ? await roundTrip(wideSearches, ctx) : [];
    list.forEach((state, index) => {
      const position = widePositions[index];
      if (position === undefined) return;
      const label = `${state.service.name} details search`;
      const reader = new Reader(wideResponses[position]?.value, label, `responses[${position}]`);
      checkResponse(reader, label, client.cluster, ctx.warnings);
      noteRead(reads[index]!, reader);
      for (const [ip, row] of parseDetails(aggregationsOf(reader))) rowsOf[index]!.details.set(ip, row);
    });

    const services: ServiceSnapshot[] = list.map((state, index) => {
      const { service } = state;
      const m = merged[index]!;
      const { details, successes } = rowsOf[index]!;
      let unknownSource = m.missingIp;
      let distinctIps = m.distinctIps;
      let inexact = 0;
      const offenders: Offender[] = [];
      for (const row of m.ranked) {
        if (UNKNOWN_SOURCE_KEYS.has(row.ip.trim())) {
          unknownSource += row.failures;
          distinctIps = Math.max(0, distinctIps - 1);
          continue;
        }
        const sampled = successes.get(row.ip);
        const success = sampled
          ? successesAfterFailure(row.first, sampled.total, sampled.earliest, sampled.latest)
          : { count: 0, first: null, exact: true };
        if (!success.exact) inexact += 1;
        const detail = details.get(row.ip);
        offenders.push({
          ip: row.ip,
          failures: row.failures,
          distinctUsers: row.distinctUsers,
          topUsers: row.topUsers,
          hosts: detail?.hosts ?? [],
          // As the full path: top users, hosts and origin only for the busiest (A4: "not fetched").
          ...(detail ? {} : { detailed: false as const }),
          invalidUserFailures: row.invalid,
          firstFailure: isoTime(row.first),
          lastFailure: isoTime(row.last),
          successesAfterFailure: success.count,
          firstSuccessAfterFailure: success.first ? new Date(success.first.at).toISOString() : null,
          successUser: success.first?.user ?? null,
          country: detail?.country ?? null,
          asn: detail?.asn ?? null,
          asOrg: detail?.asOrg ?? null,
        });
      }
      if (inexact > 0)
        ctx.warnings.push(
          `${service.label}: ${inexact} IP(s) had many successes both before and after their first failure; success-after-failure counts for them are upper bounds`,
        );
      // Newest event in the lookback (ingest lag): null when none; absent when not asked for.
      const newestAggs = aggregationsOf(
        at(plans[index]!.newest, `${service.name} newest event search`, index),
      );
      const newestValue = newestAggs?.get('newest').get('value');
      const newestEvent = includeNewest
        ? { newestEvent: newestValue && newestValue.value !== null ? isoTime(newestValue.number()) : null }
        : {};
      if (reads[index]!.searched)
        state.shards = { total: reads[index]!.shardsTotal, failed: reads[index]!.shardsFailed };
      const shards = { ...state.shards };
      const took = reads[index]!.took;
      if (shards.total === 0)
        ctx.warnings.push(`${service.label}: index pattern ${state.index} matches no indices`);
      return {
        service: service.name,
        label: service.label,
        failures: m.failures,
        successes: m.successes,
        distinctIps,
        unknownSource,
        invalidUserFailures: m.invalid,
        offenders,
        offendersTruncated: m.truncated,
        timeline: m.timeline,
        targetedUsers: [...m.users].sort(byTargeting).slice(0, TARGETED_USERS),
        took,
        shards,
        ...newestEvent,
      };
    });
    const customRules: CustomRuleResult[] = rulePlans.map((plan) => {
      const reader = at(plan.searchIndex, `custom rule ${plan.rule} search`)!;
      return parseCustomRule(reader, plan);
    });
    last = { slicesRead, moved: movedCount, resync, tookSum: ctx.tookSum, answeredInFull: false };
    const backend = await client.info(signal ? { signal } : {});
    return {
      schema: 1,
      backend: { kind: backend.kind, version: backend.version },
      cluster: client.cluster,
      indexPattern: config.indexPattern,
      window: {
        from: new Date(window.from).toISOString(),
        to: new Date(window.to).toISOString(),
        ms: window.ms,
      },
      bucketMs: shown.bucketMs,
      services,
      customRules,
      took: ctx.tookMax,
      fetchMs: Math.round(performance.now() - started),
      fetchedAt: new Date().toISOString(),
      warnings: ctx.warnings,
    };
  }

  return {
    fetch,
    reset: dropAll,
    async settled() {
      await fill?.promise;
    },
    stats() {
      let slices = 0;
      let pairs = 0;
      let bytes = 0;
      let ips = 0;
      let users = 0;
      for (const state of states ?? []) {
        ips += state.ips.size;
        users += state.users.size;
        for (const slice of state.slices.values()) {
          slices += 1;
          pairs += slice.pairIp.length;
          bytes += sliceBytes(slice);
        }
      }
      return {
        slices,
        ips,
        users,
        pairs,
        bytes,
        lastSlicesRead: last.slicesRead,
        lastMoved: last.moved,
        rolledUp,
        lastResync: last.resync,
        lastTookSum: last.tookSum,
        lastAnsweredInFull: last.answeredInFull,
        lastRows,
        filling: fill !== null && !fill.built && !fill.failed,
        lastFill,
      };
    },
  };
}

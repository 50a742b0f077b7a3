// Incremental snapshots (issue 16): the poll cost follows what changed, not the window.
// The window's timeline buckets are the slices. Each service keeps, per slice, the compact
// tables of slice-table.ts; a poll asks the cluster only for the slices that may still
// change, merges all slices on the client (merge.ts) and asks exact small searches for the
// rows shown, per slice, about the slices not yet kept for them (row-slices.ts). The result is the Snapshot the full query (query.ts, parse.ts)
// gives for the same window, field for field (test/cluster/incremental.integration.test.ts).
//
// Which slices are asked again: a slice is sealed once it was read at a poll time at least
// LATE_MARGIN_MS after its end; until then it is read again at every poll (the newest bucket
// always is). Every RESYNC_MS one histogram per service counts failures and successes by
// slice (counts only: cheap even over 24 h) and a slice whose counts moved (events later than
// the margin) is read again; slices leaving the window are dropped. A poll that needs more
// slices than the margin's (the first one, a gap, a resync that found many changed) is
// answered by the full query (exact, its usual cost) while those slices are read in the
// background, one composite cursor per slice; a later poll adopts them. A new window size,
// alignment or client starts from scratch.
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
  failureCountSearch,
  PAIRS_FILTER_PATH,
  pairsSearch,
  parsePairsPage,
  parseSuccessCounts,
  successCountSearch,
} from './slice-query.js';
import { releaseSlice, SliceBuilder, type SliceTable, sliceBytes } from './slice-table.js';

/**
 * How late (by event time) an event may become searchable and still be counted at the next
 * poll. Chosen, not measured on a production pipeline: a shipper's batching (Filebeat
 * flushes every 1 s; soc-watch's own `ingest --follow` sends within its flush interval),
 * the index refresh (1 s) and a loaded cluster's bulk queue (seconds), with room to spare.
 * Measured (bench:window, "late arrivals"): a bulk-indexed event was searchable 1.2 s
 * (min), 2.0 s (median), 6.0 s (max) after its time on this loaded 2-core machine.
 * Cost: the newest bucket plus ceil(30 s / bucket) older ones are read at every poll (15 m
 * window: up to 3 buckets of 15 s; 24 h: the newest 24 min bucket and the one before it
 * for 30 s after it ends). Later events are counted at the next resync (RESYNC_MS).
 */
export const LATE_MARGIN_MS = 30_000;
/** Every slice is read again this often, catching events later than the margin. */
export const RESYNC_MS = 15 * 60_000;

/** Cursors (slice pages) per `_msearch` of a background fill: ~1 MB of answer each. */
export const FILL_CURSORS_PER_TRIP = 4;

export interface IncrementalOptions {
  lateMarginMs?: number;
  resyncMs?: number;
  /**
   * A poll that needs more slices than this (default: the late margin's slices + 2) is
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
  /** Slices read in the last poll. */
  lastSlicesRead: number;
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

/** The first slice of the window not sealed (or the window's end): parts before it are kept. */
function sealedBoundary(state: ServiceState, window: SnapshotWindow, marginMs: number): number {
  for (let start = window.from; start < window.to; start += window.bucketMs) {
    const slice = state.slices.get(start);
    if (!slice || slice.queriedAt < start + window.bucketMs + marginMs) return start;
  }
  return window.to;
}

export function createIncrementalSnapshots(
  client: ClusterClient,
  config: Config,
  options: IncrementalOptions = {},
): IncrementalSnapshots {
  const marginMs = options.lateMarginMs ?? LATE_MARGIN_MS;
  const resyncMs = options.resyncMs ?? RESYNC_MS;

  let states: ServiceState[] | null = null;
  let grid: { ms: number; bucketMs: number; offset: number } | null = null;
  let lastResyncAt = Number.NEGATIVE_INFINITY;
  let last = { slicesRead: 0, resync: false, tookSum: 0, answeredInFull: false };
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
   * Reads the given slices of every service: each slice is its own composite cursor (its
   * search scans that slice's events only, page after page; one cursor over a whole window
   * scanned every event of the window again for each page), at most `perTrip` cursors per
   * `_msearch` (an answer page is up to PAGE_SIZE buckets, ~1 MB). A slice is built as soon
   * as its last page arrives, so what a read holds is about `perTrip` pages, not the window.
   */
  async function readSlices(
    list: ServiceState[],
    window: SnapshotWindow,
    starts: readonly number[],
    now: number,
    ctx: PollCtx,
    reads: ServiceRead[],
    perTrip: number,
  ): Promise<Map<number, SliceTable>[]> {
    const built = list.map(() => new Map<number, SliceTable>());
    if (starts.length === 0) return built;
    const offset = bucketOffset(window);
    const lowest = Math.min(...starts);
    const successes = list.map(() => new Map<number, number>());
    const builders = list.map(() => new Map<number, SliceBuilder>());
    const queue: { service: number; start: number; after?: AfterKey }[] = [];
    list.forEach((_, service) => {
      for (const start of starts) queue.push({ service, start });
    });
    let first = true;
    try {
      while (queue.length > 0) {
        const searches: SearchRequest[] = [];
        const kinds: { service: number; kind: 'pairs' | 'successes'; start: number }[] = [];
        // Successes by slice first (counts only, one histogram per service): a slice is
        // built with its count.
        if (first)
          list.forEach((state, service) => {
            if (!state.service.success) return;
            searches.push(
              successCountSearch(
                { ...state.service, success: state.service.success },
                state.index,
                lowest,
                window.to,
                window.bucketMs,
                offset,
              ),
            );
            kinds.push({ service, kind: 'successes', start: lowest });
          });
        for (const { service, start, after } of queue.splice(0, perTrip)) {
          const state = list[service]!;
          searches.push(
            pairsSearch(
              state.service,
              state.index,
              start,
              start + window.bucketMs,
              window.bucketMs,
              after,
              offset,
            ),
          );
          kinds.push({ service, kind: 'pairs', start });
        }
        const responses = await roundTrip(searches, ctx, PAIRS_FILTER_PATH);
        const again: typeof queue = [];
        responses.forEach((item, position) => {
          const { service, kind, start } = kinds[position]!;
          const state = list[service]!;
          const label = `${state.service.name} ${kind === 'pairs' ? 'slices' : 'slice successes'} search`;
          const reader = new Reader(item.value, label, `responses[${position}]`);
          checkResponse(reader, label, client.cluster, ctx.warnings);
          noteRead(reads[service]!, reader);
          const aggregations = (item.value as { aggregations?: unknown }).aggregations;
          if (aggregations === undefined && (reader.maybe('_shards')?.maybe('total')?.count() ?? 0) > 0)
            reader.get('aggregations');
          if (kind === 'successes') {
            successes[service] = parseSuccessCounts(aggregations, label);
            return;
          }
          const open = builders[service]!;
          const page = parsePairsPage(aggregations, label, (slice) => {
            if (slice !== start)
              throw new ClusterError(
                'bad-response',
                `${label}: a bucket of slice ${slice} in slice ${start}'s answer`,
              );
            let builder = open.get(slice);
            if (!builder) {
              builder = new SliceBuilder(slice, state.ips, state.users);
              open.set(slice, builder);
            }
            return builder;
          });
          if (page.after) {
            again.push({ service, start, after: page.after });
            return;
          }
          const builder = open.get(start) ?? new SliceBuilder(start, state.ips, state.users);
          open.delete(start);
          built[service]!.set(start, builder.finish(now, successes[service]!.get(start) ?? 0));
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
    return built;
  }

  /** Resync: one histogram of failures (and successes) by slice per service, counts only. */
  async function staleSlices(
    list: ServiceState[],
    window: SnapshotWindow,
    ctx: PollCtx,
    reads: ServiceRead[],
  ) {
    const offset = bucketOffset(window);
    const searches: SearchRequest[] = [];
    const kinds: { service: number; kind: 'failures' | 'successes' }[] = [];
    list.forEach((state, service) => {
      searches.push(
        failureCountSearch(state.service, state.index, window.from, window.to, window.bucketMs, offset),
      );
      kinds.push({ service, kind: 'failures' });
      if (state.service.success) {
        searches.push(
          successCountSearch(
            { ...state.service, success: state.service.success },
            state.index,
            window.from,
            window.to,
            window.bucketMs,
            offset,
          ),
        );
        kinds.push({ service, kind: 'successes' });
      }
    });
    const responses = await roundTrip(searches, ctx);
    const counts = list.map(() => ({
      failures: new Map<number, number>(),
      successes: new Map<number, number>(),
    }));
    responses.forEach((item, position) => {
      const { service, kind } = kinds[position]!;
      const label = `${list[service]!.service.name} resync ${kind} search`;
      const reader = new Reader(item.value, label, `responses[${position}]`);
      checkResponse(reader, label, client.cluster, ctx.warnings);
      noteRead(reads[service]!, reader);
      counts[service]![kind] = parseSuccessCounts(
        (item.value as { aggregations?: unknown }).aggregations,
        label,
      );
    });
    // A slice whose counts moved got events later than the margin (or lost some): it is
    // read again. Equal counts are taken as unchanged (an event deleted and another of the
    // same slice added between two resyncs would go unseen; log indices append).
    list.forEach((state, service) => {
      for (const [start, slice] of state.slices) {
        const { failures, successes } = counts[service]!;
        if ((failures.get(start) ?? 0) === slice.failures && (successes.get(start) ?? 0) === slice.successes)
          continue;
        releaseSlice(slice, state.ips, state.users);
        state.slices.delete(start);
      }
    });
  }

  /** Slices read in the background (first poll, gaps, resync), adopted by a later poll. */
  function startFill(list: ServiceState[], window: SnapshotWindow, starts: number[], now: number): void {
    const controller = new AbortController();
    const at = generation;
    const ctx: PollCtx = { signal: controller.signal, tookMax: 0, tookSum: 0, warnings: [] };
    const reads = list.map(() => ({ took: 0, shardsTotal: 0, shardsFailed: 0, searched: false }));
    const started = performance.now();
    const entry: Fill = { controller, promise: Promise.resolve() };
    entry.promise = readSlices(list, window, starts, now, ctx, reads, FILL_CURSORS_PER_TRIP).then(
      (built) => {
        if (at !== generation) {
          list.forEach((state, service) => {
            for (const slice of built[service]!.values()) releaseSlice(slice, state.ips, state.users);
          });
          return;
        }
        entry.built = built;
        lastFill = {
          slices: starts.length,
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

  /** Installs a finished fill's slices, unless a newer read of the same slice is held. */
  function adoptFill(list: ServiceState[], window: SnapshotWindow): void {
    if (!fill?.built && !fill?.failed) return;
    const built = fill.built;
    fill = null;
    if (!built) return;
    list.forEach((state, service) => {
      for (const [start, slice] of built[service]!) {
        const held = state.slices.get(start);
        if (start < window.from || start >= window.to || (held && held.queriedAt >= slice.queriedAt)) {
          releaseSlice(slice, state.ips, state.users);
          continue;
        }
        state.slices.set(start, slice);
        if (held) releaseSlice(held, state.ips, state.users);
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
        if (start < window.from || start >= window.to) {
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
    const held = list.some((state) => state.slices.size > 0);
    const resync = now - lastResyncAt >= resyncMs;
    if (resync) {
      if (held) await staleSlices(list, window, ctx, reads);
      lastResyncAt = now;
    }
    // Slices to read: missing (new, first poll, stale) or not sealed yet.
    const starts: number[] = [];
    for (let start = window.from; start < window.to; start += window.bucketMs) {
      const sealed = list.every((state) => {
        const slice = state.slices.get(start);
        return slice !== undefined && slice.queriedAt >= start + window.bucketMs + marginMs;
      });
      if (!sealed) starts.push(start);
    }
    const direct = options.directSlices ?? Math.ceil(marginMs / window.bucketMs) + 2;
    if (starts.length > direct) {
      // Too many to read now (a start, a gap, a resync that found many changed): this poll is
      // the full query's (exact, its usual cost) while the slices are read in the background.
      if (!fill) startFill(list, window, starts, now);
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
      last = { slicesRead: 0, resync, tookSum: ctx.tookSum + snapshot.took, answeredInFull: true };
      lastRows = { kept: 0, asked: 0, wide: 0 };
      return { ...snapshot, took: Math.max(snapshot.took, ctx.tookMax) };
    }

    const read = await readSlices(
      list,
      window,
      starts,
      now,
      ctx,
      reads,
      Math.min(starts.length * list.length, DIRECT_CURSORS_PER_TRIP),
    );
    if (signal?.aborted) {
      list.forEach((state, index) => {
        for (const slice of read[index]!.values()) releaseSlice(slice, state.ips, state.users);
      });
      throw new ClusterError('aborted', 'the poll was aborted');
    }
    // Replace the slices read (new ones first, so keys still in use keep their ids).
    list.forEach((state, index) => {
      for (const [start, fresh] of read[index]!) {
        const old = state.slices.get(start);
        state.slices.set(start, fresh);
        if (old) releaseSlice(old, state.ips, state.users);
      }
    });

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
    // (row-slices.ts): an IP whose sealed slices' parts are kept is asked from the boundary
    // (the first slice not sealed) only; custom rules.
    const searches: SearchRequest[] = [];
    const plans = list.map((state, index) => {
      const ranked = merged[index]!.ranked;
      const keys = ranked.map((row) => row.ip);
      const detailed = keys.slice(0, Math.min(DETAILED_OFFENDERS, config.maxOffenders));
      const boundary = sealedBoundary(state, window, marginMs);
      state.details.prune(new Set(detailed), window.from);
      state.successParts.prune(new Set(keys), window.from);
      // An IP with parts kept for the window's first slices is asked from its first slice
      // without one (the boundary of the last poll, at steady state: 1–3 slices); others
      // over the window. What is read before the boundary is kept.
      const split = <P>(cache: PartCache<P>, ips: string[]) => {
        const warm: string[] = [];
        const cold: string[] = [];
        let from = window.to;
        for (const ip of ips) {
          const missing = cache.firstMissing(ip, window.from, boundary, window.bucketMs, state.slices);
          if (missing === window.from && boundary > window.from) cold.push(ip);
          else {
            warm.push(ip);
            from = Math.min(from, missing);
          }
        }
        return { warm, cold, from };
      };
      const push = (search: SearchRequest) => searches.push(search) - 1;
      // Each in groups that keep a search under the cluster's bucket limit (ipGroups).
      const grouped = (
        ips: string[],
        from: number,
        perSlice: number,
        search: (group: string[]) => SearchRequest,
      ) =>
        ips.length > 0 && from < window.to
          ? ipGroups(ips, window, from, perSlice).map((group) => push(search(group)))
          : [];
      const d = split(state.details, detailed);
      const detailBuckets = detailBucketsPerSlice(options.sliceTerms);
      const detailSearch = (from: number) => (group: string[]) =>
        detailSlicesSearch(state.service, state.index, window, from, group, options.sliceTerms);
      const details = {
        from: d.from,
        warm: grouped(d.warm, d.from, detailBuckets, detailSearch(d.from)),
        cold: grouped(d.cold, window.from, detailBuckets, detailSearch(window.from)),
      };
      const success = state.service.success;
      const s = split(state.successParts, success ? keys : []);
      const withSuccess = success ? { ...state.service, success } : undefined;
      const successSearch = (from: number) => (group: string[]) =>
        successSlicesSearch(withSuccess!, state.index, window, from, group);
      const successes = {
        from: s.from,
        warm: withSuccess ? grouped(s.warm, s.from, 1, successSearch(s.from)) : [],
        cold: withSuccess ? grouped(s.cold, window.from, 1, successSearch(window.from)) : [],
      };
      const newest = includeNewest ? push(newestSearch(state.service, state.index, window.to)) : undefined;
      return { boundary, detailed, details, successes, newest, split: { details: d, successes: s } };
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
      for (const [ips, from] of [
        [plan.split.details.cold, window.from],
        [plan.split.details.warm, plan.split.details.from],
      ] as const)
        for (const ip of ips)
          state.details.keep(
            ip,
            from,
            plan.boundary,
            window.bucketMs,
            state.slices,
            detailFresh.get(ip),
            EMPTY_DETAILS,
          );
      for (const ip of plan.detailed) {
        const row = mergeDetails(
          state.details.window(ip, window, plan.boundary, detailFresh.get(ip), EMPTY_DETAILS),
          state.orders,
        );
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
          state.successParts.keep(
            ip,
            from,
            plan.boundary,
            window.bucketMs,
            state.slices,
            successFresh.get(ip),
            EMPTY_SUCCESSES,
          );
      const successes = new Map<string, RowSuccesses>();
      if (state.service.success)
        for (const { ip } of merged[index]!.ranked)
          successes.set(
            ip,
            mergeSuccesses(
              state.successParts.window(ip, window, plan.boundary, successFresh.get(ip), EMPTY_SUCCESSES),
            ),
          );
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
    last = { slicesRead: starts.length, resync, tookSum: ctx.tookSum, answeredInFull: false };
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

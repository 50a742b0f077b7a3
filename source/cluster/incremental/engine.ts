// Incremental snapshots (issue 16): the poll cost follows what changed, not the window.
// The window's timeline buckets are the slices. Each service keeps, per slice, the compact
// tables of slice-table.ts; a poll asks the cluster only for the slices that may still
// change, merges all slices on the client (merge.ts) and asks exact small searches for the
// rows shown (rows-query.ts). The result is the Snapshot the full query (query.ts, parse.ts)
// gives for the same window, field for field (test/cluster/incremental.integration.test.ts).
//
// Which slices are asked again: a slice is sealed once it was read at a poll time at least
// LATE_MARGIN_MS after its end; until then it is read again at every poll (the newest bucket
// always is). Events that arrive later than that (by event time) are picked up by the full
// re-read every RESYNC_MS; slices leaving the window are dropped. A new window size or a new
// client starts from scratch.
import type { Config, ServiceDefinition } from '../../config/types.js';
import type { CustomRuleResult, Offender, ServiceSnapshot, Snapshot } from '../../contracts/snapshot.js';
import { isoTime } from '../../core/iso-time.js';
import { ipSortKey } from '../../core/net.js';
import { buildCustomRuleSearch, parseCustomRule } from '../custom-rules.js';
import { byTargeting, checkResponse, successesAfterFailure, UNKNOWN_SOURCE_KEYS } from '../parse.js';
import { DETAILED_OFFENDERS, newestSearch, TARGETED_USERS } from '../query.js';
import { type ClusterClient, ClusterError, type SearchRequest } from '../types.js';
import { Reader } from '../validate.js';
import { bucketOffset, type SnapshotWindow, snapshotWindow, snapshotWindowEndingAt } from '../window.js';
import { Dictionary, keywordOrderKey } from './dictionary.js';
import { mergeSlices } from './merge.js';
import { detailsSearch, parseDetails, parseSuccesses, successesSearch } from './rows-query.js';
import {
  type AfterKey,
  PAIRS_FILTER_PATH,
  pairsSearch,
  parsePairsPage,
  parseSuccessCounts,
  successCountSearch,
} from './slice-query.js';
import { buildSlice, releaseSlice, type SliceRow, type SliceTable, sliceBytes } from './slice-table.js';

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

export interface IncrementalOptions {
  lateMarginMs?: number;
  resyncMs?: number;
}

interface ServiceState {
  service: ServiceDefinition;
  index: string;
  slices: Map<number, SliceTable>;
  ips: Dictionary;
  users: Dictionary;
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
}

export interface FetchOptions {
  now: number;
  signal?: AbortSignal;
  includeNewest?: boolean;
  /**
   * As of: the window ends exactly here (exclusive; window.ts snapshotWindowEndingAt), for
   * replaying past data (source/replay/). Slices stay on the absolute grid: when the window
   * starts off it (e.g. the 6 h window's 6 min slices at a 1 min step), its partial first
   * slice is read at every poll and not kept, and the timeline is then the grid's (first
   * bucket: the partial slice; the partial newest one not drawn). Counts are exact.
   */
  endAt?: number;
}

export interface IncrementalSnapshots {
  /** `includeNewest`: each service's newest event rides along (ingest lag, as in query.ts). */
  fetch(windowMs: number, options: FetchOptions): Promise<Snapshot>;
  /** Forget every slice (the next poll reads the whole window). */
  reset(): void;
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
}

function noteRead(read: ServiceRead, reader: Reader): void {
  read.took = Math.max(read.took, reader.maybe('took')?.count() ?? 0);
  const shards = reader.maybe('_shards');
  read.shardsTotal = Math.max(read.shardsTotal, shards?.maybe('total')?.count() ?? 0);
  read.shardsFailed = Math.max(read.shardsFailed, shards?.maybe('failed')?.count() ?? 0);
}

export function createIncrementalSnapshots(
  client: ClusterClient,
  config: Config,
  options: IncrementalOptions = {},
): IncrementalSnapshots {
  const marginMs = options.lateMarginMs ?? LATE_MARGIN_MS;
  const resyncMs = options.resyncMs ?? RESYNC_MS;
  let states: ServiceState[] | null = null;
  let grid: { ms: number; bucketMs: number } | null = null;
  let lastResyncAt = Number.NEGATIVE_INFINITY;
  let last = { slicesRead: 0, resync: false, tookSum: 0 };

  async function orderKeyFor(service: ServiceDefinition, index: string, signal?: AbortSignal) {
    // The cluster orders ip keys by address bytes and keyword keys by their bytes: the
    // `_key: asc` tie-break of the full query's terms must be reproduced exactly.
    const caps = new Reader(
      await client.fieldCaps(index, [service.fields.sourceIp], signal ? { signal } : {}),
      '_field_caps',
    );
    const types = Object.keys(caps.maybe('fields')?.maybe(service.fields.sourceIp)?.object() ?? {});
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
        ips: new Dictionary(await orderKeyFor(service, index, signal)),
        users: new Dictionary(keywordOrderKey),
      });
    }
    return made;
  }

  function dropAll(): void {
    for (const state of states ?? []) {
      for (const slice of state.slices.values()) releaseSlice(slice, state.ips, state.users);
      state.slices.clear();
    }
    lastResyncAt = Number.NEGATIVE_INFINITY;
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
   * Reads the slices in [from, window.to) of every service: pages of pairs + success counts.
   * Composite pages come in key order, slice first, so every slice before the last one of a
   * page is complete: it is built then and its rows dropped, which bounds what a poll holds
   * to about one page (a resync of 24 h reads ~150 pages at the scale).
   */
  async function readSlices(
    list: ServiceState[],
    window: SnapshotWindow,
    from: number,
    now: number,
    ctx: PollCtx,
    reads: ServiceRead[],
  ): Promise<{ built: Map<number, SliceTable>; successes: Map<number, number> }[]> {
    const out = list.map(() => ({
      built: new Map<number, SliceTable>(),
      rows: new Map<number, SliceRow[]>(),
      successes: new Map<number, number>(),
    }));
    const build = (service: number, before: number) => {
      const state = list[service]!;
      const { rows, built, successes } = out[service]!;
      for (const [start, sliceRows] of rows) {
        if (start >= before) continue;
        built.set(
          start,
          buildSlice(start, now, sliceRows, successes.get(start) ?? 0, state.ips, state.users),
        );
        rows.delete(start);
      }
    };
    let pending: { service: number; after?: AfterKey }[] = list.map((_, service) => ({ service }));
    let first = true;
    try {
      while (pending.length > 0) {
        const searches: SearchRequest[] = [];
        const kinds: { service: number; kind: 'pairs' | 'successes' }[] = [];
        for (const { service, after } of pending) {
          const state = list[service]!;
          if (first && state.service.success) {
            searches.push(
              successCountSearch(
                { ...state.service, success: state.service.success },
                state.index,
                from,
                window.to,
                window.bucketMs,
              ),
            );
            kinds.push({ service, kind: 'successes' });
          }
          searches.push(pairsSearch(state.service, state.index, from, window.to, window.bucketMs, after));
          kinds.push({ service, kind: 'pairs' });
        }
        const responses = await roundTrip(searches, ctx, PAIRS_FILTER_PATH);
        const next: { service: number; after?: AfterKey }[] = [];
        // Successes come before their service's pairs: a slice is built with its count.
        responses.forEach((item, position) => {
          const { service, kind } = kinds[position]!;
          const label = `${list[service]!.service.name} ${kind === 'pairs' ? 'slices' : 'slice successes'} search`;
          const reader = new Reader(item.value, label, `responses[${position}]`);
          checkResponse(reader, label, client.cluster, ctx.warnings);
          noteRead(reads[service]!, reader);
          const aggregations = (item.value as { aggregations?: unknown }).aggregations;
          if (aggregations === undefined && (reader.maybe('_shards')?.maybe('total')?.count() ?? 0) > 0)
            reader.get('aggregations');
          if (kind === 'successes') {
            out[service]!.successes = parseSuccessCounts(aggregations, label);
            return;
          }
          const page = parsePairsPage(aggregations, label, out[service]!.rows);
          if (page.after) {
            next.push({ service, after: page.after });
            if (page.lastSlice !== undefined) build(service, page.lastSlice);
          } else build(service, Number.POSITIVE_INFINITY);
        });
        pending = next;
        first = false;
      }
    } catch (error) {
      // Nothing of a failed read is kept: give back the keys its slices took.
      list.forEach((state, service) => {
        for (const slice of out[service]!.built.values()) releaseSlice(slice, state.ips, state.users);
      });
      throw error;
    }
    return out.map(({ built, successes }) => ({ built, successes }));
  }

  async function fetch(
    windowMs: number,
    { now, signal, includeNewest, endAt }: FetchOptions,
  ): Promise<Snapshot> {
    const started = performance.now();
    const window =
      endAt === undefined ? snapshotWindow(windowMs, now) : snapshotWindowEndingAt(windowMs, endAt);
    if (endAt === undefined && bucketOffset(window) !== 0)
      throw new RangeError('incremental snapshots need bucket-aligned windows');
    // The first slice on the grid that is whole in the window (window.from unless as of an off-grid time).
    const gridFrom = Math.ceil(window.from / window.bucketMs) * window.bucketMs;
    if (!grid || grid.ms !== window.ms || grid.bucketMs !== window.bucketMs) {
      dropAll();
      grid = { ms: window.ms, bucketMs: window.bucketMs };
    }
    states ??= await init(signal);
    const list = states;
    const ctx: PollCtx = { signal, tookMax: 0, tookSum: 0, warnings: [] };

    // Slices that left the window.
    for (const state of list) {
      for (const [start, slice] of state.slices) {
        if (start < gridFrom) {
          releaseSlice(slice, state.ips, state.users);
          state.slices.delete(start);
        }
      }
    }
    const resync = now - lastResyncAt >= resyncMs;
    let from = window.to;
    if (resync) from = gridFrom;
    else {
      for (let start = gridFrom; start < window.to; start += window.bucketMs) {
        const sealed = list.every((state) => {
          const slice = state.slices.get(start);
          return slice !== undefined && slice.queriedAt >= start + window.bucketMs + marginMs;
        });
        if (!sealed) {
          from = start;
          break;
        }
      }
    }

    const reads: ServiceRead[] = list.map(() => ({ took: 0, shardsTotal: 0, shardsFailed: 0 }));
    // The partial first slice (as of an off-grid time) in the same round trips' time.
    const [mainRead, headRead] = await Promise.allSettled([
      readSlices(list, window, from, now, ctx, reads),
      gridFrom > window.from
        ? readSlices(list, { ...window, to: gridFrom }, window.from, now, ctx, reads)
        : Promise.resolve(undefined),
    ]);
    if (mainRead.status === 'rejected' || headRead.status === 'rejected') {
      for (const done of [mainRead, headRead])
        if (done.status === 'fulfilled')
          list.forEach((state, index) => {
            for (const slice of done.value?.[index]?.built.values() ?? [])
              releaseSlice(slice, state.ips, state.users);
          });
      throw mainRead.status === 'rejected' ? mainRead.reason : (headRead as PromiseRejectedResult).reason;
    }
    const read = mainRead.value;
    const head = headRead.value;
    if (signal?.aborted) {
      list.forEach((state, index) => {
        for (const slice of read[index]!.built.values()) releaseSlice(slice, state.ips, state.users);
        for (const slice of head?.[index]?.built.values() ?? []) releaseSlice(slice, state.ips, state.users);
      });
      throw new ClusterError('aborted', 'the poll was aborted');
    }
    // Replace the slices read (new ones first, so keys still in use keep their ids).
    list.forEach((state, index) => {
      const { built, successes } = read[index]!;
      for (let start = from; start < window.to; start += window.bucketMs) {
        const fresh =
          built.get(start) ?? buildSlice(start, now, [], successes.get(start) ?? 0, state.ips, state.users);
        const old = state.slices.get(start);
        state.slices.set(start, fresh);
        if (old) releaseSlice(old, state.ips, state.users);
      }
    });
    if (resync) lastResyncAt = now;

    const merged = list.map((state, index) => {
      // The partial first slice; with successes but no failures, it is not built by readSlices.
      const partial = [...(head?.[index]?.built.values() ?? [])];
      const headSuccesses = head?.[index]?.successes.get(gridFrom - window.bucketMs) ?? 0;
      if (head && partial.length === 0 && headSuccesses > 0)
        partial.push(buildSlice(gridFrom - window.bucketMs, now, [], headSuccesses, state.ips, state.users));
      const result = mergeSlices(
        partial.length > 0 ? [...partial, ...state.slices.values()] : state.slices.values(),
        head ? { ...window, from: gridFrom - window.bucketMs } : window,
        state.ips,
        state.users,
        {
          maxOffenders: config.maxOffenders,
          detailed: Math.min(DETAILED_OFFENDERS, config.maxOffenders),
          hasInvalidUser: state.service.invalidUser !== undefined,
        },
      );
      for (const slice of partial) releaseSlice(slice, state.ips, state.users);
      return result;
    });

    // The rows shown: details for the busiest, successes for all offenders; custom rules.
    const searches: SearchRequest[] = [];
    const positions = list.map((state, index) => {
      const ranked = merged[index]!.ranked;
      const keys = ranked.map((row) => row.ip);
      const detailed = keys.slice(0, Math.min(DETAILED_OFFENDERS, config.maxOffenders));
      const details =
        detailed.length > 0
          ? searches.push(detailsSearch(state.service, state.index, window.from, window.to, detailed)) - 1
          : undefined;
      const success = state.service.success;
      const successes =
        success && keys.length > 0
          ? searches.push(
              successesSearch({ ...state.service, success }, state.index, window.from, window.to, keys),
            ) - 1
          : undefined;
      const newest = includeNewest
        ? searches.push(newestSearch(state.service, state.index, window.to)) - 1
        : undefined;
      return { details, successes, newest };
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

    const services: ServiceSnapshot[] = list.map((state, index) => {
      const { service } = state;
      const m = merged[index]!;
      const details = parseDetails(
        aggregationsOf(at(positions[index]!.details, `${service.name} details search`, index)),
      );
      const successes = parseSuccesses(
        aggregationsOf(at(positions[index]!.successes, `${service.name} successes search`, index)),
        service.fields.user,
      );
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
        at(positions[index]!.newest, `${service.name} newest event search`, index),
      );
      const newestValue = newestAggs?.get('newest').get('value');
      const newestEvent = includeNewest
        ? { newestEvent: newestValue && newestValue.value !== null ? isoTime(newestValue.number()) : null }
        : {};
      const shards = { total: reads[index]!.shardsTotal, failed: reads[index]!.shardsFailed };
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
    let slicesRead = 0;
    for (let start = from; start < window.to; start += window.bucketMs) slicesRead += 1;
    last = { slicesRead, resync, tookSum: ctx.tookSum };
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
      bucketMs: window.bucketMs,
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
      };
    },
  };
}

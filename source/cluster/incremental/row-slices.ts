// The rows' details (hosts, origin) and successes, per slice, so a steady poll asks the
// cluster only about the slices that may still change. rows-query.ts's searches spanned the
// whole window at every poll: at 1M failures in 15 m they cost about a full search, though
// only 1–3 slices were read (bench:window before this file).
//
// Each search is rows-query.ts's, with a date_range by slice between the IP and the fields
// (slices are any length: whole buckets, parts of recent ones; engine.ts):
//   details    per (IP, slice): every host, country, ASN and AS organisation with its
//              count (terms of SLICE_TERMS; complete when nothing is left over), merged
//              exactly on the client: counts add, then the full query's order (count desc,
//              key asc) and size.
//   successes  per (IP, slice): count, earliest and latest SUCCESS_SAMPLE; the window's
//              are the sum and the first samples in slice order (slices do not overlap).
// A part of a sealed slice (SliceTable sealed, see engine.ts) is kept while that table is
// held: a slice read again (resync) drops its parts. An IP whose parts are all kept is
// asked about the unsealed slices only; another is asked about the whole window once. An
// IP with more than SLICE_TERMS of a field in one slice is answered by rows-query.ts's
// window-wide details search (exact, its old cost).
import type { QueryDsl, ServiceDefinition } from '../../config/types.js';
import type { NamedCount } from '../../contracts/snapshot.js';
import { asNumber, type SuccessSample, samples } from '../parse.js';
import { AGG, SUCCESS_SAMPLE, TOP_HOSTS } from '../query.js';
import type { SearchRequest } from '../types.js';
import type { Reader } from '../validate.js';
import { keywordOrderKey } from './dictionary.js';
import { detailsSearch, type RowDetails, type RowSuccesses, successesSearch } from './rows-query.js';
import type { SliceRange } from './slice-query.js';

/** Terms per (IP, slice) and field: one IP rarely hits more hosts or origins in one slice. */
export const SLICE_TERMS = 32;

/** Counts by key; `complete` false when the slice had more keys than SLICE_TERMS. */
interface TermCounts {
  keys: (string | number)[];
  counts: number[];
  complete: boolean;
}

export interface DetailPart {
  hosts: TermCounts;
  country: TermCounts;
  asn: TermCounts;
  asOrg: TermCounts;
}

export interface SuccessPart {
  total: number;
  earliest: SuccessSample[];
  latest: SuccessSample[];
}

const NO_TERMS: TermCounts = { keys: [], counts: [], complete: true };
const NO_DETAILS: DetailPart = { hosts: NO_TERMS, country: NO_TERMS, asn: NO_TERMS, asOrg: NO_TERMS };
const NO_SUCCESSES: SuccessPart = { total: 0, earliest: [], latest: [] };

function bySlice(ranges: readonly SliceRange[], time: string, aggs: QueryDsl): QueryDsl {
  return {
    t: {
      date_range: {
        field: time,
        format: 'epoch_millis',
        ranges: ranges.map((range) => ({ from: range.start, to: range.end })),
      },
      aggs,
    },
  };
}

/** rows-query.ts's search for `ips` over the slices `ranges` (in order), its fields split by slice. */
function perSlice(search: SearchRequest, ranges: readonly SliceRange[], time: string): SearchRequest {
  const body = search.body as { aggs: { rows: { aggs: QueryDsl } } };
  body.aggs.rows.aggs = bySlice(ranges, time, body.aggs.rows.aggs);
  return search;
}

const spanOf = (ranges: readonly SliceRange[]) => ({
  from: ranges[0]?.start ?? 0,
  to: ranges[ranges.length - 1]?.end ?? 0,
});

/**
 * Buckets one per-slice search may make: the cluster refuses more than `search.max_buckets`
 * (65,536 by default) in one search. A replay's 6 h window in 2 min slices made 25 IPs × 180
 * slices × their hosts and origins exceed it ("too many buckets", seen in `once`).
 */
export const SLICE_SEARCH_BUCKETS = 30_000;

/** Most buckets a detail search makes per IP and slice: the slice, and four terms of `sliceTerms`. */
export const detailBucketsPerSlice = (sliceTerms = SLICE_TERMS) => 1 + 4 * sliceTerms;

/**
 * `ips` in groups whose per-slice search over `slices` slices stays within
 * SLICE_SEARCH_BUCKETS, at most `perSlice` buckets an IP and slice (one search when it fits).
 */
export function ipGroups(ips: string[], slicesCount: number, perSlice: number): string[][] {
  const slices = Math.max(1, slicesCount);
  const size = Math.max(1, Math.floor(SLICE_SEARCH_BUCKETS / (slices * perSlice)));
  const groups: string[][] = [];
  for (let start = 0; start < ips.length; start += size) groups.push(ips.slice(start, start + size));
  return groups;
}

export function detailSlicesSearch(
  service: ServiceDefinition,
  index: string,
  ranges: readonly SliceRange[],
  ips: string[],
  sliceTerms = SLICE_TERMS,
): SearchRequest {
  const { from, to } = spanOf(ranges);
  const search = detailsSearch(service, index, from, to, ips);
  const aggs = (search.body as { aggs: { rows: { aggs: Record<string, { terms: { size: number } }> } } }).aggs
    .rows.aggs;
  for (const terms of Object.values(aggs)) terms.terms.size = sliceTerms;
  return perSlice(search, ranges, service.fields.time);
}

export function successSlicesSearch(
  service: ServiceDefinition & { success: QueryDsl },
  index: string,
  ranges: readonly SliceRange[],
  ips: string[],
): SearchRequest {
  const { from, to } = spanOf(ranges);
  return perSlice(successesSearch(service, index, from, to, ips), ranges, service.fields.time);
}

function termCounts(terms: Reader): TermCounts {
  const keys: (string | number)[] = [];
  const counts: number[] = [];
  for (const bucket of terms.get('buckets').array()) {
    const key = bucket.get('key');
    keys.push(typeof key.value === 'number' ? key.value : key.key());
    counts.push(bucket.get('doc_count').count());
  }
  const other = terms.maybe('sum_other_doc_count')?.count() ?? 0;
  return { keys, counts, complete: other === 0 };
}

/** Parts by IP, then by slice start, from a per-slice answer. */
export function parseSliceParts<P>(
  aggregations: Reader | undefined,
  part: (bucket: Reader) => P,
): Map<string, Map<number, P>> {
  const map = new Map<string, Map<number, P>>();
  for (const row of aggregations?.get('rows').get('buckets').array() ?? []) {
    const slices = new Map<number, P>();
    for (const bucket of row.get('t').get('buckets').array())
      slices.set(bucket.get('from').number(), part(bucket));
    map.set(row.get('key').key(), slices);
  }
  return map;
}

export function detailPart(bucket: Reader): DetailPart {
  return {
    hosts: termCounts(bucket.get('hosts')),
    country: termCounts(bucket.get('country')),
    asn: termCounts(bucket.get('asn')),
    asOrg: termCounts(bucket.get('asOrg')),
  };
}

export function successPartOf(userField: string): (bucket: Reader) => SuccessPart {
  return (bucket) => ({
    total: bucket.get('doc_count').count(),
    earliest: samples(bucket.get(AGG.earliest), userField),
    latest: samples(bucket.get(AGG.latest), userField),
  });
}

/** Key orders of the cluster's `_key: asc` for the fields merged (a string by its field's type). */
export interface KeyOrders {
  host: (key: string) => string;
}

function compareKeys(a: string | number, b: string | number, order: (key: string) => string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = order(String(a));
  const y = order(String(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Terms merged: counts added, then count desc, key asc, the first `size` (the full query's). */
function mergeTerms(
  parts: readonly TermCounts[],
  size: number,
  order: (key: string) => string,
): { key: string | number; count: number }[] | null {
  const sums = new Map<string | number, number>();
  for (const part of parts) {
    if (!part.complete) return null;
    part.keys.forEach((key, at) => {
      sums.set(key, (sums.get(key) ?? 0) + part.counts[at]!);
    });
  }
  return [...sums]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || compareKeys(a.key, b.key, order))
    .slice(0, size);
}

/** The window's details from its slices' parts; null when a part is incomplete. */
export function mergeDetails(parts: readonly DetailPart[], orders: KeyOrders): RowDetails | null {
  const hosts = mergeTerms(
    parts.map((part) => part.hosts),
    TOP_HOSTS,
    orders.host,
  );
  const country = mergeTerms(
    parts.map((part) => part.country),
    1,
    keywordOrderKey,
  );
  const asn = mergeTerms(
    parts.map((part) => part.asn),
    1,
    keywordOrderKey,
  );
  const asOrg = mergeTerms(
    parts.map((part) => part.asOrg),
    1,
    keywordOrderKey,
  );
  if (!hosts || !country || !asn || !asOrg) return null;
  const first = (terms: { key: string | number }[]) => (terms[0] ? String(terms[0].key) : null);
  return {
    hosts: hosts.map(({ key, count }): NamedCount => ({ name: String(key), count })),
    country: first(country),
    asn: asNumber(first(asn)),
    asOrg: first(asOrg),
  };
}

/** The window's successes from its slices' parts, in slice order. */
export function mergeSuccesses(parts: readonly SuccessPart[]): RowSuccesses {
  let total = 0;
  const earliest: SuccessSample[] = [];
  const latest: SuccessSample[] = [];
  for (const part of parts) {
    total += part.total;
    for (const sample of part.earliest) if (earliest.length < SUCCESS_SAMPLE) earliest.push(sample);
  }
  for (let at = parts.length - 1; at >= 0; at -= 1)
    for (const sample of parts[at]!.latest) if (latest.length < SUCCESS_SAMPLE) latest.push(sample);
  return { total, earliest, latest };
}

/** Term counts of adjacent slices as one (counts added; complete only if every part is). */
function combineTerms(parts: readonly TermCounts[]): TermCounts {
  const sums = new Map<string | number, number>();
  let complete = true;
  for (const part of parts) {
    complete &&= part.complete;
    part.keys.forEach((key, at) => {
      sums.set(key, (sums.get(key) ?? 0) + part.counts[at]!);
    });
  }
  return { keys: [...sums.keys()], counts: [...sums.values()], complete };
}

/** The details part of adjacent slices combined into one (engine.ts rolls slices up). */
export function combineDetailParts(parts: readonly DetailPart[]): DetailPart {
  return {
    hosts: combineTerms(parts.map((part) => part.hosts)),
    country: combineTerms(parts.map((part) => part.country)),
    asn: combineTerms(parts.map((part) => part.asn)),
    asOrg: combineTerms(parts.map((part) => part.asOrg)),
  };
}

/** The successes part of adjacent slices (in time order) combined: the window's merge of them. */
export function combineSuccessParts(parts: readonly SuccessPart[]): SuccessPart {
  return mergeSuccesses(parts);
}

/**
 * Parts of sealed slices, by IP then slice start, each with the SliceTable it was read
 * with (a slice read again is another table: its parts no longer count).
 */
export class PartCache<P> {
  private readonly byIp = new Map<string, Map<number, { table: object; part: P }>>();

  /**
   * The first of `starts` (the window's slices in order, each a key of `tables`) without a
   * part for `ip` read with the held table (the window's end when all have one): the IP is
   * asked about the slices from there on.
   */
  firstMissing(ip: string, starts: readonly number[], end: number, tables: Map<number, object>): number {
    const parts = this.byIp.get(ip);
    if (!parts) return starts[0] ?? end;
    for (const start of starts) {
      const kept = parts.get(start);
      if (!kept || kept.table !== tables.get(start)) return start;
    }
    return end;
  }

  /** Keeps the parts of the slices `starts` read (a slice without events for `ip` is an empty part). */
  keep(
    ip: string,
    starts: readonly number[],
    tables: Map<number, object>,
    read: Map<number, P> | undefined,
    empty: P,
  ): void {
    let parts = this.byIp.get(ip);
    if (!parts) {
      parts = new Map();
      this.byIp.set(ip, parts);
    }
    for (const start of starts) {
      const table = tables.get(start);
      if (table) parts.set(start, { table, part: read?.get(start) ?? empty });
    }
  }

  /** The window's parts for `ip`, one per slice of `starts`: kept ones, or `empty`. */
  window(ip: string, starts: readonly number[], empty: P): P[] {
    const parts = this.byIp.get(ip);
    return starts.map((start) => parts?.get(start)?.part ?? empty);
  }

  /**
   * Slices `parts` (in order, each with the table it was held with) became one `table` at
   * `start`: an IP with a part for each (read with those tables) gets them combined;
   * another loses them (it is asked about the combined slice when shown).
   */
  rollUp(
    olds: readonly { start: number; table: object }[],
    start: number,
    table: object,
    combine: (parts: P[]) => P,
  ): void {
    for (const parts of this.byIp.values()) {
      const found: P[] = [];
      for (const old of olds) {
        const kept = parts.get(old.start);
        if (kept && kept.table === old.table) found.push(kept.part);
        parts.delete(old.start);
      }
      if (found.length === olds.length) parts.set(start, { table, part: combine(found) });
    }
  }

  /** Forgets IPs not shown now and slices before the window. */
  prune(shown: ReadonlySet<string>, from: number): void {
    for (const [ip, parts] of this.byIp) {
      if (!shown.has(ip)) {
        this.byIp.delete(ip);
        continue;
      }
      for (const start of parts.keys()) if (start < from) parts.delete(start);
    }
  }

  clear(): void {
    this.byIp.clear();
  }
}

export const EMPTY_DETAILS = NO_DETAILS;
export const EMPTY_SUCCESSES = NO_SUCCESSES;

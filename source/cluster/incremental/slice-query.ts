// The lean per-slice searches (issue 16's measured anchor: sub-aggregations per bucket are
// what cost, so the per-slice search has none but a filter and a min/max):
//   pairs      failures in one slice [from, to): a composite aggregation by (source IP,
//              user), paged with after_key through every pair, each with its invalid-user
//              failures and first/last failure. missing_bucket keeps events without IP or
//              user. One slice a search (each cursor reads one slice, so a slice source
//              in the composite would hold one value).
//   counts     failures and successes per slice of a list of slices (counts only): the
//              successes of the slices read, the check of recent slices and the resync.
// Bounds are absolute, so a repeated request is the same bytes and the shard request cache
// can answer it while the index has not been refreshed.
import type { QueryDsl, ServiceDefinition } from '../../config/types.js';
import { aggregationSearch, timeRange } from '../query.js';
import { ClusterError, type SearchRequest } from '../types.js';
import type { SliceBuilder } from './slice-table.js';

/**
 * Composite buckets per page. 10,000 pairs are ~1 MB of answer; the search's bucket limit
 * (search.max_buckets, 65,536 by default) counts the filter sub-aggregation too.
 */
export const PAGE_SIZE = 10_000;

/** Short names: they repeat in every composite bucket of the answer. */
const IP = 'a';
const USER = 'u';

export type AfterKey = Record<string, unknown>;

/** A slice's time range, epoch ms: [start, end). */
export interface SliceRange {
  start: number;
  end: number;
}

export function pairsSearch(
  service: ServiceDefinition,
  index: string,
  from: number,
  to: number,
  after?: AfterKey,
): SearchRequest {
  const f = service.fields;
  const aggs: QueryDsl = {
    f: { min: { field: f.time } },
    l: { max: { field: f.time } },
    ...(service.invalidUser ? { i: { filter: service.invalidUser } } : {}),
  };
  return aggregationSearch(index, [timeRange(f.time, from, to), service.failure], {
    p: {
      composite: {
        size: PAGE_SIZE,
        sources: [
          { [IP]: { terms: { field: f.sourceIp, missing_bucket: true } } },
          { [USER]: { terms: { field: f.user, missing_bucket: true } } },
        ],
        ...(after ? { after } : {}),
      },
      aggs,
    },
  });
}

/**
 * Failures and successes in each of `ranges` (in time order, not overlapping), counts only:
 * a `date_range` aggregation, so slices of any length (a whole bucket, a part of one) are
 * counted in one search over [first start, last end), both counts in the same search.
 */
export function rangeCountSearch(
  service: ServiceDefinition,
  index: string,
  ranges: readonly SliceRange[],
): SearchRequest {
  const f = service.fields;
  const from = ranges[0]?.start ?? 0;
  const to = ranges[ranges.length - 1]?.end ?? 0;
  const either: QueryDsl = service.success
    ? { bool: { should: [service.failure, service.success], minimum_should_match: 1 } }
    : service.failure;
  return aggregationSearch(index, [timeRange(f.time, from, to), either], {
    s: {
      date_range: {
        field: f.time,
        format: 'epoch_millis',
        ranges: ranges.map((range) => ({ from: range.start, to: range.end })),
      },
      aggs: {
        f: { filter: service.failure },
        ...(service.success ? { s: { filter: service.success } } : {}),
      },
    },
  });
}

/** `filter_path` for the pair pages (Elasticsearch only, as in fetch.ts): drops date strings. */
export const PAIRS_FILTER_PATH = [
  '-responses.aggregations.p.buckets.f.value_as_string',
  '-responses.aggregations.p.buckets.l.value_as_string',
].join(',');

function bad(context: string, what: string): never {
  throw new ClusterError('bad-response', `${context}: expected ${what}`);
}

function keyOf(value: unknown, context: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return bad(context, 'a string, number or null key');
}

function num(value: unknown, context: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) bad(context, 'a number');
  return value as number;
}

function record(value: unknown, context: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(context, 'an object');
  return value as Record<string, unknown>;
}

/**
 * One page of a slice's pairs search, each bucket handed to the slice's builder as it is
 * read; returns where the next page starts, or undefined when this was the last.
 * Hand-rolled checks instead of validate.ts's Reader: a page holds up to 10,000 buckets and
 * this is the hot path of an incremental poll.
 */
export function parsePairsPage(
  aggregations: unknown,
  context: string,
  builder: SliceBuilder,
): AfterKey | undefined {
  // No aggregations: no index matched (0 shards), no events.
  if (aggregations === undefined) return undefined;
  const composite = record(record(aggregations, context).p, `${context}: aggregations.p`);
  // OpenSearch's filter_path would drop an empty array; an absent one reads as empty.
  const buckets = composite.buckets ?? [];
  if (!Array.isArray(buckets)) bad(`${context}: p.buckets`, 'an array');
  for (const raw of buckets as unknown[]) {
    const bucket = record(raw, `${context}: p.buckets[]`);
    const key = record(bucket.key, `${context}: p.buckets[].key`);
    const invalidAgg = bucket.i as { doc_count?: unknown } | undefined;
    builder.add(
      keyOf(key[IP], `${context}: p.buckets[].key.a`),
      keyOf(key[USER], `${context}: p.buckets[].key.u`),
      num(bucket.doc_count, `${context}: p.buckets[].doc_count`),
      invalidAgg === undefined ? 0 : num(invalidAgg.doc_count, `${context}: p.buckets[].i.doc_count`),
      num(record(bucket.f, `${context}: p.buckets[].f`).value, `${context}: p.buckets[].f.value`),
      num(record(bucket.l, `${context}: p.buckets[].l`).value, `${context}: p.buckets[].l.value`),
    );
  }
  const afterKey = composite.after_key;
  return (buckets as unknown[]).length >= PAGE_SIZE && afterKey !== undefined && afterKey !== null
    ? record(afterKey, `${context}: p.after_key`)
    : undefined;
}

export interface SliceCounts {
  failures: number;
  successes: number;
}

/**
 * Counts by range start from rangeCountSearch's answer (a range's `from` is its start).
 * Every range is answered (empty ones with 0); none answered: no index matched.
 */
export function parseRangeCounts(aggregations: unknown, context: string): Map<number, SliceCounts> {
  const counts = new Map<number, SliceCounts>();
  if (aggregations === undefined) return counts;
  const ranges = record(record(aggregations, context).s, `${context}: aggregations.s`);
  const buckets = ranges.buckets ?? [];
  if (!Array.isArray(buckets)) bad(`${context}: s.buckets`, 'an array');
  const sub = (bucket: Record<string, unknown>, name: string) => {
    const agg = bucket[name];
    return agg === undefined
      ? 0
      : num(
          record(agg, `${context}: s.buckets[].${name}`).doc_count,
          `${context}: s.buckets[].${name}.doc_count`,
        );
  };
  for (const raw of buckets as unknown[]) {
    const bucket = record(raw, `${context}: s.buckets[]`);
    counts.set(num(bucket.from, `${context}: s.buckets[].from`), {
      failures: sub(bucket, 'f'),
      successes: sub(bucket, 's'),
    });
  }
  return counts;
}

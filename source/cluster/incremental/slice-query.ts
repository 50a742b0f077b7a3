// The lean per-slice searches (issue 16's measured anchor: sub-aggregations per bucket are
// what cost, so the per-slice search has none but a filter and a min/max):
//   pairs      failures in [from, to): a composite aggregation by (slice, source IP, user),
//              paged with after_key through every pair, each with its invalid-user failures
//              and first/last failure. missing_bucket keeps events without IP or user.
//   successes  successes in [from, to): a histogram by slice (counts only).
// Bounds are absolute and bucket-aligned, so a repeated request is the same bytes and the
// shard request cache can answer it while the index has not been refreshed.
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
const SLICE = 't';
const IP = 'a';
const USER = 'u';

export type AfterKey = Record<string, unknown>;

export function pairsSearch(
  service: ServiceDefinition,
  index: string,
  from: number,
  to: number,
  bucketMs: number,
  after?: AfterKey,
  offsetMs = 0,
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
          {
            [SLICE]: {
              date_histogram: {
                field: f.time,
                fixed_interval: `${bucketMs}ms`,
                // An "as of" window's slices start at its `from` (window.ts).
                ...(offsetMs === 0 ? {} : { offset: `${offsetMs}ms` }),
              },
            },
          },
          { [IP]: { terms: { field: f.sourceIp, missing_bucket: true } } },
          { [USER]: { terms: { field: f.user, missing_bucket: true } } },
        ],
        ...(after ? { after } : {}),
      },
      aggs,
    },
  });
}

/** Failures by slice (counts only): the resync's check of the slices held (engine.ts). */
export function failureCountSearch(
  service: ServiceDefinition,
  index: string,
  from: number,
  to: number,
  bucketMs: number,
  offsetMs = 0,
): SearchRequest {
  return successCountSearch({ ...service, success: service.failure }, index, from, to, bucketMs, offsetMs);
}

export function successCountSearch(
  service: ServiceDefinition & { success: QueryDsl },
  index: string,
  from: number,
  to: number,
  bucketMs: number,
  offsetMs = 0,
): SearchRequest {
  const f = service.fields;
  return aggregationSearch(index, [timeRange(f.time, from, to), service.success], {
    s: {
      histogram: {
        field: f.time,
        interval: bucketMs,
        min_doc_count: 1,
        ...(offsetMs === 0 ? {} : { offset: offsetMs }),
      },
    },
  });
}

/** `filter_path` for the pair pages (Elasticsearch only, as in fetch.ts): drops date strings. */
export const PAIRS_FILTER_PATH = [
  '-responses.aggregations.p.buckets.f.value_as_string',
  '-responses.aggregations.p.buckets.l.value_as_string',
  '-responses.aggregations.p.buckets.key.t_as_string',
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

export interface PairsPage {
  /** Where the next page starts, or undefined when this was the last. */
  after: AfterKey | undefined;
  /** Slice of the page's last bucket (pages come in slice order). */
  lastSlice: number | undefined;
}

/**
 * One page of the pairs search, each bucket handed to its slice's builder as it is read.
 * Hand-rolled checks instead of validate.ts's Reader: a page holds up to 10,000 buckets and
 * this is the hot path of an incremental poll.
 */
export function parsePairsPage(
  aggregations: unknown,
  context: string,
  builderFor: (slice: number) => SliceBuilder,
): PairsPage {
  // No aggregations: no index matched (0 shards), no events.
  if (aggregations === undefined) return { after: undefined, lastSlice: undefined };
  const composite = record(record(aggregations, context).p, `${context}: aggregations.p`);
  // OpenSearch's filter_path would drop an empty array; an absent one reads as empty.
  const buckets = composite.buckets ?? [];
  if (!Array.isArray(buckets)) bad(`${context}: p.buckets`, 'an array');
  let lastSlice: number | undefined;
  let builder: SliceBuilder | undefined;
  for (const raw of buckets as unknown[]) {
    const bucket = record(raw, `${context}: p.buckets[]`);
    const key = record(bucket.key, `${context}: p.buckets[].key`);
    const slice = num(key[SLICE], `${context}: p.buckets[].key.t`);
    if (slice !== lastSlice || !builder) builder = builderFor(slice);
    lastSlice = slice;
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
  const after =
    (buckets as unknown[]).length >= PAGE_SIZE && afterKey !== undefined && afterKey !== null
      ? record(afterKey, `${context}: p.after_key`)
      : undefined;
  return { after, lastSlice };
}

/** Success counts by slice start. */
export function parseSuccessCounts(aggregations: unknown, context: string): Map<number, number> {
  const counts = new Map<number, number>();
  if (aggregations === undefined) return counts;
  const histogram = record(record(aggregations, context).s, `${context}: aggregations.s`);
  const buckets = histogram.buckets ?? [];
  if (!Array.isArray(buckets)) bad(`${context}: s.buckets`, 'an array');
  for (const raw of buckets as unknown[]) {
    const bucket = record(raw, `${context}: s.buckets[]`);
    counts.set(
      num(bucket.key, `${context}: s.buckets[].key`),
      num(bucket.doc_count, `${context}: s.buckets[].doc_count`),
    );
  }
  return counts;
}

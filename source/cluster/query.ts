// The snapshot query. Pure: config + clock in, request bodies and a plan (how to read the
// answers) out. All searches of a poll go in ONE `_msearch` (one HTTP round trip); the cluster
// runs them in parallel. Everything is counted with aggregations; no hits are pulled.
//
// Per service, five size-0 searches over `time range AND <filter>`:
//   totals     failures: the count (track_total_hits), distinct source IPs (cardinality), no source IP (missing), invalid-user
//              failures (filter), the timeline (histogram of epoch millis, min_doc_count 0
//              + extended_bounds: every bucket, zeros included).
//   users      failures: the most targeted accounts (the 50 with most failures, of which the
//              20 with most distinct source IPs: what a distributed attack looks like), with
//              their invalid-user failures.
//   offenders  failures: terms(source IP) by failure count, size maxOffenders, with what the
//              rules need for every IP: distinct users, invalid-user failures, first/last time.
//   details    failures: the same terms for the DETAILED_OFFENDERS busiest IPs only, with what
//              people read: top users, hosts, country/ASN. Nested terms under terms are by far
//              the most expensive aggregation here (measured: 2 s for 500 IPs over 1M events
//              versus 0.2 s for 25), so they are computed for the rows a console shows.
//   successes  failures OR successes: terms(source IP) by event count (so the same busiest IPs
//              as `offenders`; IPs with successes only rank low and drop out), each with its
//              earliest and latest successes (top_hits: sort value + user doc value, no _source).
//              "Successes after the first failure" compares those with the IP's first failure
//              (from `offenders`) on the client: exact unless an IP had more than
//              SUCCESS_SAMPLE successes both before and after its first failure (then flagged).
//              Plus the service's total successes.
// Why separate searches rather than one with `filter` sub-aggregations: filter sub-aggregations
// inside a terms aggregation are evaluated per document, and ordering terms by a sub-aggregation
// forces depth-first collection; together they made one combined search 10–50× slower here.
// No bucket_selector/bucket_sort/painless (absent from many clusters), no `execution_hint: map`
// (10× slower); thresholds are applied by the detector.
import type { Config, QueryDsl, ServiceDefinition } from '../config/types.js';
import { buildCustomRuleSearch, type CustomRulePlan } from './custom-rules.js';
import type { SearchRequest } from './types.js';
import { bucketOffset, type SnapshotWindow, snapshotWindow, snapshotWindowEndingAt } from './window.js';

export const TOP_USERS = 5;
export const TOP_HOSTS = 3;
export const TARGETED_USERS = 20;
/**
 * Accounts with the most failures whose distinct source IPs are counted; the parser keeps the
 * TARGETED_USERS with the most IPs. Ordering the terms by the cardinality itself would count
 * IPs for every account (depth-first): 3–5× the cost on 1M events.
 */
export const TARGETED_USERS_SCANNED = 50;
/**
 * How far back the newest event of a service is looked for (ingest lag, issue 13 A3): a
 * `max` over the service's events in this lookback, ending where the window ends. Bounded so
 * the cost does not grow with the index's history; older than this reads "none in 7 days".
 */
export const NEWEST_LOOKBACK_MS = 7 * 86_400_000;

/** Offenders that get top users, hosts and origin (the busiest IPs; see the header). */
export const DETAILED_OFFENDERS = 25;
/** Earliest and latest successes fetched per IP (see the header comment). */
export const SUCCESS_SAMPLE = 3;

/**
 * Names of the sub-aggregations an answer repeats in every offender bucket (250 per search by
 * default): one letter each. Their names are ~10% of a poll's answer, and the answer's size is
 * most of a poll's cost outside the cluster's `took` (serialising it there, parsing it here).
 */
export const AGG = {
  users: 'u',
  invalid: 'i',
  first: 'f',
  last: 'l',
  success: 's',
  earliest: 'e',
  latest: 'z',
  /** The successes search's terms by IP (so filter_path can tell it from `offenders`). */
  sources: 'sources',
} as const;

export interface ServiceSearches {
  totals: number;
  users: number;
  offenders: number;
  details: number;
  /** Absent when the service has no success filter. */
  successes?: number;
  /** The newest event of the service (ingest lag, issue 13 A3); main window only. */
  newest?: number;
}

export interface ServicePlan {
  service: string;
  label: string;
  /** Positions of this service's searches in the `_msearch`. */
  searches: ServiceSearches;
  hasInvalidUser: boolean;
  maxOffenders: number;
  /** The user field, as named in the top_hits `fields` of successes. */
  userField: string;
  /** The index pattern this service's searches run on. */
  indexPattern?: string;
}

export interface SnapshotPlan {
  window: SnapshotWindow;
  indexPattern: string;
  services: ServicePlan[];
  customRules: CustomRulePlan[];
  /** Number of searches in the `_msearch` this plan reads. */
  searchCount: number;
}

/** `_msearch` header of every snapshot search: a missing index is "no events". */
export const SEARCH_HEADER = {
  ignore_unavailable: true,
  allow_no_indices: true,
  request_cache: true,
} as const;

/**
 * `filter_path` for the snapshot `_msearch`: drops what the parser never reads (top_hits
 * envelopes, `value_as_string`, `key_as_string`), about 40% of the bytes with 500 offenders.
 */
export const SNAPSHOT_FILTER_PATH = [
  `-responses.aggregations.${AGG.sources}.buckets.doc_count`,
  `-responses.aggregations.${AGG.sources}.buckets.${AGG.success}.*.hits.total`,
  `-responses.aggregations.${AGG.sources}.buckets.${AGG.success}.*.hits.max_score`,
  `-responses.aggregations.${AGG.sources}.buckets.${AGG.success}.*.hits.hits._index`,
  `-responses.aggregations.${AGG.sources}.buckets.${AGG.success}.*.hits.hits._id`,
  `-responses.aggregations.${AGG.sources}.buckets.${AGG.success}.*.hits.hits._score`,
  '-responses.aggregations.offenders.buckets.*.value_as_string',
  '-responses.aggregations.offenders.buckets.*.doc_count_error_upper_bound',
  '-responses.aggregations.offenders.buckets.*.sum_other_doc_count',
  '-responses.aggregations.timeline.buckets.key_as_string',
].join(',');

export function timeRange(field: string, from: number, to: number): QueryDsl {
  return { range: { [field]: { gte: from, lt: to, format: 'epoch_millis' } } };
}

function search(
  index: string,
  window: SnapshotWindow,
  time: string,
  filter: QueryDsl,
  aggs: QueryDsl,
  countHits = false,
): SearchRequest {
  return aggregationSearch(index, [timeRange(time, window.from, window.to), filter], aggs, countHits);
}

/** An aggregations-only search (no hits) over the documents matching every filter. */
export function aggregationSearch(
  index: string,
  filters: QueryDsl[],
  aggs: QueryDsl,
  countHits = false,
): SearchRequest {
  return {
    index,
    header: { ...SEARCH_HEADER },
    body: { size: 0, track_total_hits: countHits, query: { bool: { filter: filters } }, aggs },
  };
}

/** A row's details under its IP bucket (top users, hosts, origin): what parse.ts reads as `Details`. */
export function detailAggs(f: ServiceDefinition['fields']): Record<string, QueryDsl> {
  return {
    topUsers: { terms: { field: f.user, size: TOP_USERS } },
    hosts: { terms: { field: f.host, size: TOP_HOSTS } },
    country: { terms: { field: f.country, size: 1 } },
    asn: { terms: { field: f.asn, size: 1 } },
    asOrg: { terms: { field: f.asOrg, size: 1 } },
  };
}

export function successSample(service: ServiceDefinition, order: 'asc' | 'desc'): QueryDsl {
  const { time, user } = service.fields;
  return {
    top_hits: {
      size: SUCCESS_SAMPLE,
      sort: [{ [time]: { order, numeric_type: 'date', unmapped_type: 'date' } }],
      _source: false,
      docvalue_fields: [user],
    },
  };
}

function serviceSearches(
  service: ServiceDefinition,
  index: string,
  window: SnapshotWindow,
  maxOffenders: number,
): {
  totals: SearchRequest;
  users: SearchRequest;
  offenders: SearchRequest;
  details: SearchRequest;
  successes?: SearchRequest;
} {
  const f = service.fields;
  const invalid = service.invalidUser ? { [AGG.invalid]: { filter: service.invalidUser } } : {};
  const failures = (aggs: QueryDsl, countHits = false) =>
    search(index, window, f.time, service.failure, aggs, countHits);
  // breadth_first: sub-aggregations only for the IPs that make the cut (the default when
  // the field has more values than the shard size; stated so both backends agree).
  const byIp = (size: number) => ({
    field: f.sourceIp,
    size,
    min_doc_count: 1,
    order: [{ _count: 'desc' }, { _key: 'asc' }],
    collect_mode: 'breadth_first',
  });
  return {
    totals: failures(
      {
        ips: { cardinality: { field: f.sourceIp } },
        unknown: { missing: { field: f.sourceIp } },
        ...invalid,
        // A numeric histogram over the time field's epoch millis, not a date_histogram:
        // the buckets are fixed widths in UTC (no calendar or time zone to honour), and
        // Elasticsearch runs a date_histogram under a range query as a range aggregation
        // (a binary search per event), measured 2× the cost of this on 1M events. Both
        // backends key date_nanos fields in millis here too (checked).
        timeline: {
          histogram: {
            field: f.time,
            interval: window.bucketMs,
            ...(bucketOffset(window) === 0 ? {} : { offset: bucketOffset(window) }),
            min_doc_count: 0,
            extended_bounds: { min: window.from, max: window.to - window.bucketMs },
          },
        },
      },
      true,
    ),
    users: failures({
      users: {
        terms: {
          field: f.user,
          size: TARGETED_USERS_SCANNED,
          order: [{ _count: 'desc' }, { _key: 'asc' }],
          collect_mode: 'breadth_first',
        },
        aggs: { ips: { cardinality: { field: f.sourceIp } }, ...invalid },
      },
    }),
    offenders: failures({
      offenders: {
        terms: byIp(maxOffenders),
        aggs: {
          [AGG.users]: { cardinality: { field: f.user } },
          ...invalid,
          [AGG.first]: { min: { field: f.time } },
          [AGG.last]: { max: { field: f.time } },
        },
      },
    }),
    details: failures({
      offenders: {
        terms: byIp(Math.min(DETAILED_OFFENDERS, maxOffenders)),
        aggs: {
          ...detailAggs(f),
        },
      },
    }),
    ...(service.success
      ? {
          successes: search(
            index,
            window,
            f.time,
            { bool: { should: [service.failure, service.success], minimum_should_match: 1 } },
            {
              total: { filter: service.success },
              [AGG.sources]: {
                terms: byIp(maxOffenders),
                aggs: {
                  [AGG.success]: {
                    filter: service.success,
                    aggs: {
                      [AGG.earliest]: successSample(service, 'asc'),
                      [AGG.latest]: successSample(service, 'desc'),
                    },
                  },
                },
              },
            },
          ),
        }
      : {}),
  };
}

/** The newest event (failure or success) of a service in the lookback before `to`. */
export function newestSearch(service: ServiceDefinition, index: string, to: number): SearchRequest {
  const events = service.success
    ? { bool: { should: [service.failure, service.success], minimum_should_match: 1 } }
    : service.failure;
  return {
    index,
    header: { ...SEARCH_HEADER },
    body: {
      size: 0,
      track_total_hits: false,
      query: { bool: { filter: [timeRange(service.fields.time, to - NEWEST_LOOKBACK_MS, to), events] } },
      aggs: { newest: { max: { field: service.fields.time } } },
    },
  };
}

export interface BuildOptions {
  windowMs: number;
  now: number;
  /**
   * End the window exactly here (epoch ms, exclusive) instead of at the bucket boundary after
   * `now`: the "as of" window of `once --at` and replay (see window.ts).
   */
  endAt?: number;
  /** Custom rules ride along with the main window only (default true). */
  includeCustomRules?: boolean;
  /** Each service's newest event (ingest lag) rides along too (default false; the live main window asks). */
  includeNewest?: boolean;
}

/** The searches of one snapshot and the plan to read their answers. Pure. */
export function buildSnapshotSearches(
  config: Config,
  options: BuildOptions,
): { searches: SearchRequest[]; plan: SnapshotPlan } {
  const window =
    options.endAt === undefined
      ? snapshotWindow(options.windowMs, options.now)
      : snapshotWindowEndingAt(options.windowMs, options.endAt);
  const searches: SearchRequest[] = [];
  const add = (request: SearchRequest) => searches.push(request) - 1;
  const services: ServicePlan[] = config.services.map((service) => {
    const built = serviceSearches(
      service,
      service.indexPattern ?? config.indexPattern,
      window,
      config.maxOffenders,
    );
    const positions: ServiceSearches = {
      totals: add(built.totals),
      users: add(built.users),
      offenders: add(built.offenders),
      details: add(built.details),
      ...(built.successes ? { successes: add(built.successes) } : {}),
    };
    if (options.includeNewest === true) {
      positions.newest = add(newestSearch(service, service.indexPattern ?? config.indexPattern, window.to));
    }
    return {
      service: service.name,
      label: service.label,
      searches: positions,
      hasInvalidUser: service.invalidUser !== undefined,
      maxOffenders: config.maxOffenders,
      userField: service.fields.user,
      indexPattern: service.indexPattern ?? config.indexPattern,
    };
  });
  const customRules: CustomRulePlan[] = [];
  if (options.includeCustomRules !== false) {
    for (const rule of config.customRules) {
      const built = buildCustomRuleSearch(config, rule, window.to);
      customRules.push({ ...built.plan, searchIndex: add(built.search) });
    }
  }
  return {
    searches,
    plan: { window, indexPattern: config.indexPattern, services, customRules, searchCount: searches.length },
  };
}

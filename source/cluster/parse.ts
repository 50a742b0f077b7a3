// Reading the snapshot `_msearch` answer into a Snapshot. Pure. Every value is checked (see
// validate.ts); a missing aggregation or a wrong shape throws ClusterError('bad-response')
// naming the service and the path, a failed search throws the server's own reason.

import type { NamedCount, Offender, ServiceSnapshot, Snapshot, TargetedUser } from '../contracts/snapshot.js';
import { isoTime } from '../core/iso-time.js';
import { parseCustomRule } from './custom-rules.js';
import { errorReason, statusError } from './errors.js';
import { AGG, type ServicePlan, type SnapshotPlan, TARGETED_USERS } from './query.js';
import type { ClusterInfo } from './types.js';
import { Reader } from './validate.js';
import type { SnapshotWindow } from './window.js';

/** Source "IPs" that mean "no source" (keyword schemas, Windows IpAddress "-"). */
export const UNKNOWN_SOURCE_KEYS: ReadonlySet<string> = new Set(['-', '']);

export interface SnapshotMeta {
  backend: ClusterInfo;
  cluster: string;
  fetchMs: number;
  fetchedAt: string;
}

export interface SuccessSample {
  at: number;
  user: string | null;
}

export interface SuccessAfterFailure {
  count: number;
  first: SuccessSample | null;
  /** False only when >SUCCESS_SAMPLE successes fall both before and after the first failure. */
  exact: boolean;
}

/**
 * Successes at or after `firstFailure`, from the IP's total success count and its earliest
 * (ascending) and latest (descending) successes. See query.ts for why it is done this way.
 */
export function successesAfterFailure(
  firstFailure: number,
  total: number,
  earliest: SuccessSample[],
  latest: SuccessSample[],
): SuccessAfterFailure {
  if (total === 0) return { count: 0, first: null, exact: true };
  if (earliest.length >= total) {
    const after = earliest.filter((sample) => sample.at >= firstFailure);
    return { count: after.length, first: after[0] ?? null, exact: true };
  }
  const index = earliest.findIndex((sample) => sample.at >= firstFailure);
  if (index >= 0) return { count: total - index, first: earliest[index] ?? null, exact: true };
  // Every one of the earliest successes precedes the first failure; look from the other end.
  const lateAfter = latest.filter((sample) => sample.at >= firstFailure);
  const firstOfLate = lateAfter[lateAfter.length - 1] ?? null;
  if (lateAfter.length < latest.length) return { count: lateAfter.length, first: firstOfLate, exact: true };
  return { count: total - earliest.length, first: firstOfLate, exact: false };
}

/** Beyond ±8.64e15 ms a Date is invalid. */
const MAX_EPOCH_MS = 8.64e15;

function iso(reader: Reader): string {
  const ms = reader.number();
  if (!(Math.abs(ms) <= MAX_EPOCH_MS)) reader.fail('an epoch time');
  return isoTime(ms);
}

/** The answer of `newestSearch` (query.ts): the newest event's time, or null when there is none. */
export function parseNewest(aggregations: Reader | undefined): string | null {
  const value = aggregations?.get('newest').get('value');
  return value && value.value !== null ? iso(value) : null;
}

export function namedCounts(terms: Reader): NamedCount[] {
  return terms
    .get('buckets')
    .array()
    .map((bucket) => ({ name: bucket.get('key').key(), count: bucket.get('doc_count').count() }));
}

export function firstKey(terms: Reader): string | null {
  const first = terms.get('buckets').array()[0];
  return first ? first.get('key').key() : null;
}

export function asNumber(text: string | null): number | null {
  if (text === null) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

export function samples(topHits: Reader, userField: string): SuccessSample[] {
  return topHits
    .get('hits')
    .get('hits')
    .array()
    .map((hit) => {
      const sort = hit.get('sort').array()[0];
      if (!sort) return hit.get('sort').fail('a sort value');
      const values = hit.maybe('fields')?.maybe(userField)?.array();
      const user = values?.[0]?.key() ?? null;
      return { at: sort.number(), user };
    });
}

function parseTimeline(
  histogram: Reader,
  window: SnapshotWindow,
  warnings: string[],
  label: string,
): number[] {
  const timeline = new Array<number>(window.buckets).fill(0);
  for (const bucket of histogram.get('buckets').array()) {
    const key = bucket.get('key').number();
    const index = (key - window.from) / window.bucketMs;
    const count = bucket.get('doc_count').count();
    if (Number.isInteger(index) && index >= 0 && index < window.buckets) timeline[index] = count;
    else if (count > 0)
      warnings.push(`${label}: timeline bucket ${new Date(key).toISOString()} is outside the window`);
  }
  return timeline;
}

function emptyTimeline(window: SnapshotWindow): number[] {
  return new Array<number>(window.buckets).fill(0);
}

/** The aggregations of a search, or undefined when no index matched (0 shards: no events). */
function aggregationsOf(item: Reader): Reader | undefined {
  const aggregations = item.maybe('aggregations');
  if (aggregations) return aggregations;
  // Anything else without aggregations is a malformed answer: this names the missing path.
  if (item.get('_shards').get('total').count() > 0) item.get('aggregations');
  return undefined;
}

export interface Details {
  topUsers: NamedCount[];
  hosts: NamedCount[];
  country: string | null;
  asn: number | null;
  asOrg: string | null;
}

const NO_DETAILS: Details = { topUsers: [], hosts: [], country: null, asn: null, asOrg: null };

export function detailsByIp(aggregations: Reader | undefined): Map<string, Details> {
  const map = new Map<string, Details>();
  for (const bucket of aggregations?.get('offenders').get('buckets').array() ?? []) {
    map.set(bucket.get('key').key(), {
      topUsers: namedCounts(bucket.get('topUsers')),
      hosts: namedCounts(bucket.get('hosts')),
      country: firstKey(bucket.get('country')),
      asn: asNumber(firstKey(bucket.get('asn'))),
      asOrg: firstKey(bucket.get('asOrg')),
    });
  }
  return map;
}

interface Successes {
  total: number;
  earliest: SuccessSample[];
  latest: SuccessSample[];
}

function successesByIp(aggregations: Reader | undefined, userField: string): Map<string, Successes> {
  const map = new Map<string, Successes>();
  for (const bucket of aggregations?.get(AGG.sources).get('buckets').array() ?? []) {
    const succ = bucket.get(AGG.success);
    const total = succ.get('doc_count').count();
    if (total === 0) continue;
    map.set(bucket.get('key').key(), {
      total,
      earliest: samples(succ.get(AGG.earliest), userField),
      latest: samples(succ.get(AGG.latest), userField),
    });
  }
  return map;
}

/** Throw for a failed search; note partial (shard) failures. */
export function checkResponse(item: Reader, what: string, cluster: string, warnings: string[]): void {
  const error = item.maybe('error');
  if (error) {
    const status = item.maybe('status')?.number() ?? 500;
    throw statusError(status, item.value, { cluster, action: what });
  }
  const shards = item.maybe('_shards');
  const failed = shards?.maybe('failed')?.count() ?? 0;
  if (shards && failed > 0) {
    const total = shards.get('total').count();
    const failures = shards.maybe('failures')?.array() ?? [];
    const reason = failures[0] ? errorReason({ error: failures[0].maybe('reason')?.value }) : undefined;
    warnings.push(
      `${what}: ${failed} of ${total} shards failed${reason ? ` (${reason})` : ''}; numbers may be low`,
    );
  }
  if (item.maybe('timed_out')?.value === true)
    warnings.push(`${what}: the search timed out; numbers may be low`);
}

/** Most distinct source IPs first, then most failures, then by name (as the cluster orders keys). */
export function byTargeting(a: TargetedUser, b: TargetedUser): number {
  return (
    b.distinctIps - a.distinctIps ||
    b.failures - a.failures ||
    (a.user < b.user ? -1 : a.user > b.user ? 1 : 0)
  );
}

type Items = Record<keyof ServicePlan['searches'], Reader | undefined>;

function parseService(
  items: Items,
  plan: ServicePlan,
  window: SnapshotWindow,
  warnings: string[],
): ServiceSnapshot {
  const present = Object.values(items).filter((item): item is Reader => item !== undefined);
  const took = Math.max(0, ...present.map((item) => item.get('took').count()));
  const invalidCount = (bucket: Reader) =>
    plan.hasInvalidUser ? bucket.get(AGG.invalid).get('doc_count').count() : 0;

  const totals = items.totals ? aggregationsOf(items.totals) : undefined;
  let unknownSource = totals?.get('unknown').get('doc_count').count() ?? 0;
  let distinctIps = totals?.get('ips').get('value').count() ?? 0;
  const timeline = totals
    ? parseTimeline(totals.get('timeline'), window, warnings, plan.label)
    : emptyTimeline(window);

  const usersAggs = items.users ? aggregationsOf(items.users) : undefined;
  const targetedUsers: TargetedUser[] = (usersAggs?.get('users').get('buckets').array() ?? [])
    .map((bucket) => ({
      user: bucket.get('key').key(),
      failures: bucket.get('doc_count').count(),
      distinctIps: bucket.get('ips').get('value').count(),
      invalidUserFailures: invalidCount(bucket),
    }))
    .sort(byTargeting)
    .slice(0, TARGETED_USERS);

  const details = detailsByIp(items.details ? aggregationsOf(items.details) : undefined);
  const successAggs = items.successes ? aggregationsOf(items.successes) : undefined;
  const successes = successesByIp(successAggs, plan.userField);

  const offenderAggs = items.offenders ? aggregationsOf(items.offenders) : undefined;
  const buckets = offenderAggs?.get('offenders').get('buckets').array() ?? [];
  const offenders: Offender[] = [];
  let inexact = 0;
  for (const bucket of buckets) {
    const ip = bucket.get('key').key();
    const failures = bucket.get('doc_count').count();
    if (UNKNOWN_SOURCE_KEYS.has(ip.trim())) {
      unknownSource += failures;
      distinctIps = Math.max(0, distinctIps - 1);
      continue;
    }
    const firstFailure = bucket.get(AGG.first).get('value');
    const sampled = successes.get(ip);
    const success = sampled
      ? successesAfterFailure(firstFailure.number(), sampled.total, sampled.earliest, sampled.latest)
      : { count: 0, first: null, exact: true };
    if (!success.exact) inexact += 1;
    offenders.push({
      ip,
      failures,
      distinctUsers: bucket.get(AGG.users).get('value').count(),
      ...(({ topUsers, hosts }) => ({ topUsers, hosts }))(details.get(ip) ?? NO_DETAILS),
      // Top users, hosts and origin are fetched for the busiest IPs only (A4: "not fetched" ≠ "none").
      ...(details.has(ip) ? {} : { detailed: false }),
      invalidUserFailures: invalidCount(bucket),
      firstFailure: iso(firstFailure),
      lastFailure: iso(bucket.get(AGG.last).get('value')),
      successesAfterFailure: success.count,
      firstSuccessAfterFailure: success.first ? new Date(success.first.at).toISOString() : null,
      successUser: success.first?.user ?? null,
      ...(({ country, asn, asOrg }) => ({ country, asn, asOrg }))(details.get(ip) ?? NO_DETAILS),
    });
  }
  if (inexact > 0) {
    warnings.push(
      `${plan.label}: ${inexact} IP(s) had many successes both before and after their first failure; success-after-failure counts for them are upper bounds`,
    );
  }
  const sumOther = offenderAggs?.get('offenders').get('sum_other_doc_count').count() ?? 0;
  // Shards searched: 0 means the index pattern matched nothing, which must not read as
  // "no attacks"; failed > 0 means the numbers are partial.
  const shards = { total: 0, failed: 0 };
  for (const item of present) {
    const counts = item.maybe('_shards');
    shards.total = Math.max(shards.total, counts?.maybe('total')?.count() ?? 0);
    shards.failed = Math.max(shards.failed, counts?.maybe('failed')?.count() ?? 0);
  }
  if (present.length > 0 && shards.total === 0) {
    const pattern =
      plan.indexPattern === undefined ? 'the index pattern' : `index pattern ${plan.indexPattern}`;
    warnings.push(`${plan.label}: ${pattern} matches no indices`);
  }

  // Newest event in the lookback (A3): null when none; absent when not asked for.
  const newestEvent =
    items.newest === undefined ? {} : { newestEvent: parseNewest(aggregationsOf(items.newest)) };

  return {
    service: plan.service,
    label: plan.label,
    failures: totals && items.totals ? totalHits(items.totals) : 0,
    successes: successAggs?.get('total').get('doc_count').count() ?? 0,
    distinctIps,
    unknownSource,
    invalidUserFailures: totals && plan.hasInvalidUser ? totals.get(AGG.invalid).get('doc_count').count() : 0,
    offenders,
    offendersTruncated: buckets.length >= plan.maxOffenders && sumOther > 0,
    timeline,
    targetedUsers,
    took,
    shards,
    ...newestEvent,
  };
}

/** `hits.total` of a search run with track_total_hits: true (exact). */
function totalHits(item: Reader): number {
  const total = item.get('hits').get('total');
  if (total.value !== null && typeof total.value === 'object') {
    if (total.get('relation').string() !== 'eq') total.get('relation').fail('"eq"');
    return total.get('value').count();
  }
  return total.count();
}

/** Read the `_msearch` body (`{ responses: [...] }`) of `plan` into a Snapshot. Pure. */
export function parseSnapshotResponse(raw: unknown, plan: SnapshotPlan, meta: SnapshotMeta): Snapshot {
  const root = new Reader(raw, 'snapshot _msearch');
  const responses = root.get('responses').array();
  if (responses.length !== plan.searchCount) {
    root.get('responses').fail(`${plan.searchCount} responses`);
  }
  const warnings: string[] = [];
  const at = (index: number, what: string): Reader => {
    const item = responses[index];
    if (!item) return root.get('responses').fail(`a response at ${index}`);
    const reader = new Reader(item.value, `${what} search`, `responses[${index}]`);
    checkResponse(reader, `${what} search`, meta.cluster, warnings);
    return reader;
  };
  const services = plan.services.map((service) => {
    const read = (index: number | undefined, what: string) =>
      index === undefined ? undefined : at(index, `${service.service} ${what}`);
    const { searches } = service;
    return parseService(
      {
        totals: read(searches.totals, 'totals'),
        users: read(searches.users, 'users'),
        offenders: read(searches.offenders, 'offenders'),
        details: read(searches.details, 'details'),
        successes: read(searches.successes, 'successes'),
        newest: read(searches.newest, 'newest event'),
      },
      service,
      plan.window,
      warnings,
    );
  });
  let took = Math.max(0, ...services.map((service) => service.took));
  const customRules = plan.customRules.map((rule) => {
    const item = at(rule.searchIndex, `custom rule ${rule.rule}`);
    took = Math.max(took, item.get('took').count());
    return parseCustomRule(item, rule);
  });
  return {
    schema: 1,
    backend: { kind: meta.backend.kind, version: meta.backend.version },
    cluster: meta.cluster,
    indexPattern: plan.indexPattern,
    window: {
      from: new Date(plan.window.from).toISOString(),
      to: new Date(plan.window.to).toISOString(),
      ms: plan.window.ms,
    },
    bucketMs: plan.window.bucketMs,
    services,
    customRules,
    took,
    fetchMs: meta.fetchMs,
    fetchedAt: meta.fetchedAt,
    warnings,
  };
}

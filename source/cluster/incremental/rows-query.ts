// The exact small searches for the rows a snapshot shows, over the whole window but
// restricted to those rows' source IPs (a `terms` filter), so their cost follows the shown
// IPs' events, not the window's:
//   details    failures of the DETAILED_OFFENDERS busiest IPs: hosts and origin (top users
//              come from the slices' (IP, user) pairs).
//   successes  successes of the offender IPs: count, earliest and latest (as query.ts).
// row-slices.ts asks these per slice (so a steady poll reads only the slices not sealed);
// the window-wide details search answers an IP whose slice had too many hosts to merge.

import type { QueryDsl, ServiceDefinition } from '../../config/types.js';
import type { NamedCount } from '../../contracts/snapshot.js';
import { asNumber, firstKey, namedCounts, type SuccessSample, samples } from '../parse.js';
import { AGG, aggregationSearch, successSample, TOP_HOSTS, timeRange } from '../query.js';
import type { SearchRequest } from '../types.js';
import type { Reader } from '../validate.js';

export interface RowDetails {
  hosts: NamedCount[];
  country: string | null;
  asn: number | null;
  asOrg: string | null;
}

export interface RowSuccesses {
  total: number;
  earliest: SuccessSample[];
  latest: SuccessSample[];
}

function restricted(
  service: ServiceDefinition,
  index: string,
  from: number,
  to: number,
  filter: QueryDsl,
  ips: string[],
  aggs: QueryDsl,
): SearchRequest {
  const f = service.fields;
  return aggregationSearch(index, [timeRange(f.time, from, to), filter, { terms: { [f.sourceIp]: ips } }], {
    rows: {
      terms: { field: f.sourceIp, size: ips.length, order: [{ _count: 'desc' }, { _key: 'asc' }] },
      aggs,
    },
  });
}

export function detailsSearch(
  service: ServiceDefinition,
  index: string,
  from: number,
  to: number,
  ips: string[],
): SearchRequest {
  const f = service.fields;
  return restricted(service, index, from, to, service.failure, ips, {
    hosts: { terms: { field: f.host, size: TOP_HOSTS } },
    country: { terms: { field: f.country, size: 1 } },
    asn: { terms: { field: f.asn, size: 1 } },
    asOrg: { terms: { field: f.asOrg, size: 1 } },
  });
}

export function successesSearch(
  service: ServiceDefinition & { success: QueryDsl },
  index: string,
  from: number,
  to: number,
  ips: string[],
): SearchRequest {
  return restricted(service, index, from, to, service.success, ips, {
    [AGG.earliest]: successSample(service, 'asc'),
    [AGG.latest]: successSample(service, 'desc'),
  });
}

function rows(aggregations: Reader | undefined): Reader[] {
  return aggregations?.get('rows').get('buckets').array() ?? [];
}

export function parseDetails(aggregations: Reader | undefined): Map<string, RowDetails> {
  const map = new Map<string, RowDetails>();
  for (const bucket of rows(aggregations)) {
    map.set(bucket.get('key').key(), {
      hosts: namedCounts(bucket.get('hosts')),
      country: firstKey(bucket.get('country')),
      asn: asNumber(firstKey(bucket.get('asn'))),
      asOrg: firstKey(bucket.get('asOrg')),
    });
  }
  return map;
}

export function parseSuccesses(
  aggregations: Reader | undefined,
  userField: string,
): Map<string, RowSuccesses> {
  const map = new Map<string, RowSuccesses>();
  for (const bucket of rows(aggregations)) {
    map.set(bucket.get('key').key(), {
      total: bucket.get('doc_count').count(),
      earliest: samples(bucket.get(AGG.earliest), userField),
      latest: samples(bucket.get(AGG.latest), userField),
    });
  }
  return map;
}

// Top users, hosts and origin for chosen source IPs (issue 13 A4). The snapshot fetches them
// for the DETAILED_OFFENDERS busiest IPs only (nested terms under terms are the costly part,
// see query.ts); rows beyond, once shown or opened, get theirs from this one small search keyed
// by their IPs, over the same window. Pure builder and parser plus one thin fetch; reusable by
// any caller that holds a window and IPs (the console's session runs it).
import type { Config, ServiceDefinition } from '../config/types.js';
import type { Details } from './parse.js';
import { detailsByIp } from './parse.js';
import { detailAggs, SEARCH_HEADER, timeRange } from './query.js';
import type { ClusterClient, SearchRequest } from './types.js';
import { Reader } from './validate.js';

export type { Details };

/** IPs asked for in one search at most (a screenful and then some). */
export const MAX_DETAIL_IPS = 100;

export interface RowDetailsRequest {
  service: string;
  /** The snapshot's window (epoch ms; `to` exclusive). */
  from: number;
  to: number;
  ips: readonly string[];
}

export function buildRowDetailsSearch(
  config: Config,
  service: ServiceDefinition,
  request: RowDetailsRequest,
): SearchRequest {
  const f = service.fields;
  const ips = request.ips.slice(0, MAX_DETAIL_IPS);
  return {
    index: service.indexPattern ?? config.indexPattern,
    header: { ...SEARCH_HEADER },
    body: {
      size: 0,
      track_total_hits: false,
      query: {
        bool: {
          filter: [
            timeRange(f.time, request.from, request.to),
            service.failure,
            { terms: { [f.sourceIp]: ips } },
          ],
        },
      },
      aggs: {
        offenders: {
          terms: { field: f.sourceIp, size: Math.max(1, ips.length), min_doc_count: 1 },
          aggs: detailAggs(f),
        },
      },
    },
  };
}

/**
 * The details by IP from a `_search` / `_msearch` item answer. Every asked IP gets an entry:
 * an IP without failures in the window (it left) reads as fetched and empty.
 */
export function parseRowDetails(raw: unknown, ips: readonly string[]): Map<string, Details> {
  const item = new Reader(raw, 'row details search');
  const error = item.maybe('error');
  if (error) error.fail('no error');
  const found = detailsByIp(item.maybe('aggregations'));
  const out = new Map<string, Details>();
  for (const ip of ips.slice(0, MAX_DETAIL_IPS)) {
    out.set(ip, found.get(ip) ?? { topUsers: [], hosts: [], country: null, asn: null, asOrg: null });
  }
  return out;
}

/** One round trip for one service's IPs. */
export async function fetchRowDetails(
  client: ClusterClient,
  config: Config,
  request: RowDetailsRequest,
  signal?: AbortSignal,
): Promise<Map<string, Details>> {
  const service = config.services.find((entry) => entry.name === request.service);
  if (!service || request.ips.length === 0) return new Map();
  const raw = await client.msearch(
    [buildRowDetailsSearch(config, service, request)],
    signal ? { signal } : {},
  );
  const first = new Reader(raw, 'row details _msearch').get('responses').array()[0];
  if (!first) return new Map();
  return parseRowDetails(first.value, request.ips);
}

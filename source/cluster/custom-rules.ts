// Custom rules (config `customRules`): "group events by a field and count them (or count a
// field's distinct values) over a window". Each becomes one more search in the snapshot's
// `_msearch`: a terms aggregation by `groupBy`, with a cardinality sub-aggregation for
// `distinct:<field>`, ordered by that value. The detector compares values with the threshold.
import type { Config, CustomRule, QueryDsl } from '../config/types.js';
import type { CustomRuleResult } from '../contracts/snapshot.js';
import type { SearchRequest } from './types.js';
import type { Reader } from './validate.js';

export interface CustomRulePlan {
  rule: string;
  service: string | null;
  windowMs: number;
  searchIndex: number;
  /** Field whose distinct values are counted, or null for `count`. */
  distinctField: string | null;
}

/** `count` → null; `distinct:user.name` → `user.name`. Throws on anything else. */
export function parseMetric(metric: string): string | null {
  if (metric === 'count') return null;
  const match = /^distinct:(.+)$/.exec(metric);
  if (match?.[1] && match[1].trim() !== '') return match[1].trim();
  throw new Error(`custom rule metric must be "count" or "distinct:<field>" (got "${metric}")`);
}

export function buildCustomRuleSearch(
  config: Config,
  rule: CustomRule,
  to: number,
): { search: SearchRequest; plan: Omit<CustomRulePlan, 'searchIndex'> } {
  const distinctField = parseMetric(rule.metric);
  const service = rule.service
    ? config.services.find((candidate) => candidate.name === rule.service)
    : undefined;
  if (rule.service && !service)
    throw new Error(`custom rule "${rule.name}" names unknown service "${rule.service}"`);
  const timeField = service?.fields.time ?? config.fields.time;
  const filters: QueryDsl[] = [
    { range: { [timeField]: { gte: to - rule.windowMs, lt: to, format: 'epoch_millis' } } },
  ];
  if (service) filters.push(service.failure);
  if (rule.filter) filters.push(rule.filter);
  const value = distinctField ? { value: { cardinality: { field: distinctField } } } : undefined;
  const body = {
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: filters } },
    aggs: {
      groups: {
        terms: {
          field: rule.groupBy,
          size: config.maxOffenders,
          min_doc_count: 1,
          order: value ? [{ value: 'desc' }, { _count: 'desc' }] : [{ _count: 'desc' }, { _key: 'asc' }],
        },
        ...(value ? { aggs: value } : {}),
      },
    },
  };
  return {
    search: {
      index: rule.indexPattern ?? service?.indexPattern ?? config.indexPattern,
      header: { ignore_unavailable: true, allow_no_indices: true, request_cache: true },
      body,
    },
    plan: { rule: rule.name, service: service?.name ?? null, windowMs: rule.windowMs, distinctField },
  };
}

/** Read one custom rule's answer (`aggregations` may be absent when no index matched). */
export function parseCustomRule(response: Reader, plan: CustomRulePlan): CustomRuleResult {
  const aggregations = response.maybe('aggregations');
  const groups = aggregations
    ? aggregations
        .get('groups')
        .get('buckets')
        .array()
        .map((bucket) => {
          const count = bucket.get('doc_count').count();
          return {
            key: bucket.get('key').key(),
            value: plan.distinctField ? bucket.get('value').get('value').count() : count,
            count,
          };
        })
    : [];
  return { rule: plan.rule, service: plan.service, windowMs: plan.windowMs, groups };
}

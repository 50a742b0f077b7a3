// The composable index template for ingested authentication events: ECS types for the fields
// the queries use (source.ip is `ip` so CIDR filters and IPv6 work, names are `keyword` so
// terms aggregations work, message is `text` so `match_phrase: "invalid user"` works). Only
// core mapping types: the Elasticsearch/OpenSearch test zips lack mapper-extras, so no
// `match_only_text`. Everything under winlog.* and any other string is `keyword`.
import type { ClusterClient } from '../cluster/types.js';

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

export const TEMPLATE_VERSION = 1;

/** Template name for an ingest index (one template per index pattern). */
export function authTemplateName(index: string): string {
  return `soc-watch-auth-${index.toLowerCase().replace(/[^a-z0-9_-]+/g, '_')}`;
}

export function authIndexTemplate(indexPattern: string): Record<string, unknown> {
  return {
    index_patterns: [indexPattern],
    // Above Elasticsearch's built-in `logs-*-*` (100): an ingest index named logs-… must still get these types.
    priority: 500,
    version: TEMPLATE_VERSION,
    _meta: {
      managed_by: 'soc-watch',
      description: 'Authentication events written by soc-watch ingest (ECS)',
    },
    template: {
      settings: { index: { auto_expand_replicas: '0-1', refresh_interval: '1s' } },
      mappings: {
        dynamic_templates: [
          { winlog_keywords: { path_match: 'winlog.*', mapping: keyword } },
          { strings_as_keywords: { match_mapping_type: 'string', mapping: keyword } },
        ],
        properties: {
          '@timestamp': { type: 'date' },
          message: { type: 'text' },
          ecs: { properties: { version: keyword } },
          event: {
            properties: {
              kind: keyword,
              category: keyword,
              type: keyword,
              action: keyword,
              outcome: keyword,
              dataset: keyword,
              module: keyword,
              code: keyword,
              provider: keyword,
            },
          },
          host: { properties: { hostname: keyword, name: keyword } },
          process: { properties: { name: keyword, pid: { type: 'long' } } },
          source: {
            properties: {
              ip: { type: 'ip' },
              address: keyword,
              port: { type: 'long' },
              domain: keyword,
              geo: { properties: { country_iso_code: keyword, country_name: keyword } },
              as: {
                properties: {
                  number: { type: 'long' },
                  organization: { properties: { name: keyword } },
                },
              },
            },
          },
          user: { properties: { name: keyword, domain: keyword, id: keyword } },
          system: {
            properties: {
              auth: {
                properties: {
                  ssh: { properties: { event: keyword, method: keyword, signature: keyword } },
                },
              },
            },
          },
          winlog: {
            properties: {
              channel: keyword,
              computer_name: keyword,
              event_id: keyword,
              provider_name: keyword,
              record_id: keyword,
              logon: {
                properties: {
                  type: keyword,
                  id: keyword,
                  failure: { properties: { reason: keyword, status: keyword, sub_status: keyword } },
                },
              },
              event_data: {
                properties: {
                  LogonType: keyword,
                  Status: keyword,
                  SubStatus: keyword,
                  TargetUserName: keyword,
                  IpAddress: keyword,
                  WorkstationName: keyword,
                },
              },
            },
          },
          related: { properties: { ip: { type: 'ip' }, user: keyword, hosts: keyword } },
        },
      },
    },
  };
}

/** Install the template for `index` unless one of that name exists. */
export async function ensureAuthTemplate(
  client: Pick<ClusterClient, 'ensureIndexTemplate'>,
  index: string,
  options?: { signal?: AbortSignal },
): Promise<'created' | 'exists'> {
  return client.ensureIndexTemplate(authTemplateName(index), authIndexTemplate(index), options);
}

/**
 * The mappings of the target's existing indices (backing indices, for a data stream); empty
 * when the index does not exist yet (then the template applies when it is created).
 */
export async function existingMappings(
  client: Pick<ClusterClient, 'raw'>,
  index: string,
  options?: { signal?: AbortSignal },
): Promise<Record<string, unknown>[]> {
  const raw = client.raw;
  const request = { index, ignore_unavailable: true, allow_no_indices: true };
  const body: unknown =
    raw.kind === 'elasticsearch'
      ? await raw.client.indices.getMapping(request, options?.signal ? { signal: options.signal } : {})
      : (await raw.client.indices.getMapping(request)).body;
  if (typeof body !== 'object' || body === null) return [];
  return Object.values(body as Record<string, { mappings?: Record<string, unknown> }>).map(
    (entry) => entry?.mappings ?? {},
  );
}

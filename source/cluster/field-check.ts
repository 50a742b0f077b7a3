// Doctor's field checks, pure: does each configured field exist in the indices of its
// pattern, with a type the snapshot query can aggregate on? Reads a `_field_caps` answer.
import type { FieldMap, ServiceDefinition } from '../config/types.js';
import { sanitize } from '../core/sanitize.js';
import { Reader } from './validate.js';

export type FieldRole = keyof FieldMap;

const KEYWORDS = ['keyword', 'constant_keyword', 'wildcard'];

export const FIELD_RULES: Record<
  FieldRole,
  { label: string; types: string[]; required: boolean; configKey: string }
> = {
  time: { label: 'time', types: ['date', 'date_nanos'], required: true, configKey: 'fields.time' },
  sourceIp: { label: 'source IP', types: ['ip', ...KEYWORDS], required: true, configKey: 'fields.sourceIp' },
  user: { label: 'user', types: KEYWORDS, required: true, configKey: 'fields.user' },
  host: { label: 'host', types: KEYWORDS, required: false, configKey: 'fields.host' },
  country: { label: 'country', types: KEYWORDS, required: false, configKey: 'fields.country' },
  asn: {
    label: 'ASN',
    types: ['long', 'integer', 'short', 'unsigned_long', ...KEYWORDS],
    required: false,
    configKey: 'fields.asn',
  },
  asOrg: { label: 'AS organisation', types: KEYWORDS, required: false, configKey: 'fields.asOrg' },
};

export interface FieldCaps {
  indices: string[];
  /** field → its types, each with the indices that have it (null: all matched indices). */
  fields: Map<string, { type: string; indices: string[] | null }[]>;
}

export function parseFieldCaps(body: unknown): FieldCaps {
  const root = new Reader(body, '_field_caps');
  const indices =
    root
      .maybe('indices')
      ?.array()
      .map((index) => index.string()) ?? [];
  const fields = new Map<string, { type: string; indices: string[] | null }[]>();
  const fieldsReader = root.get('fields');
  for (const name of Object.keys(fieldsReader.object())) {
    const byType = fieldsReader.get(name);
    fields.set(
      name,
      Object.keys(byType.object()).map((type) => ({
        type,
        indices:
          byType
            .get(type)
            .maybe('indices')
            ?.array()
            .map((index) => index.string()) ?? null,
      })),
    );
  }
  return { indices, fields };
}

export interface WantedField {
  field: string;
  role: FieldRole;
  services: string[];
}

/** Each distinct (field, role) the services of one index pattern use. */
export function wantedFields(services: ServiceDefinition[]): WantedField[] {
  const wanted = new Map<string, WantedField>();
  for (const service of services) {
    for (const role of Object.keys(FIELD_RULES) as FieldRole[]) {
      const field = service.fields[role];
      const key = `${role}\u0000${field}`;
      const existing = wanted.get(key);
      if (existing) existing.services.push(service.name);
      else wanted.set(key, { field, role, services: [service.name] });
    }
  }
  return [...wanted.values()];
}

export interface FieldResult {
  ok: boolean;
  title: string;
  detail: string;
  fix?: string;
}

function listIndices(indices: string[] | null, all: string[]): string {
  const list = indices ?? all;
  const shown = list.slice(0, 3).map(sanitize).join(', ');
  return list.length > 3 ? `${shown} and ${list.length - 3} more` : shown;
}

/** Check one wanted field against the field caps of its pattern. */
export function checkField(wanted: WantedField, caps: FieldCaps): FieldResult {
  const rule = FIELD_RULES[wanted.role];
  const title = `${wanted.field} (${rule.label}; ${wanted.services.join(', ')})`;
  const serviceKey =
    wanted.services.length === 1
      ? `${rule.configKey} (or the "fields" of service ${wanted.services[0]} in the config file)`
      : rule.configKey;
  const types = caps.fields.get(wanted.field);
  if (!types || types.length === 0) {
    if (!rule.required)
      return { ok: true, title, detail: 'not in these indices (optional: that column stays empty)' };
    return {
      ok: false,
      title,
      detail: 'not found in any matching index',
      fix: `set ${serviceKey} to the field that holds the ${rule.label}`,
    };
  }
  const bad = types.filter((entry) => !rule.types.includes(entry.type));
  const good = types.filter((entry) => rule.types.includes(entry.type));
  if (bad.length === 0) return { ok: true, title, detail: good.map((entry) => entry.type).join(', ') };
  const where = bad.map((entry) => `${entry.type} in ${listIndices(entry.indices, caps.indices)}`).join('; ');
  const keywordChild = caps.fields
    .get(`${wanted.field}.keyword`)
    ?.every((entry) => KEYWORDS.includes(entry.type));
  const fix = keywordChild
    ? `set ${serviceKey} to ${wanted.field}.keyword, or map ${wanted.field} as ${rule.types[0]} and reindex`
    : `map ${wanted.field} as ${rule.types.slice(0, 2).join(' or ')} (index template) and reindex, or point ${serviceKey} at a field that is`;
  return {
    ok: false,
    title,
    detail: `is ${where}; the ${rule.label} must be ${rule.types.join(' or ')} to aggregate on`,
    fix,
  };
}

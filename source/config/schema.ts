// conf's JSON schema, generated from the key table plus the structured sections (custom
// services and rules). conf validates the whole file on load and every write, so a
// hand-edited file with a bad value is caught too (see store.ts for the friendly message).
import { KEYS, type KeySpec } from './keys.js';

type JsonSchema = Record<string, unknown>;

const DURATION_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|w)\\s*$';

function leafSchema(spec: KeySpec): JsonSchema {
  switch (spec.type) {
    case 'string':
    case 'fingerprint':
      return { type: 'string' };
    case 'url':
      return { type: 'string', pattern: '^(|https?://.+)$' };
    case 'urls':
      return { type: 'array', items: { type: 'string', pattern: '^https?://.+' }, minItems: 1 };
    case 'duration':
      return { type: 'string', pattern: DURATION_PATTERN };
    case 'int':
      return { type: 'integer', minimum: spec.min ?? 0 };
    case 'bool':
      return { type: 'boolean' };
    case 'enum':
      return { type: 'string', enum: [...(spec.values ?? [])] };
    case 'list':
    case 'cidrs':
      return { type: 'array', items: { type: 'string' } };
  }
}

const queryDsl: JsonSchema = { type: 'object' };

const serviceSchema: JsonSchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,31}$' },
    label: { type: 'string', maxLength: 16 },
    failure: queryDsl,
    success: queryDsl,
    invalidUser: queryDsl,
    indexPattern: { type: 'string' },
    technique: { type: 'string', pattern: '^T\\d{4}(\\.\\d{3})?$' },
    fields: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        ['time', 'sourceIp', 'user', 'host', 'country', 'asn', 'asOrg'].map((name) => [
          name,
          { type: 'string' },
        ]),
      ),
    },
  },
};

const customRuleSchema: JsonSchema = {
  type: 'object',
  required: ['name', 'groupBy', 'metric', 'threshold'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,31}$' },
    service: { type: 'string' },
    indexPattern: { type: 'string' },
    filter: queryDsl,
    groupBy: { type: 'string', minLength: 1 },
    metric: { type: 'string', pattern: '^(count|distinct:.+)$' },
    threshold: { type: 'integer', minimum: 1 },
    window: { type: 'string', pattern: DURATION_PATTERN },
    severity: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
    technique: { type: 'string', pattern: '^T\\d{4}(\\.\\d{3})?$' },
  },
};

/** conf's `schema` option: top-level properties. */
export function confSchema(): Record<string, JsonSchema> {
  const root: Record<string, JsonSchema> = {};
  for (const spec of KEYS) {
    const parts = spec.path.split('.');
    let level = root;
    for (const [index, part] of parts.entries()) {
      if (index === parts.length - 1) {
        level[part] = leafSchema(spec);
      } else {
        level[part] ??= { type: 'object', properties: {} };
        level = (level[part] as { properties: Record<string, JsonSchema> }).properties;
      }
    }
  }
  // Thresholds exist for custom services too.
  (root.thresholds as JsonSchema).additionalProperties = { type: 'integer', minimum: 1 };
  root.services = { type: 'array', items: serviceSchema };
  root.customRules = { type: 'array', items: customRuleSchema };
  return root;
}

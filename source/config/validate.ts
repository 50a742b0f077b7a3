// Turn a value for a key (a string from the command line or environment, or a JSON value
// from the config file) into its typed form, or an error that names the key, the value
// and what is allowed. The same function serves `config set`, env vars, flags and files.
import { parseDuration } from '../core/duration.js';
import { isCidr } from '../core/net.js';
import type { KeySpec } from './keys.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function allowedText(spec: KeySpec): string {
  switch (spec.type) {
    case 'duration':
      return 'a duration such as 30s, 5m, 15m, 1h, 6h, 1d';
    case 'int':
      return `a whole number ≥ ${spec.min ?? 0}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${(spec.values ?? []).join(', ')}`;
    case 'url':
      return 'an http(s) URL such as https://kibana.example.com:5601 (or empty)';
    case 'urls':
      return 'one or more http(s) URLs, comma-separated, such as https://es1:9200,https://es2:9200';
    case 'cidrs':
      return 'comma-separated addresses or CIDR ranges such as 10.0.0.0/8,2001:db8::/32';
    case 'list':
      return 'a comma-separated list';
    default:
      return 'text';
  }
}

function fail(spec: KeySpec, raw: unknown): never {
  const shown = typeof raw === 'string' ? raw : JSON.stringify(raw);
  throw new ConfigError(`invalid value for ${spec.path}: "${shown}" — expected ${allowedText(spec)}`);
}

function listOf(raw: unknown): string[] | undefined {
  if (Array.isArray(raw))
    return raw.every((item) => typeof item === 'string') ? raw.map((s) => s.trim()) : undefined;
  if (typeof raw === 'string') {
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }
  return undefined;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/**
 * Validate and normalise. Durations stay strings in the store (human-editable) but must
 * parse; URLs lose trailing slashes; lists become arrays.
 */
export function parseValue(spec: KeySpec, raw: unknown): unknown {
  switch (spec.type) {
    case 'string':
      if (typeof raw !== 'string') fail(spec, raw);
      return raw.trim();
    case 'duration': {
      if (typeof raw !== 'string' || parseDuration(raw) === undefined) fail(spec, raw);
      return raw.trim();
    }
    case 'int': {
      const value =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw)
            ? Number(raw)
            : NaN;
      if (!Number.isSafeInteger(value) || value < (spec.min ?? 0)) fail(spec, raw);
      return value;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string') {
        const text = raw.trim().toLowerCase();
        if (['true', '1', 'yes', 'on'].includes(text)) return true;
        if (['false', '0', 'no', 'off', ''].includes(text)) return false;
      }
      return fail(spec, raw);
    }
    case 'enum':
      if (typeof raw !== 'string' || !(spec.values ?? []).includes(raw.trim())) fail(spec, raw);
      return raw.trim();
    case 'url': {
      if (typeof raw !== 'string') fail(spec, raw);
      const text = raw.trim();
      if (text === '') return '';
      if (!isHttpUrl(text)) fail(spec, raw);
      return text.replace(/\/+$/, '');
    }
    case 'urls': {
      const list = listOf(raw);
      if (!list || list.length === 0 || !list.every(isHttpUrl)) fail(spec, raw);
      return list.map((url) => url.replace(/\/+$/, ''));
    }
    case 'cidrs': {
      const list = listOf(raw);
      if (!list?.every(isCidr)) fail(spec, raw);
      return list;
    }
    case 'list': {
      const list = listOf(raw);
      if (!list) fail(spec, raw);
      return list;
    }
  }
}

/** A value for display: lists joined with commas. */
export function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  if (value === undefined || value === null) return '';
  return String(value);
}

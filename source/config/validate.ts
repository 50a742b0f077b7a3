// Turn a value for a key (a string from the command line or environment, or a JSON value
// from the config file) into its typed form, or an error that names the key, the value
// and what is allowed. The same function serves `config set`, env vars, flags and files.

import { parseDuration } from '../core/duration.js';
import { isCidr } from '../core/net.js';
import { maskCredentials } from './credentials.js';
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
      return spec.minMs
        ? `a duration of at least ${formatMs(spec.minMs)}, such as 5s, 30s, 5m, 1h`
        : 'a duration such as 30s, 5m, 15m, 1h, 6h, 1d';
    case 'int':
      return spec.max !== undefined
        ? `a whole number from ${spec.min ?? 0} to ${spec.max.toLocaleString('en-US')}`
        : `a whole number ≥ ${spec.min ?? 0}`;
    case 'fingerprint':
      return 'a SHA-256 fingerprint: 64 hex digits, colons optional (a leading "sha256:" only names the algorithm)';
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

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function fail(spec: KeySpec, raw: unknown, why?: string): never {
  // A rejected node list may still hold a password: never echo it.
  const shown = maskCredentials(typeof raw === 'string' ? raw : JSON.stringify(raw));
  throw new ConfigError(
    `invalid value for ${spec.path}: "${shown}" — ${why ? `${why}; ` : ''}expected ${allowedText(spec)}`,
  );
}

const HOW_TO_GET_FINGERPRINT =
  'the CA fingerprint is what Elasticsearch prints at first start, or: openssl x509 -in ca.crt -noout -fingerprint -sha256';

/**
 * A CA fingerprint → 64 lowercase hex digits. Accepts colons or spaces between bytes, any
 * case, and a leading `sha256:` / `SHA256 Fingerprint=` (the algorithm's name, as openssl and
 * some tools print it). Says what a near miss is: a SHA-1 fingerprint, OpenSSH's base64 form.
 */
function parseFingerprint(spec: KeySpec, raw: unknown): string {
  if (typeof raw !== 'string') fail(spec, raw);
  const text = raw.trim();
  if (text === '') return '';
  const prefixed = /^sha-?256(\s*fingerprint)?\s*[:=]\s*/i.exec(text);
  const body = prefixed ? text.slice(prefixed[0].length) : text;
  if (prefixed && /^[A-Za-z0-9+/]{43}=?$/.test(body) && !/^[0-9a-f]{43}$/i.test(body)) {
    fail(
      spec,
      raw,
      `"SHA256:" followed by base64 is OpenSSH's format (an SSH key's fingerprint), not a certificate's; ${HOW_TO_GET_FINGERPRINT}`,
    );
  }
  const hex = body.replace(/[:\s]/g, '');
  const bad = /[^0-9a-f]/i.exec(hex);
  if (bad) fail(spec, raw, `"${bad[0]}" is not a hex digit`);
  if (hex.length === 40) fail(spec, raw, `40 hex digits is a SHA-1 fingerprint; ${HOW_TO_GET_FINGERPRINT}`);
  if (hex.length !== 64) fail(spec, raw, `${hex.length} hex digits, not 64`);
  return hex.toLowerCase();
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
      const ms = typeof raw === 'string' ? parseDuration(raw) : undefined;
      if (ms === undefined) fail(spec, raw);
      if (spec.minMs !== undefined && ms < spec.minMs) fail(spec, raw, 'too short');
      return (raw as string).trim();
    }
    case 'int': {
      const value =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw)
            ? Number(raw)
            : NaN;
      if (!Number.isSafeInteger(value) || value < (spec.min ?? 0)) fail(spec, raw);
      if (spec.max !== undefined && value > spec.max) fail(spec, raw, 'too large');
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
    case 'fingerprint':
      return parseFingerprint(spec, raw);
  }
}

/** A value for display: lists joined with commas. */
export function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  if (value === undefined || value === null) return '';
  return String(value);
}

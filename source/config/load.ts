// One config layer for all commands. Precedence: flags > environment > config file >
// defaults. Every layer goes through the same validation, so an invalid value anywhere is
// reported the same way (key, value, what is allowed).
import { existsSync, readFileSync } from 'node:fs';
import type { Severity } from '../contracts/rules.js';
import { parseDuration } from '../core/duration.js';
import { hasCredentials, maskCredentials, USERINFO } from './credentials.js';
import { envNamesOf, KEYS, type KeySpec, keySpec } from './keys.js';
import { builtInServices, DEFAULT_FIELDS } from './services.js';
import type { ConfigStore } from './store.js';
import type {
  AuthMode,
  Config,
  CustomRule,
  FieldMap,
  QueryDsl,
  Secrets,
  ServiceDefinition,
} from './types.js';
import { ConfigError, parseValue } from './validate.js';

export type Source = 'default' | 'file' | 'env' | 'flag';

/** Flags (camelCase, as meow gives them) that set a config key. */
export const FLAG_KEYS: Record<string, string> = {
  url: 'nodes',
  backend: 'backend',
  auth: 'authMode',
  username: 'username',
  caFile: 'caFile',
  caFingerprint: 'caFingerprint',
  insecure: 'insecure',
  timeout: 'requestTimeout',
  index: 'indexPattern',
  window: 'window',
  refresh: 'refresh',
  kibanaUrl: 'kibanaUrl',
  ascii: 'ascii',
};

export interface LoadOptions {
  flags?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  store: ConfigStore;
}

export interface Loaded {
  config: Config;
  secrets: Secrets;
  warnings: string[];
  /** Effective value and where it came from, per key path (for `config list`/`get`). */
  effective: Map<string, { value: unknown; source: Source }>;
}

function readSecretFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(
      `cannot read the ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}

/** A secret from NAME, else from the file named by NAME_FILE. */
function secretFromEnv(env: NodeJS.ProcessEnv, names: string[], what: string): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return value.trim();
    const file = env[`${name}_FILE`];
    if (file !== undefined && file.trim() !== '') return readSecretFile(file.trim(), what);
  }
  return undefined;
}

function resolveKey(
  spec: KeySpec,
  options: LoadOptions,
  flagByPath: Map<string, unknown>,
): { value: unknown; source: Source } {
  const env = options.env ?? {};
  if (flagByPath.has(spec.path))
    return { value: parseValue(spec, flagByPath.get(spec.path)), source: 'flag' };
  for (const name of envNamesOf(spec)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') {
      try {
        return { value: parseValue(spec, raw), source: 'env' };
      } catch (error) {
        throw new ConfigError(`${(error as Error).message} (from environment variable ${name})`);
      }
    }
  }
  const stored = options.store.get(spec.path);
  if (stored !== undefined) {
    try {
      return { value: parseValue(spec, stored), source: 'file' };
    } catch (error) {
      throw new ConfigError(`${(error as Error).message} (in ${options.store.path})`);
    }
  }
  return { value: spec.default, source: 'default' };
}

function durationOf(effective: Map<string, { value: unknown }>, path: string): number {
  const text = effective.get(path)?.value as string;
  return parseDuration(text) as number;
}

function thresholdPaths(options: LoadOptions): string[] {
  const paths = new Set(KEYS.filter((spec) => spec.path.startsWith('thresholds.')).map((spec) => spec.path));
  const stored = options.store.get('thresholds');
  if (stored && typeof stored === 'object')
    for (const name of Object.keys(stored)) paths.add(`thresholds.${name}`);
  for (const service of (options.store.get('services') as { name: string }[] | undefined) ?? []) {
    paths.add(`thresholds.${service.name}`);
  }
  return [...paths];
}

interface StoredService {
  name: string;
  label?: string;
  failure?: QueryDsl;
  success?: QueryDsl;
  invalidUser?: QueryDsl;
  indexPattern?: string;
  technique?: string;
  fields?: Partial<FieldMap>;
}

function buildServices(
  options: LoadOptions,
  fields: FieldMap,
  thresholdOf: (name: string) => number,
): ServiceDefinition[] {
  const services = builtInServices(fields);
  for (const custom of (options.store.get('services') as StoredService[] | undefined) ?? []) {
    const existing = services.find((service) => service.name === custom.name);
    if (existing) {
      // Override parts of a built-in service (e.g. point SSH at another index or field).
      Object.assign(existing, {
        ...(custom.label ? { label: custom.label } : {}),
        ...(custom.failure ? { failure: custom.failure } : {}),
        ...(custom.success ? { success: custom.success } : {}),
        ...(custom.invalidUser ? { invalidUser: custom.invalidUser } : {}),
        ...(custom.indexPattern ? { indexPattern: custom.indexPattern } : {}),
        ...(custom.technique ? { technique: custom.technique } : {}),
      });
      existing.fields = { ...existing.fields, ...custom.fields };
      continue;
    }
    if (!custom.failure) {
      throw new ConfigError(
        `service ${custom.name} needs a "failure" filter (query DSL) in ${options.store.path}`,
      );
    }
    services.push({
      name: custom.name,
      label: custom.label ?? custom.name.toUpperCase(),
      failure: custom.failure,
      ...(custom.success ? { success: custom.success } : {}),
      ...(custom.invalidUser ? { invalidUser: custom.invalidUser } : {}),
      ...(custom.indexPattern ? { indexPattern: custom.indexPattern } : {}),
      ...(custom.technique ? { technique: custom.technique } : {}),
      fields: { ...fields, ...custom.fields },
      threshold: 5,
    });
  }
  for (const service of services) service.threshold = thresholdOf(service.name);
  return services;
}

/** A custom rule as the config file has it: the window as text, severity and technique optional. */
type StoredRule = Omit<CustomRule, 'windowMs' | 'severity' | 'technique'> & {
  window?: string;
  severity?: Severity;
  technique?: string;
};

function buildCustomRules(
  options: LoadOptions,
  services: ServiceDefinition[],
  windowMs: number,
): CustomRule[] {
  return ((options.store.get('customRules') as StoredRule[] | undefined) ?? []).map((rule) => {
    if (rule.service && !services.some((service) => service.name === rule.service)) {
      throw new ConfigError(`custom rule ${rule.name}: unknown service "${rule.service}"`);
    }
    if (!rule.service && !rule.indexPattern) {
      throw new ConfigError(`custom rule ${rule.name}: needs "service" or "indexPattern" (with "filter")`);
    }
    return {
      name: rule.name,
      ...(rule.service ? { service: rule.service } : {}),
      ...(rule.indexPattern ? { indexPattern: rule.indexPattern } : {}),
      ...(rule.filter ? { filter: rule.filter } : {}),
      groupBy: rule.groupBy,
      metric: rule.metric,
      threshold: rule.threshold,
      windowMs: rule.window ? (parseDuration(rule.window) ?? windowMs) : windowMs,
      severity: rule.severity ?? 'medium',
      technique: rule.technique ?? 'T1110',
    };
  });
}

/** Move credentials written into a node URL (https://user:pass@host) into the secrets. */
function splitCredentials(nodes: string[], secrets: Secrets): string[] {
  return nodes.map((node) => {
    const url = new URL(node);
    if (url.username || url.password) {
      secrets.username ??= decodeURIComponent(url.username);
      secrets.password ??= decodeURIComponent(url.password);
      url.username = '';
      url.password = '';
    }
    return url.toString().replace(/\/+$/, '');
  });
}

export function loadConfig(options: LoadOptions): Loaded {
  const env = options.env ?? {};
  const flagByPath = new Map<string, unknown>();
  for (const [flag, path] of Object.entries(FLAG_KEYS)) {
    const value = options.flags?.[flag];
    // meow gives `false` for unset boolean flags; only an explicit true overrides.
    if (value !== undefined && value !== false) flagByPath.set(path, value);
  }

  const effective = new Map<string, { value: unknown; source: Source }>();
  for (const spec of KEYS) effective.set(spec.path, resolveKey(spec, options, flagByPath));
  for (const path of thresholdPaths(options)) {
    if (!effective.has(path)) effective.set(path, resolveKey(keySpec(path) as KeySpec, options, flagByPath));
  }
  const value = <T>(path: string): T => effective.get(path)?.value as T;

  const secrets: Secrets = {};
  const apiKey = secretFromEnv(env, ['ELASTICSEARCH_API_KEY', 'SOC_WATCH_API_KEY'], 'API key');
  const password = secretFromEnv(env, ['ELASTICSEARCH_PASSWORD', 'SOC_WATCH_PASSWORD'], 'password');
  const bearer = secretFromEnv(env, ['ELASTICSEARCH_BEARER_TOKEN', 'SOC_WATCH_BEARER_TOKEN'], 'bearer token');
  const slack = secretFromEnv(env, ['SLACK_WEBHOOK_URL'], 'Slack webhook URL');
  if (apiKey) secrets.apiKey = apiKey;
  if (password) secrets.password = password;
  if (bearer) secrets.bearerToken = bearer;
  if (value<string>('username')) secrets.username = value<string>('username');
  const webhookFile = value<string>('slack.webhookUrlFile');
  if (slack) secrets.slackWebhookUrl = slack;
  else if (webhookFile) secrets.slackWebhookUrl = readSecretFile(webhookFile, 'Slack webhook URL');

  for (const spec of KEYS) {
    const entry = effective.get(spec.path);
    if (spec.type === 'url' && typeof entry?.value === 'string' && hasCredentials(entry.value))
      effective.set(spec.path, { ...entry, value: maskCredentials(entry.value) });
  }
  const nodesEntry = effective.get('nodes') as { value: string[]; source: Source };
  const nodes = splitCredentials(nodesEntry.value, secrets);
  const warnings: string[] = [];
  if (nodesEntry.value.some(hasCredentials)) {
    // Shown everywhere (config list/get) with the password masked; used from the secrets.
    effective.set('nodes', { ...nodesEntry, value: nodesEntry.value.map(maskCredentials) });
    if (nodesEntry.source === 'file') {
      warnings.push(
        `warning: ${options.store.path} holds credentials in nodes; move them to ELASTICSEARCH_USERNAME / ELASTICSEARCH_PASSWORD (soc-watch config set nodes without them)`,
      );
    }
  }

  let mode = value<AuthMode | 'auto'>('authMode');
  if (mode === 'auto') {
    mode = secrets.apiKey ? 'apiKey' : secrets.bearerToken ? 'bearer' : secrets.username ? 'basic' : 'none';
  }
  if (mode === 'apiKey' && !secrets.apiKey)
    throw new ConfigError('authMode is apiKey but ELASTICSEARCH_API_KEY is not set');
  if (mode === 'bearer' && !secrets.bearerToken) {
    throw new ConfigError('authMode is bearer but ELASTICSEARCH_BEARER_TOKEN is not set');
  }
  if (mode === 'basic' && (!secrets.username || secrets.password === undefined)) {
    throw new ConfigError(
      'authMode is basic but ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD are not both set',
    );
  }

  const insecure = value<boolean>('insecure');
  if (insecure) {
    warnings.push(
      'warning: TLS certificate verification is OFF (--insecure): anyone on the path can read and alter traffic',
    );
  }

  const fields: FieldMap = { ...DEFAULT_FIELDS };
  for (const name of Object.keys(fields) as (keyof FieldMap)[])
    fields[name] = value<string>(`fields.${name}`);

  const windowMs = durationOf(effective, 'window');
  const thresholdOf = (name: string): number => value<number>(`thresholds.${name}`) ?? 5;
  const services = buildServices(options, fields, thresholdOf);
  for (const service of services) {
    if (!effective.has(`thresholds.${service.name}`)) {
      effective.set(`thresholds.${service.name}`, { value: service.threshold, source: 'default' });
    }
  }
  for (const path of effective.keys()) {
    const name = /^thresholds\.(.+)$/.exec(path)?.[1];
    if (name !== undefined && !services.some((service) => service.name === name)) {
      warnings.push(
        `warning: thresholds.${name} in ${options.store.path} is for no service (services: ${services.map((service) => service.name).join(', ')}); it is ignored`,
      );
    }
  }

  const correlationMs = durationOf(effective, 'rules.successAfterFailure.correlation');
  if (correlationMs < 3_600_000) {
    throw new ConfigError(
      `invalid value for rules.successAfterFailure.correlation: "${value('rules.successAfterFailure.correlation')}" — expected at least 1h`,
    );
  }
  const caFile = value<string>('caFile');
  if (caFile && !existsSync(caFile))
    throw new ConfigError(`invalid value for caFile: "${caFile}" — file not found`);

  const config: Config = {
    nodes,
    auth: { mode, ...(secrets.username ? { username: secrets.username } : {}) },
    tls: {
      ...(caFile ? { caFile } : {}),
      ...(value<string>('caFingerprint') ? { caFingerprint: value<string>('caFingerprint') } : {}),
      insecure,
    },
    backend: value('backend'),
    indexPattern: value('indexPattern'),
    ingestIndex: value('ingestIndex'),
    escalationIndex: value('escalationIndex'),
    fields,
    windowMs,
    refreshMs: durationOf(effective, 'refresh'),
    silenceAlertMs: durationOf(effective, 'silenceAlert'),
    requestTimeoutMs: durationOf(effective, 'requestTimeout'),
    maxOffenders: value('maxOffenders'),
    snapshots: value('snapshots'),
    sharePolls: value('sharePolls'),
    services,
    rules: {
      bruteForce: { enabled: value('rules.bruteForce.enabled') },
      slowBruteForce: {
        enabled: value('rules.slowBruteForce.enabled'),
        threshold: value('rules.slowBruteForce.threshold'),
        windowMs: durationOf(effective, 'rules.slowBruteForce.window'),
        refreshMs: durationOf(effective, 'rules.slowBruteForce.refresh'),
      },
      spraying: {
        enabled: value('rules.spraying.enabled'),
        distinctUsers: value('rules.spraying.distinctUsers'),
      },
      enumeration: {
        enabled: value('rules.enumeration.enabled'),
        invalidUsers: value('rules.enumeration.invalidUsers'),
      },
      distributed: {
        enabled: value('rules.distributed.enabled'),
        distinctIps: value('rules.distributed.distinctIps'),
      },
      successAfterFailure: {
        enabled: value('rules.successAfterFailure.enabled'),
        failures: value('rules.successAfterFailure.failures'),
        correlationMs,
      },
      quietAfterMs: durationOf(effective, 'rules.quietAfter'),
      closeAfterMs: durationOf(effective, 'rules.closeAfter'),
    },
    customRules: buildCustomRules(options, services, windowMs),
    allowList: { cidrs: value('allowList.cidrs'), users: value('allowList.users') },
    slack: {
      ...(webhookFile ? { webhookUrlFile: webhookFile } : {}),
      timeoutMs: durationOf(effective, 'slack.timeout'),
      retries: value('slack.retries'),
    },
    // Links never need credentials (the browser logs in); the shown value is masked above.
    ...(value<string>('kibanaUrl') ? { kibanaUrl: value<string>('kibanaUrl').replace(USERINFO, '$1') } : {}),
    ascii: value('ascii'),
    ...(value<string>('evidenceDir') ? { evidenceDir: value<string>('evidenceDir') } : {}),
  };
  return { config, secrets, warnings, effective };
}

/** Read `.env` from the working directory with Node's own loader (existing variables win). */
export function loadDotEnv(cwd: string = process.cwd()): string | undefined {
  const path = `${cwd}/.env`;
  if (!existsSync(path)) return undefined;
  process.loadEnvFile(path);
  return path;
}

// Every scalar setting in one table: its key path in the config file, its type, default,
// environment variable(s) and what values are allowed. `config get/set/list`, the env
// layer, the flag layer and the README reference are all driven from here, so they cannot
// drift apart. Structured settings (custom services, custom rules) live in the file only.

export type KeyType =
  | 'string'
  | 'url'
  | 'urls'
  | 'duration'
  | 'int'
  | 'bool'
  | 'enum'
  | 'list'
  | 'cidrs'
  | 'fingerprint';

export interface KeySpec {
  /** Dot path in the config file, e.g. `rules.spraying.distinctUsers`. */
  path: string;
  type: KeyType;
  default: unknown;
  description: string;
  /** Allowed values, for `enum`. */
  values?: readonly string[];
  /** Minimum, for `int`. */
  min?: number;
  /** Maximum, for `int`. */
  max?: number;
  /** Minimum in milliseconds, for `duration`. */
  minMs?: number;
  /** Environment variables, first match wins. Default: SOC_WATCH_<PATH_IN_SNAKE_CASE>. */
  env?: readonly string[];
}

const DEFAULT_INDEX_PATTERN = 'logs-*,filebeat-*,winlogbeat-*,soc-watch-auth';

export const KEYS: readonly KeySpec[] = [
  {
    path: 'nodes',
    type: 'urls',
    default: ['http://127.0.0.1:9200'],
    description: 'Cluster node URL(s), comma-separated',
    env: ['ELASTICSEARCH_URL', 'SOC_WATCH_NODES'],
  },
  {
    path: 'backend',
    type: 'enum',
    values: ['auto', 'elasticsearch', 'opensearch'],
    default: 'auto',
    description: 'Search engine; auto asks the cluster once',
  },
  {
    path: 'authMode',
    type: 'enum',
    values: ['auto', 'none', 'apiKey', 'basic', 'bearer'],
    default: 'auto',
    description: 'Authentication; auto picks from the secrets that are set',
  },
  {
    path: 'username',
    type: 'string',
    default: '',
    description: 'User for basic auth (password only from ELASTICSEARCH_PASSWORD)',
    env: ['ELASTICSEARCH_USERNAME', 'SOC_WATCH_USERNAME'],
  },
  {
    path: 'caFile',
    type: 'string',
    default: '',
    description: 'PEM file of the CA that signed the cluster certificate',
  },
  {
    path: 'caFingerprint',
    type: 'fingerprint',
    default: '',
    description: 'SHA-256 fingerprint of the cluster CA (hex, colons optional)',
  },
  {
    path: 'insecure',
    type: 'bool',
    default: false,
    description: 'Skip TLS certificate verification (prints a warning)',
  },
  {
    path: 'requestTimeout',
    type: 'duration',
    default: '10s',
    description: 'Timeout of one cluster request',
  },
  {
    path: 'indexPattern',
    type: 'string',
    default: DEFAULT_INDEX_PATTERN,
    description: 'Indices to search (Elastic Security list plus the ingest index)',
  },
  {
    path: 'ingestIndex',
    type: 'string',
    default: 'soc-watch-auth',
    description: 'Index `soc-watch ingest` writes to',
  },
  {
    path: 'escalationIndex',
    type: 'string',
    default: 'soc-watch-escalations',
    description: 'Index holding the escalation audit trail',
  },
  {
    path: 'fields.time',
    type: 'string',
    default: '@timestamp',
    description: 'Time field',
    env: ['SOC_WATCH_TIME_FIELD'],
  },
  { path: 'fields.sourceIp', type: 'string', default: 'source.ip', description: 'Source IP field' },
  { path: 'fields.user', type: 'string', default: 'user.name', description: 'Account name field' },
  { path: 'fields.host', type: 'string', default: 'host.hostname', description: 'Target host field' },
  {
    path: 'fields.country',
    type: 'string',
    default: 'source.geo.country_iso_code',
    description: 'Country field',
  },
  { path: 'fields.asn', type: 'string', default: 'source.as.number', description: 'AS number field' },
  {
    path: 'fields.asOrg',
    type: 'string',
    default: 'source.as.organization.name',
    description: 'AS organisation field',
  },
  { path: 'window', type: 'duration', default: '15m', description: 'Detection window (console: w)' },
  // At 1ms the console sent 94× the queries of 2s and used 63 % of a core on its own.
  { path: 'refresh', type: 'duration', minMs: 1000, default: '5s', description: 'Poll interval' },
  {
    path: 'snapshots',
    type: 'enum',
    values: ['incremental', 'full'],
    // incremental: the live console reads only the time its slices do not hold yet (the
    // newest seconds) and checks recent ones by their counts; sealed buckets are kept on the
    // client (same numbers, test/cluster/incremental.integration.test.ts). The default since
    // bench:window showed its steady poll flat as the window grows (24 h no dearer than 15 m)
    // and well under the full query's at every size (README, "How the console polls").
    // full: every poll counts the whole window again (the path `once` always takes).
    default: 'incremental',
    description:
      'How the live console polls: incremental (reads only what changed) or full (counts the whole window at every poll)',
  },
  {
    path: 'sharePolls',
    type: 'bool',
    // 10 consoles polling in step cost the cluster 2.1–7.3× one (bench:window, request cache
    // answering all but one): each search has a cost even from the cache. Shared, they cost one.
    default: true,
    description:
      "Consoles of one user on one host with the same cluster, account, window and settings share each poll (one asks the cluster, over a socket in the user's private runtime directory)",
  },
  {
    path: 'silenceAlert',
    type: 'duration',
    minMs: 1000,
    default: '10m',
    description:
      'A service with events in the last 7 days but none for this long: the console header says so (is the shipper running?)',
  },
  {
    path: 'maxOffenders',
    type: 'int',
    min: 1,
    // The cluster holds per-IP state (distinct-user counts, first/last times) for every IP it
    // returns, and the request circuit breaker refuses the poll when that outgrows it.
    // Measured (npx tsx bench/max-offenders.ts, Elasticsearch 8.19.9, 512 MB heap, request
    // breaker 307 MB, 200,000 offending IPs in the window): 10,000 answered (took 21 s on a
    // loaded 2-core box); 20,000 got 429 "Data too large" (would need 519 MB, ~27 KB per IP);
    // 32,768 → 841 MB, 100,000 → 2.3 GB, 1,000,000,000 → 429 too. OpenSearch 2.19.5, same
    // heap and data: 10,000 answered (took 57 s on the loaded box: raise requestTimeout for
    // that many), 20,000 → 429 (475 MB). Hence at most 10,000.
    max: 10_000,
    // Source IPs per service whose numbers each poll fetches and the rules judge (most
    // failures first; the pane says "top N" when there were more). 250 is 2.5x Elastic's
    // default cap of 100 alerts per rule run; the answer's size, and with it a poll's cost
    // outside the cluster, grows linearly with it (bench:poll prints both).
    default: 250,
    description: 'Offender IPs fetched per service and poll',
  },
  {
    path: 'thresholds.ssh',
    type: 'int',
    min: 1,
    default: 5,
    description: 'SSH brute force: failures per IP in the window (console: t, +, -)',
  },
  {
    path: 'thresholds.rdp',
    type: 'int',
    min: 1,
    default: 5,
    description: 'RDP brute force: failures per IP in the window (console: t, +, -)',
  },
  { path: 'rules.bruteForce.enabled', type: 'bool', default: true, description: 'Brute-force rule on/off' },
  {
    path: 'rules.slowBruteForce.enabled',
    type: 'bool',
    default: true,
    description: 'Slow brute-force rule on/off',
  },
  {
    path: 'rules.slowBruteForce.threshold',
    type: 'int',
    min: 1,
    default: 10,
    description: 'Slow brute force: failures per IP in the long window',
  },
  {
    path: 'rules.slowBruteForce.window',
    type: 'duration',
    default: '6h',
    description: 'Slow brute force: long window',
  },
  {
    path: 'rules.slowBruteForce.refresh',
    type: 'duration',
    minMs: 1000,
    default: '1m',
    description: 'Slow brute force: how often the long window is queried',
  },
  {
    path: 'rules.spraying.enabled',
    type: 'bool',
    default: true,
    description: 'Password-spraying rule on/off',
  },
  {
    path: 'rules.spraying.distinctUsers',
    type: 'int',
    min: 1,
    default: 5,
    description: 'Spraying: distinct accounts tried by one IP',
  },
  {
    path: 'rules.enumeration.enabled',
    type: 'bool',
    default: true,
    description: 'User-enumeration rule on/off',
  },
  {
    path: 'rules.enumeration.invalidUsers',
    type: 'int',
    min: 1,
    default: 5,
    description: 'Enumeration: failures on non-existent accounts by one IP',
  },
  {
    path: 'rules.distributed.enabled',
    type: 'bool',
    default: true,
    description: 'Distributed-attack rule on/off',
  },
  {
    path: 'rules.distributed.distinctIps',
    type: 'int',
    min: 1,
    default: 5,
    description: 'Distributed attack: distinct IPs failing on one account',
  },
  {
    path: 'rules.successAfterFailure.enabled',
    type: 'bool',
    default: true,
    description: 'Success-after-failures rule on/off',
  },
  {
    path: 'rules.successAfterFailure.failures',
    type: 'int',
    min: 1,
    default: 5,
    description: 'Success after failures: failures before the success',
  },
  {
    path: 'rules.successAfterFailure.correlation',
    type: 'duration',
    default: '1h',
    description: 'Success after failures: correlation window (at least 1h)',
  },
  {
    path: 'rules.quietAfter',
    type: 'duration',
    default: '15m',
    description: 'An alert with no new failures for this long is quiet',
  },
  {
    path: 'rules.closeAfter',
    type: 'duration',
    default: '1h',
    description: 'A quiet alert closes after this long',
  },
  {
    path: 'allowList.cidrs',
    type: 'cidrs',
    default: [],
    description: 'Source ranges that never alert (comma-separated CIDRs)',
  },
  {
    path: 'allowList.users',
    type: 'list',
    default: ['*$', 'ANONYMOUS LOGON'],
    description: 'Account patterns that never alert (`*` wildcard)',
  },
  {
    path: 'slack.webhookUrlFile',
    type: 'string',
    default: '',
    description: 'File holding the Slack webhook URL (else SLACK_WEBHOOK_URL)',
  },
  {
    path: 'slack.timeout',
    type: 'duration',
    default: '10s',
    description: 'Slack request timeout; a late answer is still awaited for twice as long',
  },
  {
    path: 'slack.retries',
    type: 'int',
    min: 0,
    default: 3,
    description:
      'Slack retries when the answer proves it was not posted (5xx, 408, 429, connection refused); never after no answer',
  },
  { path: 'kibanaUrl', type: 'url', default: '', description: 'Kibana base URL for Discover links' },
  { path: 'ascii', type: 'bool', default: false, description: 'ASCII sparklines and borders' },
  {
    path: 'evidenceDir',
    type: 'string',
    default: '',
    description:
      'Directory of evidence bundles (`once --evidence`); default: `evidence` beside the config file',
  },
];

/** Keys that hold secrets: refused by `config set`, never shown by `config list`. */
export const SECRET_ENV = [
  { name: 'ELASTICSEARCH_API_KEY', what: 'API key' },
  { name: 'ELASTICSEARCH_PASSWORD', what: 'basic-auth password' },
  { name: 'ELASTICSEARCH_BEARER_TOKEN', what: 'bearer token' },
  { name: 'SLACK_WEBHOOK_URL', what: 'Slack webhook URL' },
] as const;

export const SECRET_KEYS = [
  'apiKey',
  'password',
  'bearerToken',
  'slack.webhookUrl',
  'slackWebhookUrl',
  'webhookUrl',
  'token',
];

/** SOC_WATCH_ + the path in upper snake case: `rules.spraying.distinctUsers` → SOC_WATCH_RULES_SPRAYING_DISTINCT_USERS. */
export function envNameOf(path: string): string {
  return `SOC_WATCH_${path
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/\./g, '_')
    .toUpperCase()}`;
}

export function envNamesOf(spec: KeySpec): readonly string[] {
  const generic = envNameOf(spec.path);
  const explicit = spec.env ?? [];
  return explicit.includes(generic) ? explicit : [...explicit, generic];
}

const byPath = new Map(KEYS.map((spec) => [spec.path, spec]));

/**
 * The spec for a key path. `thresholds.<service>` exists for any service name (custom
 * services have thresholds too), with the same rules as the built-in ones.
 */
export function keySpec(path: string): KeySpec | undefined {
  const known = byPath.get(path);
  if (known) return known;
  const threshold = /^thresholds\.([a-z][a-z0-9_-]{0,31})$/.exec(path);
  if (threshold) {
    return {
      path,
      type: 'int',
      min: 1,
      default: 5,
      description: `Brute-force threshold of service ${threshold[1]}`,
    };
  }
  return undefined;
}

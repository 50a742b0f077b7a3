// One request primitive over both client libraries. Everything else in the cluster layer is
// written once against it, so the two backends cannot drift apart. We use each library's
// transport (connection pool, retries, TLS, auth, product check for Elasticsearch) and skip
// its typed API wrappers: our bodies are plain JSON and the responses are validated anyway.
// Each client library is imported when a transport for it is made, not when this module
// loads: a console on OpenSearch, or with an explicit backend, never needs the other one, and
// each costs its code and source text in the heap for the whole session (the Elasticsearch
// client with undici ~10 MB RSS, the OpenSearch client ~4 MB; measured).
import type { Config, Secrets } from '../config/types.js';
import type { TlsOptions } from './tls.js';
import { type BackendKind, type ClusterClient, ClusterError } from './types.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'HEAD' | 'DELETE';

export interface RawRequest {
  method: HttpMethod;
  path: string;
  querystring?: Record<string, string | number | boolean>;
  body?: Record<string, unknown>;
  /** NDJSON lines (for `_msearch`). */
  bulkBody?: Record<string, unknown>[];
}

export interface RawRequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Status codes returned as responses instead of thrown (e.g. 404, 409). */
  ignore?: number[];
}

export interface RawResponse {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface Transport {
  kind: BackendKind;
  request(request: RawRequest, options?: RawRequestOptions): Promise<RawResponse>;
  raw: ClusterClient['raw'];
  /** Node URLs (as the pool spells them) that failed and are set aside until resurrected. */
  deadNodes(): string[];
  close(): Promise<void>;
}

export interface TransportSettings {
  nodes: string[];
  timeoutMs: number;
  tls: TlsOptions;
  /** Extra headers (Authorization for API key / bearer on OpenSearch). */
  headers: Record<string, string>;
  basic?: { username: string; password: string };
  apiKey?: string;
  bearer?: string;
  /**
   * Nodes another transport just found dead (the backend probe before the Elasticsearch
   * transport): set aside from the start, so a hung node costs one timeout, not one per client.
   */
  deadNodes?: string[];
}

/** The authentication part of the settings, from config + secrets; errors name what is missing. */
export function authSettings(
  config: Config,
  secrets: Secrets,
): Pick<TransportSettings, 'basic' | 'apiKey' | 'bearer'> {
  switch (config.auth.mode) {
    case 'none':
      return {};
    case 'apiKey':
      if (!secrets.apiKey) throw new ClusterError('auth', 'auth mode is apiKey but no API key is set');
      return { apiKey: secrets.apiKey };
    case 'bearer':
      if (!secrets.bearerToken) throw new ClusterError('auth', 'auth mode is bearer but no token is set');
      return { bearer: secrets.bearerToken };
    case 'basic': {
      const username = secrets.username ?? config.auth.username;
      if (!username) throw new ClusterError('auth', 'auth mode is basic but no user name is set');
      if (secrets.password === undefined) {
        throw new ClusterError('auth', 'auth mode is basic but no password is set');
      }
      return { basic: { username, password: secrets.password } };
    }
  }
}

// Several nodes: a failed connection, or one that does not answer within the request timeout
// (a hung node: accepts, never answers), is retried once per other node, and the failed node
// is set aside (dead, resurrected by a ping after 60 s, doubling). One node: the caller (the
// poller) owns retrying, with backoff, so errors surface at once.
function retries(nodes: string[]): number {
  return Math.max(0, nodes.length - 1);
}

interface PoolConnection {
  url: URL;
  status: string;
}

interface Pool {
  connections: PoolConnection[];
  markDead(connection: never): unknown;
}

function deadIn(pool: Pool): string[] {
  return pool.connections.filter((connection) => connection.status === 'dead').map((c) => c.url.href);
}

function setAside(pool: Pool, nodes: string[] | undefined): void {
  if (!nodes?.length) return;
  for (const connection of pool.connections) {
    if (nodes.includes(connection.url.href)) pool.markDead(connection as never);
  }
}

function headersOf(value: unknown): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'string' || Array.isArray(entry)) out[key.toLowerCase()] = entry;
  }
  return out;
}

export async function elasticTransport(settings: TransportSettings): Promise<Transport> {
  const { Client: ElasticClient, ClusterConnectionPool, Transport } = await import('@elastic/elasticsearch');
  // The Elasticsearch client does not pass `retryOnTimeout` through; its transport takes it.
  class RetryOnTimeout extends Transport {
    constructor(options: ConstructorParameters<typeof Transport>[0]) {
      super({ ...options, retryOnTimeout: true });
    }
  }
  const auth = settings.apiKey
    ? { apiKey: settings.apiKey }
    : settings.bearer
      ? { bearer: settings.bearer }
      : settings.basic;
  const client = new ElasticClient({
    nodes: settings.nodes,
    ...(auth ? { auth } : {}),
    tls: settings.tls,
    requestTimeout: settings.timeoutMs,
    maxRetries: retries(settings.nodes),
    name: 'soc-watch',
    // The default (weighted) pool keeps sending a share of requests to a node that timed out;
    // the cluster pool sets it aside like the OpenSearch client does.
    ConnectionPool: ClusterConnectionPool,
    Transport: RetryOnTimeout,
  });
  const pool = client.connectionPool as unknown as Pool;
  setAside(pool, settings.deadNodes);
  return {
    kind: 'elasticsearch',
    raw: { kind: 'elasticsearch', client },
    deadNodes: () => deadIn(pool),
    async request(request, options = {}) {
      const result = await client.transport.request(
        {
          method: request.method,
          path: request.path,
          ...(request.querystring ? { querystring: request.querystring } : {}),
          ...(request.body ? { body: request.body } : {}),
          ...(request.bulkBody ? { bulkBody: request.bulkBody } : {}),
        },
        {
          meta: true,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.timeoutMs ? { requestTimeout: options.timeoutMs } : {}),
          ...(options.ignore ? { ignore: options.ignore } : {}),
        },
      );
      return { status: result.statusCode ?? 0, body: result.body, headers: headersOf(result.headers) };
    },
    close: () => client.close(),
  };
}

export async function openSearchTransport(settings: TransportSettings): Promise<Transport> {
  const { Client: OpenSearchClient } = await import('@opensearch-project/opensearch');
  const headers = { ...settings.headers };
  if (settings.apiKey) headers.authorization = `ApiKey ${settings.apiKey}`;
  if (settings.bearer) headers.authorization = `Bearer ${settings.bearer}`;
  const client = new OpenSearchClient({
    nodes: settings.nodes,
    ...(settings.basic ? { auth: settings.basic } : {}),
    headers,
    ssl: settings.tls,
    requestTimeout: settings.timeoutMs,
    maxRetries: retries(settings.nodes),
  });
  const pool = client.connectionPool as unknown as Pool;
  setAside(pool, settings.deadNodes);
  return {
    kind: 'opensearch',
    raw: { kind: 'opensearch', client },
    deadNodes: () => deadIn(pool),
    async request(request, options = {}) {
      const { signal } = options;
      if (signal?.aborted) {
        throw Object.assign(new Error('Request aborted'), { name: 'RequestAbortedError' });
      }
      // The OpenSearch transport has no AbortSignal support; its promise has abort().
      const pending = client.transport.request(
        {
          method: request.method,
          path: request.path,
          ...(request.querystring ? { querystring: request.querystring } : {}),
          ...(request.body ? { body: request.body } : {}),
          ...(request.bulkBody ? { bulkBody: request.bulkBody } : {}),
        },
        {
          ...(options.timeoutMs ? { requestTimeout: options.timeoutMs } : {}),
          ...(options.ignore ? { ignore: options.ignore } : {}),
        },
      );
      // Not `() => pending.abort()`: abort() returns the thenable, and an EventTarget
      // listener that returns a rejecting thenable is reported as an uncaught exception.
      const onAbort = () => {
        pending.abort();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const result = await pending;
        return { status: result.statusCode ?? 0, body: result.body, headers: headersOf(result.headers) };
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    close: () => client.close(),
  };
}

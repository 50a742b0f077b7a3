// The cluster client factory: one ClusterClient for Elasticsearch 8/9 (@elastic/elasticsearch
// 8.19) or OpenSearch (@opensearch-project/opensearch 3). With backend `auto` we ask once
// which product answers (see detect.ts). Every call is abortable and every failure becomes a
// ClusterError whose message never contains credentials.
import type { Config, Secrets } from '../config/types.js';
import { detectBackend, readVersion } from './backend-probe.js';
import { type ErrorContext, errorReason, toClusterError } from './errors.js';
import { indexPath } from './paths.js';
import { clusterName } from './redact.js';
import { resolveTls, tlsHintContext } from './tls.js';
import {
  authSettings,
  elasticTransport,
  openSearchTransport,
  type RawRequest,
  type RawRequestOptions,
  type RawResponse,
  type Transport,
  type TransportSettings,
} from './transport.js';
import {
  type ClusterClient,
  ClusterError,
  type ClusterInfo,
  type RequestOptions,
  type SearchRequest,
} from './types.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Client implements ClusterClient {
  readonly cluster: string;
  readonly raw: ClusterClient['raw'];
  #transport: Transport;
  #context: ErrorContext;
  #info: ClusterInfo | undefined;

  constructor(transport: Transport, context: ErrorContext, info: ClusterInfo | undefined) {
    this.#transport = transport;
    this.#context = context;
    this.cluster = context.cluster;
    this.raw = transport.raw;
    this.#info = info;
  }

  async #request(
    request: RawRequest,
    options: RequestOptions | undefined,
    action: string,
    ignore?: number[],
  ) {
    try {
      return await this.#transport.request(request, {
        ...(options?.signal ? { signal: options.signal } : {}),
        ...(options?.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        ...(ignore ? { ignore } : {}),
      } satisfies RawRequestOptions);
    } catch (error) {
      throw toClusterError(error, { ...this.#context, action });
    }
  }

  /** Backend and version; the first answer is kept (a cluster does not change product). */
  async info(options?: RequestOptions): Promise<ClusterInfo> {
    if (this.#info) return this.#info;
    const version = await readVersion((request, ignore) =>
      this.#request(request, options, 'read version', ignore),
    );
    this.#info = { kind: this.#transport.kind, version };
    return this.#info;
  }

  async search(request: SearchRequest, options?: RequestOptions): Promise<unknown> {
    const response = await this.#request(
      {
        method: 'POST',
        path: `/${indexPath(request.index)}/_search`,
        querystring: {
          ...request.header,
          ...(options?.filterPath ? { filter_path: options.filterPath } : {}),
        },
        body: request.body,
      },
      options,
      `search ${request.index}`,
    );
    return response.body;
  }

  async msearch(requests: SearchRequest[], options?: RequestOptions): Promise<unknown> {
    if (requests.length === 0) return { responses: [] };
    const lines: Record<string, unknown>[] = [];
    for (const request of requests) {
      lines.push({ index: request.index, ...request.header }, request.body);
    }
    const response = await this.#request(
      {
        method: 'POST',
        path: '/_msearch',
        ...(options?.filterPath ? { querystring: { filter_path: options.filterPath } } : {}),
        bulkBody: lines,
      },
      options,
      `msearch ${[...new Set(requests.map((request) => request.index))].join(' ')}`,
    );
    return response.body;
  }

  async fieldCaps(index: string, fields: string[], options?: RequestOptions): Promise<unknown> {
    const response = await this.#request(
      {
        method: 'GET',
        path: `/${indexPath(index)}/_field_caps`,
        querystring: { fields: fields.join(','), ignore_unavailable: true, allow_no_indices: true },
      },
      options,
      `field_caps ${index}`,
    );
    return response.body;
  }

  async ensureIndexTemplate(
    name: string,
    body: Record<string, unknown>,
    options?: RequestOptions,
  ): Promise<'created' | 'exists'> {
    const path = `/_index_template/${encodeURIComponent(name)}`;
    const head = await this.#request({ method: 'HEAD', path }, options, `index template ${name}`, [404]);
    if (head.status === 200) return 'exists';
    const put = await this.#request(
      { method: 'PUT', path, querystring: { create: true }, body },
      options,
      `create index template ${name}`,
      [400],
    );
    if (put.status === 400) {
      // Another process created it between our HEAD and PUT.
      if (/already exists/i.test(errorReason(put.body) ?? '')) return 'exists';
      throw toClusterError(
        Object.assign(new Error('Response Error'), {
          name: 'ResponseError',
          meta: { statusCode: 400, body: put.body },
        }),
        {
          ...this.#context,
          action: `create index template ${name}`,
        },
      );
    }
    return 'created';
  }

  async createDocument(
    index: string,
    id: string,
    document: Record<string, unknown>,
    options?: RequestOptions,
  ): Promise<'created' | 'exists'> {
    const response = await this.#request(
      { method: 'PUT', path: `/${indexPath(index)}/_create/${encodeURIComponent(id)}`, body: document },
      options,
      `create document in ${index}`,
      [409],
    );
    return response.status === 409 ? 'exists' : 'created';
  }

  async getDocument(
    index: string,
    id: string,
    options?: RequestOptions,
  ): Promise<Record<string, unknown> | null> {
    const response: RawResponse = await this.#request(
      { method: 'GET', path: `/${indexPath(index)}/_doc/${encodeURIComponent(id)}` },
      options,
      `get document from ${index}`,
      [404],
    );
    if (response.status === 404) return null;
    if (!isRecord(response.body) || !isRecord(response.body._source)) {
      throw new ClusterError('bad-response', `document ${id} in ${index} came back without _source`);
    }
    return response.body._source;
  }

  async updateDocument(
    index: string,
    id: string,
    partial: Record<string, unknown>,
    options?: RequestOptions,
  ): Promise<void> {
    await this.#request(
      {
        method: 'POST',
        path: `/${indexPath(index)}/_update/${encodeURIComponent(id)}`,
        body: { doc: partial },
      },
      options,
      `update document in ${index}`,
    );
  }

  async refresh(index: string, options?: RequestOptions): Promise<void> {
    await this.#request(
      { method: 'POST', path: `/${indexPath(index)}/_refresh` },
      options,
      `refresh ${index}`,
    );
  }

  async count(index: string, query?: Record<string, unknown>, options?: RequestOptions): Promise<number> {
    const response = await this.#request(
      { method: 'POST', path: `/${indexPath(index)}/_count`, ...(query ? { body: { query } } : {}) },
      options,
      `count ${index}`,
    );
    const count = isRecord(response.body) ? response.body.count : undefined;
    if (typeof count !== 'number')
      throw new ClusterError('bad-response', `_count on ${index} returned no count`);
    return count;
  }

  async health(options?: RequestOptions): Promise<{ status: number; body: unknown }> {
    // A cluster without a master answers 503 once the master timeout passes: keep it well
    // inside the request timeout so that answer arrives rather than our own timeout.
    const masterTimeout = `${Math.max(1, Math.min(5, Math.floor((this.#context.timeoutMs ?? 10_000) / 2000)))}s`;
    const key = this.#transport.kind === 'opensearch' ? 'cluster_manager_timeout' : 'master_timeout';
    // wait_for_status: a new index is red until its primaries are assigned (a moment); wait
    // that out instead of reporting it.
    const querystring = { [key]: masterTimeout, wait_for_status: 'yellow', timeout: masterTimeout };
    const response = await this.#request(
      { method: 'GET', path: '/_cluster/health', querystring },
      options,
      'cluster health',
      [403, 503],
    );
    return { status: response.status, body: response.body };
  }

  close(): Promise<void> {
    return this.#transport.close();
  }
}

/**
 * Create the client. With `backend: auto` this asks the cluster once which product it is
 * (so it fails with a ClusterError when the cluster cannot be reached); with an explicit
 * backend it does no I/O unless `tls.caFingerprint` is set (the pin is checked up front).
 */
export async function createClusterClient(
  config: Config,
  secrets: Secrets,
  options?: { signal?: AbortSignal },
): Promise<ClusterClient> {
  const cluster = clusterName(config.nodes);
  const context: ErrorContext = {
    cluster,
    timeoutMs: config.requestTimeoutMs,
    secrets,
    tls: tlsHintContext(config),
  };
  if (config.nodes.length === 0) throw new ClusterError('unreachable', 'no cluster node URL is configured');
  for (const node of config.nodes) {
    if (!/^https?:\/\/[^/]/i.test(node)) {
      throw new ClusterError(
        'unreachable',
        `node URL must start with http:// or https:// (got ${clusterName([node])})`,
      );
    }
  }
  try {
    const settings: TransportSettings = {
      nodes: config.nodes,
      timeoutMs: config.requestTimeoutMs,
      tls: await resolveTls(config),
      headers: {},
      ...authSettings(config, secrets),
    };
    if (config.backend === 'elasticsearch')
      return new Client(await elasticTransport(settings), context, undefined);
    if (config.backend === 'opensearch')
      return new Client(await openSearchTransport(settings), context, undefined);
    const probe = await openSearchTransport(settings);
    let info: ClusterInfo;
    try {
      info = await detectBackend(probe, context, config.indexPattern, options?.signal);
    } catch (error) {
      await probe.close();
      throw error;
    }
    if (info.kind === 'opensearch') return new Client(probe, context, info);
    const deadNodes = probe.deadNodes();
    await probe.close();
    return new Client(await elasticTransport({ ...settings, deadNodes }), context, info);
  } catch (error) {
    throw toClusterError(error, context);
  }
}

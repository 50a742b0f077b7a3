// The one client interface every command uses, whichever backend is behind it.
// Implemented by source/cluster/client.ts for @elastic/elasticsearch 8.19.x and
// @opensearch-project/opensearch 3.x. Bodies in and out are plain JSON (`unknown` out:
// callers validate responses, they never cast them).

export type BackendKind = 'elasticsearch' | 'opensearch';

export interface ClusterInfo {
  kind: BackendKind;
  version: string;
}

export interface RequestOptions {
  /** Abort the request (quitting the console must not wait for a slow cluster). */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Response filter (`filter_path`) for search/msearch, e.g. to drop fields nobody reads. */
  filterPath?: string;
}

export interface SearchRequest {
  index: string;
  body: Record<string, unknown>;
  /**
   * Per-search parameters: the `_msearch` header line, or the query string of a `_search`
   * (e.g. `{ ignore_unavailable: true, allow_no_indices: true, request_cache: true }`).
   */
  header?: Record<string, string | number | boolean>;
}

export interface ClusterClient {
  /** Host(s) only, e.g. `es1.example:9200`, never credentials. */
  readonly cluster: string;
  info(options?: RequestOptions): Promise<ClusterInfo>;
  search(request: SearchRequest, options?: RequestOptions): Promise<unknown>;
  /** One `_msearch` round trip; returns the raw `{ took?, responses: [...] }` body. */
  msearch(requests: SearchRequest[], options?: RequestOptions): Promise<unknown>;
  fieldCaps(index: string, fields: string[], options?: RequestOptions): Promise<unknown>;
  /** Install a composable index template unless one of that name exists. */
  ensureIndexTemplate(
    name: string,
    body: Record<string, unknown>,
    options?: RequestOptions,
  ): Promise<'created' | 'exists'>;
  /** `create` with a fixed id: 'exists' on 409 (how dedupe across processes works). */
  createDocument(
    index: string,
    id: string,
    document: Record<string, unknown>,
    options?: RequestOptions,
  ): Promise<'created' | 'exists'>;
  getDocument(index: string, id: string, options?: RequestOptions): Promise<Record<string, unknown> | null>;
  /** Partial update of an existing document. */
  updateDocument(
    index: string,
    id: string,
    partial: Record<string, unknown>,
    options?: RequestOptions,
  ): Promise<void>;
  refresh(index: string, options?: RequestOptions): Promise<void>;
  count(index: string, query?: Record<string, unknown>, options?: RequestOptions): Promise<number>;
  /** `GET /_cluster/health` with a short master timeout: the status code and body, unread. */
  health(options?: RequestOptions): Promise<{ status: number; body: unknown }>;
  /** The library client underneath, for its bulk helper (ingest). */
  readonly raw:
    | { kind: 'elasticsearch'; client: import('@elastic/elasticsearch').Client }
    | { kind: 'opensearch'; client: import('@opensearch-project/opensearch').Client };
  close(): Promise<void>;
}

export type ClusterErrorKind =
  | 'unreachable' // connection refused / reset
  | 'dns' // host name does not resolve
  | 'timeout' // no answer within the request timeout (incl. half-open connections)
  | 'aborted' // we aborted it
  | 'auth' // 401
  | 'forbidden' // 403
  | 'not-found' // 404 index
  | 'rate-limited' // 429
  | 'unavailable' // 502/503/504
  | 'tls' // certificate problems
  | 'bad-response' // the answer did not have the shape we need
  | 'query' // 400: the cluster rejected the query (e.g. a field mapped with an unusable type)
  | 'product' // not Elasticsearch/OpenSearch, or the wrong backend chosen
  | 'unknown';

/** A readable, classified cluster failure. `message` is for humans; `kind` for code. */
export class ClusterError extends Error {
  readonly kind: ClusterErrorKind;
  readonly status: number | undefined;
  constructor(kind: ClusterErrorKind, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClusterError';
    this.kind = kind;
    this.status = options?.status;
  }
}

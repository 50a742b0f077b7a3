// Bulk indexing through the client library's bulk helper (both @elastic/elasticsearch 8.19 and
// @opensearch-project/opensearch 3 ship one with the same contract: batches by size and time,
// concurrent requests, 429 retries, `onDrop` for every item the cluster refused). Every
// document is a `create` with its deterministic id, so a repeat is answered 409 and counted as
// a duplicate. Every other refusal is kept with its reason: nothing is dropped silently.
import { toClusterError } from '../cluster/errors.js';
import type { ClusterClient } from '../cluster/types.js';
import type { IngestItem } from './doc-id.js';

export interface BulkCounts {
  created: number;
  duplicates: number;
  rejected: number;
}

export interface Rejection {
  id: string;
  status: number;
  reason: string;
}

export interface BulkOutcome extends BulkCounts {
  /** Details of the first `maxRejections` refusals (all are counted). */
  rejections: Rejection[];
  bytes: number;
  tookMs: number;
  aborted: boolean;
}

export interface BulkOptions {
  signal?: AbortSignal;
  /** Flush a request at this many bytes of NDJSON (default 5 MB, the helpers' default). */
  flushBytes?: number;
  /** Flush whatever is buffered after this long without a full batch (default 1 s: live input from stdin shows up promptly). */
  flushIntervalMs?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Timeout of one bulk request (default 60 s: a few MB of NDJSON on a busy cluster take longer than a search). */
  requestTimeoutMs?: number;
  /** Refresh the index at the end so the documents are searchable at once. */
  refresh?: boolean;
  maxRejections?: number;
}

export interface BulkRun {
  /** Live counts while the run goes on. */
  readonly counts: BulkCounts;
  abort(): void;
  readonly done: Promise<BulkOutcome>;
}

export type BulkClient = Pick<ClusterClient, 'raw' | 'cluster'>;

interface DroppedItem {
  status: number;
  error: unknown;
  operation: unknown;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** `mapper_parsing_exception: failed to parse field [user.name] …: For input string: "root"`. */
export function rejectionReason(error: unknown): string {
  const top = record(error);
  if (!top) return 'refused without a reason';
  const parts: string[] = [];
  const type = typeof top.type === 'string' ? top.type : undefined;
  const reason = typeof top.reason === 'string' ? top.reason : undefined;
  parts.push([type, reason].filter(Boolean).join(': ') || 'refused');
  let cause = record(top.caused_by);
  for (let depth = 0; cause && depth < 3; depth += 1) {
    if (typeof cause.reason === 'string' && !parts.includes(cause.reason)) parts.push(cause.reason);
    cause = record(cause.caused_by);
  }
  return parts.join(': ');
}

function operationId(operation: unknown): string {
  const create = record(record(operation)?.create);
  return typeof create?._id === 'string' ? create._id : '?';
}

async function* fromIterable(
  source: Iterable<IngestItem> | AsyncIterable<IngestItem>,
): AsyncGenerator<IngestItem> {
  yield* source;
}

/** Start indexing `source` into `index`; counts are live, `done` settles with the outcome. */
export function startBulk(
  client: BulkClient,
  index: string,
  source: Iterable<IngestItem> | AsyncIterable<IngestItem>,
  options: BulkOptions = {},
): BulkRun {
  const started = Date.now();
  const maxRejections = options.maxRejections ?? 100;
  const dropped = { duplicates: 0, rejected: 0 };
  const rejections: Rejection[] = [];
  const onDrop = (item: DroppedItem) => {
    if (item.status === 409) {
      dropped.duplicates += 1;
      return;
    }
    dropped.rejected += 1;
    if (rejections.length < maxRejections) {
      rejections.push({
        id: operationId(item.operation),
        status: item.status,
        reason: rejectionReason(item.error),
      });
    }
  };
  const datasource = Array.isArray(source) ? (source as IngestItem[]) : fromIterable(source);
  const onDocument = (item: IngestItem): [{ create: { _index: string; _id: string } }, unknown] => [
    { create: { _index: index, _id: item.id } },
    item.doc,
  ];
  const settings = {
    datasource,
    onDocument,
    onDrop,
    flushBytes: options.flushBytes ?? 5_000_000,
    flushInterval: options.flushIntervalMs ?? 1000,
    concurrency: options.concurrency ?? 4,
    ...(options.refresh ? { refreshOnCompletion: index } : {}),
  };
  const raw = client.raw;
  const requestOptions = { requestTimeout: options.requestTimeoutMs ?? 60_000 };
  const helper =
    raw.kind === 'elasticsearch'
      ? raw.client.helpers.bulk<IngestItem>(settings, requestOptions)
      : raw.client.helpers.bulk<IngestItem>(settings, requestOptions);

  let aborted = false;
  const abort = () => {
    aborted = true;
    helper.abort();
  };
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener('abort', abort, { once: true });

  const counts = (): BulkCounts => ({
    created: helper.stats.successful,
    duplicates: dropped.duplicates,
    rejected: dropped.rejected,
  });

  const done = (async (): Promise<BulkOutcome> => {
    try {
      await helper;
    } catch (error) {
      if (!aborted)
        throw toClusterError(error, { cluster: client.cluster, action: `bulk index into ${index}` });
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
    return {
      ...counts(),
      rejections,
      bytes: helper.stats.bytes,
      tookMs: Date.now() - started,
      aborted,
    };
  })();

  return {
    get counts() {
      return counts();
    },
    abort,
    done,
  };
}

/** Index everything and wait for the outcome. */
export function bulkIndex(
  client: BulkClient,
  index: string,
  source: Iterable<IngestItem> | AsyncIterable<IngestItem>,
  options?: BulkOptions,
): Promise<BulkOutcome> {
  return startBulk(client, index, source, options).done;
}

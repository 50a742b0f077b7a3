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

/** Longest a helper's flush timer can be (Node caps timers at 2^31 − 1 ms). */
const NEVER = 2 ** 31 - 1;

/**
 * Cut a stream into arrays of at most `maxItems`, each closed `maxMs` after its first item
 * even when the source is idle (so `tail -f | soc-watch ingest -` shows up promptly).
 */
export async function* segments<T>(
  source: AsyncIterable<T> | Iterable<T>,
  maxMs: number,
  maxItems: number,
): AsyncGenerator<T[]> {
  const iterator = (
    Symbol.asyncIterator in source
      ? source[Symbol.asyncIterator]()
      : (source as Iterable<T>)[Symbol.iterator]()
  ) as AsyncIterator<T> | Iterator<T>;
  let pending: Promise<IteratorResult<T>> | undefined;
  let batch: T[] = [];
  let deadline = 0;
  for (;;) {
    pending ??= Promise.resolve(iterator.next());
    let timer: NodeJS.Timeout | undefined;
    const tick =
      batch.length === 0
        ? undefined
        : new Promise<'tick'>((resolve) => {
            timer = setTimeout(() => resolve('tick'), Math.max(0, deadline - Date.now()));
          });
    const next = await (tick ? Promise.race([pending, tick]) : pending);
    clearTimeout(timer);
    if (next === 'tick') {
      yield batch;
      batch = [];
      continue;
    }
    pending = undefined;
    if (next.done) break;
    if (batch.length === 0) deadline = Date.now() + maxMs;
    batch.push(next.value);
    if (batch.length >= maxItems) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
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
  const tally = { created: 0, duplicates: 0, rejected: 0, bytes: 0 };
  const rejections: Rejection[] = [];
  const onDrop = (item: DroppedItem) => {
    if (item.status === 409) {
      tally.duplicates += 1;
      return;
    }
    tally.rejected += 1;
    if (rejections.length < maxRejections) {
      rejections.push({
        id: operationId(item.operation),
        status: item.status,
        reason: rejectionReason(item.error),
      });
    }
  };
  const onDocument = (item: IngestItem): [{ create: { _index: string; _id: string } }, unknown] => [
    { create: { _index: index, _id: item.id } },
    item.doc,
  ];
  const raw = client.raw;
  const requestOptions = { requestTimeout: options.requestTimeoutMs ?? 60_000 };
  const flushIntervalMs = options.flushIntervalMs ?? 1000;

  interface Helper extends PromiseLike<unknown> {
    abort(): unknown;
    stats: { successful: number; bytes: number };
  }
  let current: Helper | undefined;
  let aborted = false;

  function run(
    datasource: IngestItem[] | AsyncGenerator<IngestItem>,
    flushInterval: number,
    refresh: boolean,
  ): Helper {
    const settings = {
      datasource,
      onDocument,
      onDrop,
      flushBytes: options.flushBytes ?? 5_000_000,
      flushInterval,
      concurrency: options.concurrency ?? 4,
      ...(refresh ? { refreshOnCompletion: index } : {}),
    };
    return (raw.kind === 'elasticsearch'
      ? raw.client.helpers.bulk<IngestItem>(settings, requestOptions)
      : raw.client.helpers.bulk<IngestItem>(settings, requestOptions)) as unknown as Helper;
  }

  async function settle(helper: Helper): Promise<void> {
    current = helper;
    try {
      await helper;
    } finally {
      tally.created += helper.stats.successful;
      tally.bytes += helper.stats.bytes;
      current = undefined;
    }
  }

  async function indexAll(): Promise<void> {
    if (raw.kind === 'elasticsearch') {
      const datasource = Array.isArray(source) ? (source as IngestItem[]) : fromIterable(source);
      await settle(run(datasource, flushIntervalMs, Boolean(options.refresh)));
      return;
    }
    // OpenSearch's helper (a fork of an older Elastic helper) clears its buffer only after it
    // has waited for a free request slot. If its flush timer fires during that wait, a second
    // waiter replaces the first and the helper never settles — seen on a fresh cluster whose
    // first bulk requests take over a second. So its timer must never fire: finite input goes
    // through one run with the timer off, and streams are cut into time-bounded arrays (our
    // own timer), each indexed by its own run.
    if (Array.isArray(source)) {
      await settle(run(source as IngestItem[], NEVER, Boolean(options.refresh)));
      return;
    }
    for await (const batch of segments(source, flushIntervalMs, 10_000)) {
      if (aborted) break;
      await settle(run(batch, NEVER, false));
    }
    if (options.refresh && !aborted) await raw.client.indices.refresh({ index }, requestOptions);
  }

  const abort = () => {
    aborted = true;
    current?.abort();
  };
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener('abort', abort, { once: true });

  const counts = (): BulkCounts => ({
    created: tally.created + (current?.stats.successful ?? 0),
    duplicates: tally.duplicates,
    rejected: tally.rejected,
  });

  const done = (async (): Promise<BulkOutcome> => {
    try {
      await indexAll();
    } catch (error) {
      if (!aborted)
        throw toClusterError(error, { cluster: client.cluster, action: `bulk index into ${index}` });
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
    return {
      ...counts(),
      rejections,
      bytes: tally.bytes,
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

// Bulk indexing: batches by size and time, a few requests in flight, and retries of what is
// safe to retry. Every document is a `create` with its deterministic id, so sending a batch
// twice cannot duplicate anything (a repeat is answered 409 and counted as a duplicate); that
// is what makes retrying a timed-out request safe. Retried: the whole request on a timeout,
// 429, 502/503/504 or a refused/reset connection; single items answered 429. Each retry waits
// an exponential, jittered, capped backoff; the run fails only when one batch has used all its
// retries. Every other refusal of an item is kept with its reason: nothing is dropped silently.
// (This replaced the client libraries' bulk helpers: they retry only per-item 429s, fail the
// whole run on one timed-out request, and OpenSearch's could hang when its flush timer fired
// while it waited for a request slot.)
import { toClusterError } from '../cluster/errors.js';
import { type ClusterClient, ClusterError } from '../cluster/types.js';
import type { Config } from '../config/types.js';
import type { IngestItem } from './doc-id.js';

/** Timeout of one bulk request: a few MB of NDJSON on a busy cluster take longer than a search. */
export const BULK_REQUEST_TIMEOUT_MS = 60_000;

/**
 * The config to create an ingesting client with: its request timeout at least the bulk one.
 * A request's own timeout cannot lengthen the client's: the Elasticsearch client's HTTP layer
 * (undici) gives up waiting for an answer after the timeout the client was created with,
 * whatever the request asked for. With the default 10 s, bulks that a loaded node answered in
 * 10-60 s were abandoned and sent again while the node still indexed the first copy: 94,479 of
 * a follower's 100,000 documents were sent twice (answered 409), and the rate fell to ~480/s.
 */
export function bulkClientConfig(config: Config): Config {
  if (config.requestTimeoutMs >= BULK_REQUEST_TIMEOUT_MS) return config;
  return { ...config, requestTimeoutMs: BULK_REQUEST_TIMEOUT_MS };
}

export interface BulkCounts {
  created: number;
  duplicates: number;
  rejected: number;
  /** Requests (or 429-answered items' resends) repeated after a retryable failure. */
  retries: number;
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
  /** Timeout of one bulk request (default BULK_REQUEST_TIMEOUT_MS; create the client with bulkClientConfig). */
  requestTimeoutMs?: number;
  /** Refresh the index at the end so the documents are searchable at once. */
  refresh?: boolean;
  maxRejections?: number;
  /** Retries of one batch before the run fails (default 8: about 1 min of backoff, plus timeouts). */
  maxRetries?: number;
  /** First backoff (default 500 ms), doubled per retry up to `maxBackoffMs` (default 15 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface BulkRun {
  /** Live counts while the run goes on. */
  readonly counts: BulkCounts;
  abort(): void;
  readonly done: Promise<BulkOutcome>;
}

export type BulkClient = Pick<ClusterClient, 'raw' | 'cluster'>;

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
  // One timer per batch (not per item: a timer per document costs more than parsing it).
  let tick: Promise<'tick'> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const close = () => {
    clearTimeout(timer);
    tick = undefined;
    const full = batch;
    batch = [];
    return full;
  };
  try {
    for (;;) {
      pending ??= Promise.resolve(iterator.next());
      const next = await (tick ? Promise.race([pending, tick]) : pending);
      if (next === 'tick') {
        yield close();
        continue;
      }
      pending = undefined;
      if (next.done) break;
      if (batch.length === 0) {
        tick = new Promise<'tick'>((resolve) => {
          timer = setTimeout(() => resolve('tick'), maxMs);
        });
      }
      batch.push(next.value);
      if (batch.length >= maxItems) yield close();
    }
  } finally {
    clearTimeout(timer);
  }
  if (batch.length > 0) yield batch;
}

const RETRYABLE = new Set(['timeout', 'rate-limited', 'unavailable', 'unreachable']);

interface Batch {
  items: IngestItem[];
  bytes: number;
}

/** Cut the documents into batches of at most `flushBytes` of NDJSON, closed after `flushMs` on a quiet stream. */
async function* batches(
  source: Iterable<IngestItem> | AsyncIterable<IngestItem>,
  flushMs: number,
  flushBytes: number,
): AsyncGenerator<Batch> {
  let batch: Batch = { items: [], bytes: 0 };
  // Groups of up to 2,000 documents, cut early by the time bound on a trickle. A full group
  // means more are coming at once: keep filling the batch up to its size bound; a group cut
  // early means the input paused: send what there is.
  const GROUP = 2_000;
  for await (const group of segments(source, flushMs, GROUP)) {
    for (const item of group) {
      const size = JSON.stringify(item.doc).length + item.id.length + 40;
      if (batch.items.length > 0 && batch.bytes + size > flushBytes) {
        yield batch;
        batch = { items: [], bytes: 0 };
      }
      batch.items.push(item);
      batch.bytes += size;
    }
    if (group.length < GROUP && batch.items.length > 0) {
      yield batch;
      batch = { items: [], bytes: 0 };
    }
  }
  if (batch.items.length > 0) yield batch;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
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
  const maxRetries = options.maxRetries ?? 8;
  const backoffMs = options.backoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 15_000;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const requestTimeout = options.requestTimeoutMs ?? BULK_REQUEST_TIMEOUT_MS;
  const tally: BulkCounts & { bytes: number } = {
    created: 0,
    duplicates: 0,
    rejected: 0,
    retries: 0,
    bytes: 0,
  };
  const rejections: Rejection[] = [];
  const controller = new AbortController();
  const raw = client.raw;

  const reject = (id: string, status: number, reason: string) => {
    tally.rejected += 1;
    if (rejections.length < maxRejections) rejections.push({ id, status, reason });
  };

  /** One `_bulk` request; returns the items to send again (answered 429). Throws on a request failure. */
  async function send(items: IngestItem[]): Promise<IngestItem[]> {
    const operations: unknown[] = [];
    for (const item of items) operations.push({ create: { _index: index, _id: item.id } }, item.doc);
    let response: { items?: Record<string, { status?: number; error?: unknown }>[] };
    if (raw.kind === 'elasticsearch') {
      response = (await raw.client.bulk(
        { operations },
        { requestTimeout, maxRetries: 0, signal: controller.signal },
      )) as typeof response;
    } else {
      // OpenSearch's client takes no AbortSignal: its request promise has abort().
      const request = raw.client.bulk({ body: operations as never }, { requestTimeout, maxRetries: 0 });
      const cancel = () => request.abort();
      controller.signal.addEventListener('abort', cancel, { once: true });
      try {
        response = (await request).body as typeof response;
      } finally {
        controller.signal.removeEventListener('abort', cancel);
      }
    }
    const answers = response.items ?? [];
    const again: IngestItem[] = [];
    items.forEach((item, i) => {
      const answer = answers[i] ? Object.values(answers[i]!)[0] : undefined;
      const status = answer?.status ?? 0;
      if (status >= 200 && status < 300) tally.created += 1;
      else if (status === 409) tally.duplicates += 1;
      else if (status === 429) again.push(item);
      else reject(item.id, status, answer ? rejectionReason(answer.error) : 'no answer for this document');
    });
    return again;
  }

  /** Send one batch until every item is answered, retrying what is safe to retry. */
  async function deliver(batch: Batch): Promise<void> {
    let items = batch.items;
    for (let attempt = 0; ; attempt += 1) {
      let failure: ClusterError | undefined;
      try {
        items = await send(items);
        if (items.length === 0) {
          tally.bytes += batch.bytes;
          return;
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        failure = toClusterError(error, {
          cluster: client.cluster,
          action: `bulk index into ${index}`,
          timeoutMs: requestTimeout,
        });
        if (!RETRYABLE.has(failure.kind)) throw failure;
      }
      if (attempt >= maxRetries) {
        if (failure) throw retriesSpent(failure, attempt);
        for (const item of items) reject(item.id, 429, `still rejected (429) after ${attempt} retries`);
        return;
      }
      tally.retries += 1;
      const wait = Math.min(maxBackoffMs, backoffMs * 2 ** attempt);
      await sleep(wait / 2 + Math.random() * (wait / 2), controller.signal);
      if (controller.signal.aborted) return;
    }
  }

  function retriesSpent(failure: ClusterError, attempts: number): ClusterError {
    return new ClusterError(
      failure.kind,
      `${failure.message} (gave up after ${attempts} ${attempts === 1 ? 'retry' : 'retries'})`,
      { ...(failure.status !== undefined ? { status: failure.status } : {}), cause: failure },
    );
  }

  async function indexAll(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    for await (const batch of batches(
      source,
      options.flushIntervalMs ?? 1000,
      options.flushBytes ?? 5_000_000,
    )) {
      if (controller.signal.aborted || failure !== undefined) break;
      const task: Promise<void> = deliver(batch).then(
        () => {
          inFlight.delete(task);
        },
        (error: unknown) => {
          inFlight.delete(task);
          failure ??= error;
          controller.abort(); // stop the other requests: the run has failed
        },
      );
      inFlight.add(task);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    if (options.refresh && tally.created + tally.duplicates > 0 && !controller.signal.aborted) {
      // Only when the index exists: a refresh of an index that was never created is a 404.
      // Duplicates count too: a request that timed out may have been written after all, and its
      // retry then sees only duplicates (seen: 0 created, 168 of 200 searchable, no refresh).
      // Retried like a bulk request, and not fatal in the end: everything is written, and the
      // index refreshes itself within its refresh_interval (1 s in the template) anyway.
      for (let attempt = 0; attempt <= maxRetries && !controller.signal.aborted; attempt += 1) {
        try {
          if (raw.kind === 'elasticsearch')
            await raw.client.indices.refresh({ index }, { requestTimeout, signal: controller.signal });
          else await raw.client.indices.refresh({ index }, { requestTimeout });
          break;
        } catch (error) {
          const kind = toClusterError(error, { cluster: client.cluster }).kind;
          if (!RETRYABLE.has(kind)) break;
          tally.retries += 1;
          await sleep(Math.min(maxBackoffMs, backoffMs * 2 ** attempt), controller.signal);
        }
      }
    }
  }

  let aborted = false;
  const abort = () => {
    aborted = true;
    controller.abort();
  };
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener('abort', abort, { once: true });

  const counts = (): BulkCounts => ({
    created: tally.created,
    duplicates: tally.duplicates,
    rejected: tally.rejected,
    retries: tally.retries,
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

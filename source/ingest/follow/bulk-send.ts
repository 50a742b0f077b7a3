// One `_bulk` request of `create`s with deterministic ids, and what became of each item:
// created (201), already there (409: sent before a crash, or a re-read line — not a second
// document), to send again (429, 5xx: the cluster was busy or a shard was moving), or refused
// for good (a mapping conflict: counted and reported with its id and reason, never silent).
import type { BulkClient, Rejection } from '../bulk.js';
import { rejectionReason } from '../bulk.js';
import type { DocumentSink, IngestItem } from '../doc-id.js';

export interface ItemOutcome {
  created: number;
  duplicates: number;
  rejected: Rejection[];
  /** Documents to send again (their numbers in the batch). */
  retry: number[];
  /** The first retryable item error (for the status line). */
  retryReason: string | undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** A document's two bulk lines, the action (the index is in the URL: only the id) and the document. */
export function bulkPart(id: string, json: string): string {
  // Ids are base64url (doc-id.ts): nothing in them needs escaping.
  return `{"create":{"_id":"${id}"}}\n${json}\n`;
}

/** The id back from a bulk part (for a rejection's report). */
export function partId(part: string): string {
  const action = JSON.parse(part.slice(0, part.indexOf('\n'))) as { create?: { _id?: unknown } };
  return String(action.create?._id);
}

/**
 * A batch as the follower keeps it until acknowledged: every document's bulk lines as UTF-8 in
 * one buffer, and where each ends. Nothing of a document stays on the JavaScript heap after its
 * line is parsed: the launcher's 2 MB young generation (bin/soc-watch.js) collects every ~1 MB
 * allocated, and whatever a batch kept alive as objects (a document, or the dozen-piece string
 * that building it leaves until it is flattened) was copied at each collection and then
 * promoted, to be marked again and again until acknowledged.
 */
export class BulkParts implements DocumentSink {
  #buffer = Buffer.allocUnsafe(64 * 1024);
  #length = 0;
  readonly #ends: number[] = [];
  /** Event time (@timestamp) of the last document. */
  lastTimestamp: string | undefined;

  add(id: string, json: string, timestamp: string): void {
    const part = bulkPart(id, json);
    const room = this.#length + 3 * part.length; // UTF-8: at most 3 bytes per UTF-16 unit
    if (room > this.#buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(room, 2 * this.#buffer.length));
      this.#buffer.copy(bigger, 0, 0, this.#length);
      this.#buffer = bigger;
    }
    this.#length += this.#buffer.write(part, this.#length);
    this.#ends.push(this.#length);
    this.lastTimestamp = timestamp;
  }

  /** Number of documents. */
  get size(): number {
    return this.#ends.length;
  }

  /** Bulk lines of document `i`. */
  part(i: number): Buffer {
    return this.#buffer.subarray(i === 0 ? 0 : this.#ends[i - 1], this.#ends[i]);
  }

  id(i: number): string {
    const part = this.part(i);
    return partId(part.toString('utf8', 0, part.indexOf(0x0a) + 1));
  }

  /** The documents `indices` (in order) as one request body; a run of consecutive ones is not copied. */
  body(indices: readonly number[]): Buffer {
    const first = indices[0];
    if (first === undefined) return Buffer.alloc(0);
    const last = indices[indices.length - 1] as number;
    if (last - first === indices.length - 1)
      return this.#buffer.subarray(first === 0 ? 0 : this.#ends[first - 1], this.#ends[last]);
    return Buffer.concat(indices.map((i) => this.part(i)));
  }
}

/**
 * An index blocked for writes (OpenSearch answers 403 `cluster_block_exception` when the disk
 * passed its flood-stage watermark and the index was made read-only): the block is lifted when
 * space is freed, so the documents wait like the cluster being away, never dropped as refused.
 */
function blocked(error: unknown): boolean {
  return record(error)?.type === 'cluster_block_exception';
}

/** Sort a bulk response's items (pure): `indices` are the documents of `docs` the request carried. */
export function sortItems(
  docs: Pick<BulkParts, 'id'>,
  indices: readonly number[],
  response: unknown,
): ItemOutcome {
  const out: ItemOutcome = { created: 0, duplicates: 0, rejected: [], retry: [], retryReason: undefined };
  const results = record(response)?.items;
  if (!Array.isArray(results) || results.length !== indices.length) {
    // An answer we cannot match to our items: send them all again (409s make that safe).
    out.retry = [...indices];
    out.retryReason = 'bulk answer without one result per document';
    return out;
  }
  results.forEach((result, i) => {
    const item = indices[i] as number;
    const create = record(record(result)?.create);
    const status = typeof create?.status === 'number' ? create.status : 0;
    if (status >= 200 && status < 300) out.created += 1;
    else if (status === 409) out.duplicates += 1;
    else if (status === 429 || status >= 500 || status === 0 || blocked(create?.error)) {
      out.retry.push(item);
      out.retryReason ??= `HTTP ${status} ${rejectionReason(create?.error)}`;
    } else out.rejected.push({ id: docs.id(item), status, reason: rejectionReason(create?.error) });
  });
  return out;
}

/**
 * The request body as one NDJSON string, built here rather than by the client's serializer
 * (which walks an array of 2 objects per document): the index is in the URL, so each action
 * line is only the id.
 */
export function bulkBody(items: readonly IngestItem[]): string {
  let body = '';
  for (const item of items) body += bulkPart(item.id, JSON.stringify(item.doc));
  return body;
}

/**
 * Only what sortItems reads comes back: a full bulk answer repeats index, id, version, shards
 * and sequence numbers for every document (~170 bytes each, ~1.4 MB for a batch of 8,000 that
 * the client then parses); filtered it is ~25 bytes a document.
 */
export const BULK_FILTER = 'items.*.status,items.*.error.type,items.*.error.reason';

export async function sendBulk(
  client: BulkClient,
  index: string,
  docs: BulkParts,
  indices: readonly number[],
  options: { signal?: AbortSignal; timeoutMs: number },
): Promise<ItemOutcome> {
  const body = docs.body(indices);
  const requestOptions = {
    requestTimeout: options.timeoutMs,
    maxRetries: 0,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const raw = client.raw;
  const answer =
    raw.kind === 'elasticsearch'
      ? await raw.client.bulk({ index, filter_path: BULK_FILTER, operations: body as never }, requestOptions)
      : (await raw.client.bulk({ index, filter_path: BULK_FILTER, body: body as never }, requestOptions))
          .body;
  return sortItems(docs, indices, answer);
}

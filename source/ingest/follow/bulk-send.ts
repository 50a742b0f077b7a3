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
  /** Documents (bulk parts) to send again. */
  retry: string[];
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
 * A batch as the follower keeps it until acknowledged: each document as its bulk lines (one
 * string), and the event time of the last one. Nothing else of a document outlives its parse.
 */
export class BulkParts implements DocumentSink {
  readonly parts: string[] = [];
  lastTimestamp: string | undefined;

  add(id: string, json: string, timestamp: string): void {
    this.parts.push(bulkPart(id, json));
    this.lastTimestamp = timestamp;
  }
}

/** Sort a bulk response's items (pure). */
export function sortItems(items: readonly string[], response: unknown): ItemOutcome {
  const out: ItemOutcome = { created: 0, duplicates: 0, rejected: [], retry: [], retryReason: undefined };
  const results = record(response)?.items;
  if (!Array.isArray(results) || results.length !== items.length) {
    // An answer we cannot match to our items: send them all again (409s make that safe).
    out.retry = [...items];
    out.retryReason = 'bulk answer without one result per document';
    return out;
  }
  results.forEach((result, i) => {
    const item = items[i] as string;
    const create = record(record(result)?.create);
    const status = typeof create?.status === 'number' ? create.status : 0;
    if (status >= 200 && status < 300) out.created += 1;
    else if (status === 409) out.duplicates += 1;
    else if (status === 429 || status >= 500 || status === 0) {
      out.retry.push(item);
      out.retryReason ??= `HTTP ${status} ${rejectionReason(create?.error)}`;
    } else out.rejected.push({ id: partId(item), status, reason: rejectionReason(create?.error) });
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
  items: readonly string[],
  options: { signal?: AbortSignal; timeoutMs: number },
): Promise<ItemOutcome> {
  const body = items.join('');
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
  return sortItems(items, answer);
}

// Where escalation records live. The cluster index is the team-wide one (a `create` with a
// deterministic id is the lock that lets exactly one console send); the local file is the
// fallback for analysts who may not write to it (see audit-file.ts).
import type { ClusterClient } from '../cluster/types.js';
import { parseStoredRecord, type StoredRecord, toDocument } from './record.js';

export interface AuditStore {
  readonly kind: 'cluster' | 'file';
  /** Index name or file path (never a secret). */
  readonly where: string;
  /**
   * Exclusive create: 'exists' when a document with that id is already there. `docId`
   * defaults to `record.id` (an outcome document is a copy of a record under another id).
   */
  create(
    record: StoredRecord,
    options?: { signal?: AbortSignal; docId?: string },
  ): Promise<'created' | 'exists'>;
  /** The record, or null when absent (or not a record soc-watch can judge). */
  get(id: string, signal?: AbortSignal): Promise<StoredRecord | null>;
  /** Partial update of an existing record. */
  update(id: string, partial: Partial<StoredRecord>, signal?: AbortSignal): Promise<void>;
  /** Records started at or after `since`, newest first, optionally for one alert. */
  recent(since: number, filter?: { alertId?: string }, signal?: AbortSignal): Promise<StoredRecord[]>;
}

/** Most records `recent` returns: a day of escalations by a whole team fits many times over. */
export const RECENT_LIMIT = 1000;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `hits.hits[]._source` of a search response, validated as records. */
export function parseSearchRecords(response: unknown): StoredRecord[] {
  if (!isObject(response) || !isObject(response.hits) || !Array.isArray(response.hits.hits)) {
    throw new Error('escalation index search: unexpected response shape');
  }
  const records: StoredRecord[] = [];
  for (const hit of response.hits.hits) {
    if (!isObject(hit)) continue;
    const record = parseStoredRecord(hit._source);
    if (record) records.push(record);
  }
  return records;
}

export function clusterAuditStore(client: ClusterClient, index: string, timeoutMs?: number): AuditStore {
  const opts = (signal?: AbortSignal) => ({
    ...(signal ? { signal } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  return {
    kind: 'cluster',
    where: index,
    create: (record, options) =>
      client.createDocument(index, options?.docId ?? record.id, toDocument(record), opts(options?.signal)),
    async get(id, signal) {
      const source = await client.getDocument(index, id, opts(signal));
      return source === null ? null : (parseStoredRecord(source) ?? null);
    },
    update: (id, partial, signal) => client.updateDocument(index, id, { ...partial }, opts(signal)),
    async recent(since, filter, signal) {
      const must: Record<string, unknown>[] = [{ range: { at: { gte: since } } }];
      if (filter?.alertId !== undefined) must.push({ term: { alertId: filter.alertId } });
      const response = await client.search(
        {
          index,
          // No escalation yet means no index yet: that is an empty trail, not an error.
          header: { ignore_unavailable: true, allow_no_indices: true },
          body: {
            size: RECENT_LIMIT,
            query: { bool: { filter: must } },
            // unmapped_type: an index created before the template existed still sorts.
            sort: [
              { at: { order: 'desc', unmapped_type: 'date' } },
              { updatedAt: { order: 'desc', unmapped_type: 'date' } },
            ],
          },
        },
        opts(signal),
      );
      return parseSearchRecords(response);
    },
  };
}

// Deterministic document ids. An id depends only on what the log says (host, time, process id,
// message, and which occurrence of an identical line this is), never on the file name or the
// run, so ingesting the same log twice — or a rotated copy of it — creates nothing new: the
// bulk `create` of an existing id answers 409 and counts as a duplicate.
import { hash } from 'node:crypto';
import type { EcsDoc } from './ecs.js';

const SEPARATOR = '\u0000';

/** SHA-1 over the parts (20 bytes, base64url: 27 characters). Not for security: a stable name. */
export function hashId(parts: readonly (string | number | undefined)[]): string {
  let text = '';
  for (const part of parts) text += `${part === undefined ? '' : part}${SEPARATOR}`;
  return hash('sha1', text, 'base64url');
}

/**
 * Numbers identical keys in order of appearance: 0 for the first, 1 for the next identical one…
 * Only keys of the current timestamp are remembered (logs are written in time order, so
 * identical lines share their timestamp and sit together); memory stays bounded.
 */
export class OccurrenceCounter {
  #timestamp: string | undefined;
  #seen = new Map<string, number>();

  /** The counts of the current timestamp (plain JSON, for a follower's checkpoint). */
  snapshot(): OccurrenceState {
    return { timestamp: this.#timestamp, seen: [...this.#seen] };
  }

  restore(state: OccurrenceState): void {
    this.#timestamp = state.timestamp;
    this.#seen = new Map(state.seen);
  }

  next(timestamp: string, key: string): number {
    if (timestamp !== this.#timestamp) {
      this.#timestamp = timestamp;
      this.#seen.clear();
    }
    const count = this.#seen.get(key) ?? 0;
    this.#seen.set(key, count + 1);
    return count;
  }
}

export interface OccurrenceState {
  timestamp: string | undefined;
  seen: [string, number][];
}

export interface IngestItem {
  id: string;
  doc: EcsDoc;
}

/**
 * Where the follower's parser puts documents: already serialised (the follower keeps each
 * document as its bulk lines until acknowledged, never as an object). `timestamp` is the
 * document's @timestamp (event time).
 */
export interface DocumentSink {
  add(id: string, json: string, timestamp: string): void;
}

/** Id of a log-derived document: content only, plus its occurrence index. */
export function logEventId(doc: EcsDoc, occurrence: number): string {
  return contentId(
    doc.host?.hostname,
    doc['@timestamp'],
    doc.process?.name,
    doc.process?.pid,
    doc.message,
    occurrence,
  );
}

/** logEventId from the document's parts (the follower builds no document object). */
export function contentId(
  host: string | undefined,
  timestamp: string,
  process: string | undefined,
  pid: number | undefined,
  message: string | undefined,
  occurrence: number,
): string {
  // hashId's text, written out (no array per document).
  return hash(
    'sha1',
    `${host ?? ''}\u0000${timestamp}\u0000${process ?? ''}\u0000${pid ?? ''}\u0000${message ?? ''}\u0000${occurrence}\u0000`,
    'base64url',
  );
}

/**
 * Id of an sshd failure that a PAM line may have announced: its connection and attempt number,
 * so the document read from pam_unix's line (file ended there) and the one read from sshd's
 * `Failed password` line (file grown) are the same document.
 */
export function attemptEventId(connection: string, start: number, attempt: number): string {
  // `connection` is host + pid (or host + address + port): see sshd-connections.ts.
  return hashId(['ssh-attempt', connection, start, attempt]);
}

/** Id of a Windows event: its record number on its computer when known (the same event exported twice, by Winlogbeat or PowerShell, gets the same id). */
export function windowsEventId(doc: EcsDoc, occurrence: number): string {
  const winlog = doc.winlog;
  if (winlog?.record_id) {
    return hashId([
      'winlog',
      winlog.computer_name.toLowerCase(),
      winlog.channel,
      winlog.record_id,
      winlog.event_id,
    ]);
  }
  const data = winlog
    ? JSON.stringify(Object.entries(winlog.event_data).sort(([a], [b]) => (a < b ? -1 : 1)))
    : '';
  return hashId([
    'winlog',
    winlog?.computer_name.toLowerCase(),
    doc['@timestamp'],
    winlog?.event_id,
    data,
    occurrence,
  ]);
}

/**
 * Ids for documents built elsewhere (the demo generator): a hash of the whole document, with
 * identical documents numbered in order. Same documents in, same ids out.
 */
export function withIds(docs: readonly EcsDoc[]): IngestItem[] {
  const counter = new Map<string, number>();
  return docs.map((doc) => {
    const json = JSON.stringify(doc);
    const occurrence = counter.get(json) ?? 0;
    counter.set(json, occurrence + 1);
    return { id: hashId(['doc', json, occurrence]), doc };
  });
}

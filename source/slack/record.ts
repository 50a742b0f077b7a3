// The escalation audit record: what is written to the escalation index (or the local audit
// file) before a Slack message is sent, and updated with the delivery result afterwards.
// Pure: ids, validation of stored documents (never cast), and the index template.
import { createHash } from 'node:crypto';
import { sanitizeAndTruncate } from '../core/sanitize.js';
import type { Alert } from '../detect/alert.js';

/** As stored (kept for records written by earlier versions): `failed` + `deliveryUnknown` is "unknown". */
export type Delivery = 'pending' | 'sent' | 'failed';

/**
 * What an attempt means to a process now (escalation-state.ts judges it):
 * - `pending`: in flight — its sender is inside its deadline (another process, or this one sending now);
 * - `delivered`: Slack accepted the message;
 * - `failed`: proven not posted (Slack refused it, the audit write failed so nothing was sent, or the
 *   sender gave up before sending) — escalating again sends at once;
 * - `unknown`: Slack did not answer (or the sender died mid-send): it may have been posted —
 *   sending again needs the analyst's explicit yes (`--force` on the CLI).
 */
export type EscalationState = 'pending' | 'delivered' | 'failed' | 'unknown';

/**
 * Of a pending attempt: `claim` = record created, nothing sent yet (its deadline is the
 * create's timeout, so a create that lands late, after a cluster hang, is already stale);
 * `sending` = the owner confirmed before sending (deadline covers the whole delivery).
 * Records of earlier versions have none and count as `sending`.
 */
export type PendingPhase = 'claim' | 'sending';

/**
 * One escalation attempt as the console sees it. `id` is the document id of the attempt;
 * attempts of the same alert state share `escalationId` (see `attemptDocumentId`).
 */
export interface EscalationRecord {
  id: string;
  alertId: string;
  rule: string;
  service: string;
  key: string;
  /** Analyst, `user@host`. */
  by: string;
  /** Epoch ms when the escalation was started (the record created). */
  at: number;
  delivery: Delivery;
  /** The message said "update": this alert had been escalated before in a smaller state. */
  update: boolean;
  /** Why delivery failed (never contains the webhook URL). */
  reason?: string;
  /** Failures of the alert when it was escalated. */
  failures: number;
  /** Deterministic id of the alert state; the same for every attempt at that state. */
  escalationId?: string;
  /** 0 for the first attempt at an alert state, 1, 2, … for takeovers/retries. */
  attempt?: number;
  severity?: string;
  /** Epoch ms when Slack accepted the message. */
  sentAt?: number;
  /** A failed attempt whose request may have reached Slack (no answer): a resend may duplicate. */
  deliveryUnknown?: boolean;
  /**
   * Judged when the record was read (sync): see EscalationState. Pending records carry
   * `deadline`: after it (plus clock-skew allowance) the attempt counts as abandoned.
   */
  state?: EscalationState;
  /** Epoch ms by which a pending attempt's sender has finished or given up. */
  deadline?: number;
}

/** What is stored: the record plus bookkeeping other processes need to judge it. */
export interface StoredRecord extends EscalationRecord {
  escalationId: string;
  attempt: number;
  severity: string;
  /** Random id of the escalator instance that owns a pending attempt (one per console run). */
  owner: string;
  /** Epoch ms by which the owner has finished or given up: a pending record past it is stale. */
  deadline: number;
  updatedAt: number;
  /** Pending only: whether anything may have been sent yet (see PendingPhase). */
  phase?: PendingPhase;
  /** `os.hostname()` of the writer: on the same machine no clock-skew allowance is needed. */
  host?: string;
  /** The plain-text fallback of the message (what a responder read), for the audit trail. */
  text: string;
  note?: string;
}

/** Schema version of the state id; bump when what defines "the same state" changes. */
const STATE_ID_VERSION = 'v1';

/**
 * The number whose growth makes an escalated alert worth escalating again, per rule: a spray
 * grows in accounts, a distributed attack in source addresses, the others in failures.
 */
export function growthMetric(alert: Alert): number {
  switch (alert.rule) {
    case 'spraying':
      return alert.distinctUsers;
    case 'distributed':
      return alert.distinctIps;
    case 'enumeration':
      return alert.invalidUserFailures;
    default:
      return alert.failures;
  }
}

/** Order of magnitude: 50 → 1, 99 → 1, 100 → 2, 5000 → 3 (0 for anything below 10). */
export function magnitude(value: number): number {
  if (!Number.isFinite(value) || value < 10) return 0;
  return Math.floor(Math.log10(value));
}

/**
 * Deterministic id of an alert STATE: pressing `e` twice, retrying, or a second analyst's
 * console all compute the same id for the same state, so a `create` with it lets exactly one
 * of them send. What defines a state: the alert (rule|service|key), its severity, the order of
 * magnitude of its growth metric, and for success-after-failure the time of the success.
 *
 * Deliberately NOT included: `firstSeen`/`lastSeen`. They come from each console's detector
 * clock and window, so two consoles started at different times would disagree and both send.
 * Every input above is derived from cluster data both consoles read identically. A recurrence
 * long after an escalation is handled by the escalator (an old 'sent' record is history, see
 * EPISODE_MS there), not by the id.
 */
export function escalationStateId(alert: Alert): string {
  const parts = [
    STATE_ID_VERSION,
    alert.id,
    alert.severity,
    String(magnitude(growthMetric(alert))),
    alert.rule === 'success-after-failure' ? (alert.success?.at ?? '') : '',
  ];
  const digest = createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
  return `${STATE_ID_VERSION}-${digest}`;
}

/** Document id of attempt `n` at a state: the state id itself, then `<id>.1`, `<id>.2`, … */
export function attemptDocumentId(stateId: string, attempt: number): string {
  return attempt === 0 ? stateId : `${stateId}.${attempt}`;
}

/** Public part of a stored record (what `sync()` returns). */
export function toEscalationRecord(stored: StoredRecord): EscalationRecord {
  const record: EscalationRecord = {
    id: stored.id,
    alertId: stored.alertId,
    rule: stored.rule,
    service: stored.service,
    key: stored.key,
    by: stored.by,
    at: stored.at,
    delivery: stored.delivery,
    update: stored.update,
    failures: stored.failures,
    escalationId: stored.escalationId,
    attempt: stored.attempt,
    severity: stored.severity,
  };
  if (stored.reason !== undefined) record.reason = stored.reason;
  if (stored.sentAt !== undefined) record.sentAt = stored.sentAt;
  if (stored.deliveryUnknown !== undefined) record.deliveryUnknown = stored.deliveryUnknown;
  if (stored.delivery === 'pending') record.deadline = stored.deadline;
  return record;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(source: Record<string, unknown>, key: string): string | undefined {
  const value = source[key];
  return typeof value === 'string' ? value : undefined;
}

function num(source: Record<string, unknown>, key: string): number | undefined {
  const value = source[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Validate a stored document (from the cluster or the local file). Returns undefined for
 * anything that is not a complete record: another tool's document, a hand edit, a newer
 * schema we cannot judge safely.
 */
export function parseStoredRecord(value: unknown): StoredRecord | undefined {
  if (!isRecord(value)) return undefined;
  const id = str(value, 'id');
  const escalationId = str(value, 'escalationId');
  const alertId = str(value, 'alertId');
  const rule = str(value, 'rule');
  const service = str(value, 'service');
  const key = str(value, 'key');
  // Written by other analysts' consoles: untrusted like any cluster data, shown in the feed.
  const byRaw = str(value, 'by');
  const by = byRaw === undefined ? undefined : sanitizeAndTruncate(byRaw, 200);
  const owner = str(value, 'owner');
  const severity = str(value, 'severity');
  const text = str(value, 'text') ?? '';
  const at = num(value, 'at');
  const deadline = num(value, 'deadline');
  const attempt = num(value, 'attempt');
  const failures = num(value, 'failures');
  const updatedAt = num(value, 'updatedAt') ?? at;
  const delivery = value.delivery;
  const update = value.update;
  if (
    id === undefined ||
    escalationId === undefined ||
    alertId === undefined ||
    rule === undefined ||
    service === undefined ||
    key === undefined ||
    by === undefined ||
    owner === undefined ||
    severity === undefined ||
    at === undefined ||
    deadline === undefined ||
    attempt === undefined ||
    failures === undefined ||
    updatedAt === undefined ||
    typeof update !== 'boolean' ||
    (delivery !== 'pending' && delivery !== 'sent' && delivery !== 'failed')
  ) {
    return undefined;
  }
  const record: StoredRecord = {
    id,
    escalationId,
    attempt,
    alertId,
    rule,
    service,
    key,
    by,
    at,
    delivery,
    update,
    failures,
    severity,
    owner,
    deadline,
    updatedAt,
    text,
  };
  const reason = str(value, 'reason');
  if (reason !== undefined) record.reason = sanitizeAndTruncate(reason, 500);
  const sentAt = num(value, 'sentAt');
  if (sentAt !== undefined) record.sentAt = sentAt;
  if (typeof value.deliveryUnknown === 'boolean') record.deliveryUnknown = value.deliveryUnknown;
  const note = str(value, 'note');
  if (note !== undefined) record.note = note;
  const phase = value.phase;
  if (phase === 'claim' || phase === 'sending') record.phase = phase;
  const host = str(value, 'host');
  if (host !== undefined) record.host = sanitizeAndTruncate(host, 200);
  return record;
}

/** The document as stored: the record plus an ISO `@timestamp` so Kibana can chart it. */
export function toDocument(record: StoredRecord): Record<string, unknown> {
  return { ...record, '@timestamp': new Date(record.at).toISOString() };
}

/** Latest record per alert (by start time, then last change): what a console shows. */
export function latestPerAlert(records: Iterable<StoredRecord>): Map<string, StoredRecord> {
  const latest = new Map<string, StoredRecord>();
  for (const record of records) {
    const current = latest.get(record.alertId);
    if (
      !current ||
      record.at > current.at ||
      (record.at === current.at && record.updatedAt > current.updatedAt) ||
      (record.id === current.id && record.updatedAt >= current.updatedAt)
    ) {
      latest.set(record.alertId, record);
    }
  }
  return latest;
}

/** Composable index template for the escalation index: exact fields, dates as dates. */
export function escalationIndexTemplate(index: string): Record<string, unknown> {
  const keyword = { type: 'keyword', ignore_above: 1024 };
  const epoch = { type: 'date', format: 'epoch_millis' };
  return {
    index_patterns: [index],
    // Above the built-in templates (ES ships priority 100 ones) and distinct from any
    // catch-all the deployment may have, so this one applies to the escalation index.
    priority: 310,
    template: {
      settings: { number_of_shards: 1, auto_expand_replicas: '0-1' },
      mappings: {
        // Unknown fields (a newer soc-watch) are kept in _source but not indexed.
        dynamic: false,
        properties: {
          '@timestamp': { type: 'date' },
          id: keyword,
          escalationId: keyword,
          attempt: { type: 'integer' },
          alertId: keyword,
          rule: keyword,
          service: keyword,
          key: keyword,
          by: keyword,
          owner: keyword,
          severity: keyword,
          delivery: keyword,
          update: { type: 'boolean' },
          deliveryUnknown: { type: 'boolean' },
          phase: keyword,
          host: keyword,
          reason: { type: 'text' },
          failures: { type: 'long' },
          at: epoch,
          sentAt: epoch,
          updatedAt: epoch,
          deadline: epoch,
          // What was sent: kept for the audit trail, not searched.
          text: { type: 'text', index: false },
          note: { type: 'text' },
        },
      },
    },
    _meta: { description: 'soc-watch escalation audit trail', managed_by: 'soc-watch' },
  };
}

// One-key escalation of an alert to Slack: never lost while the console runs, never sent twice.
//
// How "never twice" holds across keypresses, retries, and analysts:
//   1. In this process, a second escalate() for the same alert state while one is in flight
//      returns the same promise.
//   2. Across processes, before anything is sent, a record is CREATED in the escalation index
//      under a deterministic id of the alert state (record.ts: escalationStateId). A create is
//      atomic in Elasticsearch/OpenSearch: of two consoles pressing `e` at the same moment,
//      one gets 'created' and sends, the other gets 409 'exists' and reports "already
//      escalated by <first>" without sending.
//   3. Retries are attempts `<id>.1`, `<id>.2`, … each also claimed by create, so a retry,
//      or the takeover of a crashed sender's record, is again won by exactly one console.
//
// How "never lost" holds: an existing record only blocks sending while it proves the message
// is posted (sent, recently) or about to be (pending, before its owner's deadline). A failed
// attempt, or a pending one whose owner passed its deadline (crashed or killed), lets the next
// escalate() claim the next attempt and send. When the earlier attempt may have reached Slack
// (no answer, crash mid-send), the new message says it is a re-send (message.ts resendOf):
// that is the one case where a responder could see two messages, and only after an analyst
// chose to retry a delivery nobody can confirm — Slack webhooks have no idempotency key.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { ClusterClient } from '../cluster/types.js';
import { ClusterError } from '../cluster/types.js';
import type { Config, Secrets } from '../config/types.js';
import { sanitize, sanitizeAndTruncate } from '../core/sanitize.js';
import type { Alert, EscalationStatus } from '../detect/alert.js';
import { defaultAuditFile, fileAuditStore } from './audit-file.js';
import { type AuditStore, clusterAuditStore } from './audit-store.js';
import {
  type DeliveryOptions,
  type DeliveryResult,
  deliver,
  deliveryPlan,
  maxDeliveryMs,
} from './delivery.js';
import { buildSlackMessage, type SlackMessage } from './message.js';
import {
  attemptDocumentId,
  type EscalationRecord,
  escalationIndexTemplate,
  escalationStateId,
  latestPerAlert,
  type StoredRecord,
  toEscalationRecord,
} from './record.js';
import { checkWebhookUrl, scrubSecret } from './webhook-url.js';

export type { EscalationRecord } from './record.js';

export interface Escalator {
  /** A webhook URL is known. */
  readonly configured: boolean;
  /** "Slack: configured", or how to configure it. Never contains the URL. */
  readonly configureHint: string;
  escalate(
    alert: Alert,
    options?: { note?: string; signal?: AbortSignal; onSending?: () => void },
  ): Promise<EscalationStatus>;
  /** Latest record per alertId (cluster index + local audit file + this process), last 24 h. */
  sync(options?: { signal?: AbortSignal }): Promise<ReadonlyMap<string, EscalationRecord>>;
  /** Warnings to show once (fallback to the local audit file, unreadable webhook file…). */
  readonly warnings: readonly string[];
}

export interface EscalatorOptions {
  client: ClusterClient | null;
  config: Config;
  secrets: Secrets;
  /** Default `${os.userInfo().username}@${os.hostname()}`. */
  analyst?: string;
  now?: () => number;
  /** Test seam only: replaces the webhook delivery (a rejection is a failure known not posted). */
  send?: (payload: SlackMessage) => Promise<void>;
  /** Local audit file (default: escalations.ndjson in the soc-watch data directory). */
  auditFile?: string;
  /** Delivery tuning; tests shorten the waits. */
  delivery?: Pick<DeliveryOptions, 'lateAnswerMs' | 'backoffBaseMs' | 'backoffCapMs' | 'retryAfterCapMs'>;
}

/** A 'sent' record older than this is history: the same alert state may be escalated again. */
export const EPISODE_MS = 6 * 3_600_000;
/** How far back sync() looks. */
export const SYNC_HORIZON_MS = 24 * 3_600_000;
/** Allowance for clocks of different analysts' machines when judging another's deadline. */
export const CLOCK_SKEW_MS = 30_000;
/** Bound on attempts per alert state (each a failed delivery somebody chose to retry). */
const MAX_ATTEMPTS = 25;
/** Id suffix of the copy written when a record may be created but not updated (create-only role). */
const OUTCOME_SUFFIX = '~outcome';

export const NOT_CONFIGURED_HINT = 'Slack: not configured — set SLACK_WEBHOOK_URL or slack.webhookUrlFile';

export function defaultAnalyst(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
  return `${user}@${os.hostname()}`;
}

function webhookUrl(config: Config, secrets: Secrets, warnings: string[]): string | undefined {
  const fromSecrets = secrets.slackWebhookUrl?.trim();
  if (fromSecrets) return fromSecrets;
  const file = config.slack.webhookUrlFile;
  if (!file) return undefined;
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch (error) {
    warnings.push(
      `Slack: cannot read slack.webhookUrlFile ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return undefined;
  }
}

/** Whether a webhook URL is known (env/secrets or a readable slack.webhookUrlFile). */
export function slackWebhookConfigured(config: Config, secrets: Secrets): boolean {
  return webhookUrl(config, secrets, []) !== undefined;
}

type Verdict =
  | { kind: 'already'; status: EscalationStatus }
  | { kind: 'next'; resendOf?: { at: number; by: string } };

export function createEscalator(options: EscalatorOptions): Escalator {
  const { client, config } = options;
  const now = options.now ?? Date.now;
  const analyst = sanitizeAndTruncate(options.analyst ?? defaultAnalyst(), 200);
  const warnings: string[] = [];
  const url = webhookUrl(config, options.secrets, warnings);
  if (url !== undefined) {
    const check = checkWebhookUrl(url);
    if (!check.ok) warnings.push(`Slack: ${check.reason}`);
  }
  const configured = url !== undefined || options.send !== undefined;
  const scrub = (text: string) => scrubSecret(text, url);
  const owner = randomUUID();
  const index = config.escalationIndex;
  const auditFile = options.auditFile ?? defaultAuditFile();
  const fileStore = fileAuditStore(auditFile);
  const clusterStore = client ? clusterAuditStore(client, index, config.requestTimeoutMs) : null;
  const deliveryOptions: DeliveryOptions = {
    timeoutMs: config.slack.timeoutMs,
    retries: config.slack.retries,
    ...options.delivery,
  };
  const plan = deliveryPlan(deliveryOptions);

  /** The store escalations are written to: the cluster until it answers 403, then the file. */
  let clusterWritable = clusterStore !== null;
  let clusterReadable = clusterStore !== null;
  if (!clusterStore) warnings.push(`no cluster connection: escalations are recorded only in ${auditFile}`);
  const warned = new Set<string>();
  const warnOnce = (key: string, text: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    warnings.push(text);
  };
  const fallBack = (why: string) => {
    clusterWritable = false;
    warnOnce(
      'fallback',
      `escalation index ${index} is read-only for you (${why}): using local audit file ${auditFile} — duplicates are prevented only on this machine`,
    );
  };

  /** Records this process wrote, with their latest state even if the store missed an update. */
  const known = new Map<string, StoredRecord>();
  const inflight = new Map<string, Promise<EscalationStatus>>();
  let lastClusterRecords: StoredRecord[] = [];
  let template: Promise<void> | undefined;

  const ensureTemplate = () => {
    template ??= (async () => {
      if (!client) return;
      try {
        await client.ensureIndexTemplate(index, escalationIndexTemplate(index), {
          timeoutMs: config.requestTimeoutMs,
        });
      } catch (error) {
        // Installing templates needs cluster privileges analysts often lack; the index may
        // exist already, and a real problem shows on the create that follows. A transient
        // failure (cluster briefly down) is tried again on the next escalation.
        if (!isForbidden(error)) template = undefined;
      }
    })();
    return template;
  };

  const isForbidden = (error: unknown) => error instanceof ClusterError && error.kind === 'forbidden';

  /** Judge an existing attempt record: does it block sending, or may the next attempt go? */
  function judge(existing: StoredRecord, at: number, resendOf: Verdict & { kind: 'next' }): Verdict {
    const mine = known.get(existing.id);
    const record = mine && mine.updatedAt >= existing.updatedAt ? mine : existing;
    switch (record.delivery) {
      case 'sent': {
        const sentAt = record.sentAt ?? record.at;
        if (at - sentAt <= EPISODE_MS)
          return { kind: 'already', status: { kind: 'already', at: sentAt, by: record.by } };
        return { kind: 'next' }; // history: the same state may be escalated again
      }
      case 'pending': {
        const abandoned = record.owner === owner || at > record.deadline + CLOCK_SKEW_MS;
        if (!abandoned) return { kind: 'already', status: { kind: 'already', at: record.at, by: record.by } };
        // Its sender died (or this process lost track of it) mid-send: it may have posted.
        return { kind: 'next', resendOf: { at: record.at, by: record.by } };
      }
      case 'failed':
        return record.deliveryUnknown
          ? { kind: 'next', resendOf: { at: record.at, by: record.by } }
          : resendOf;
    }
  }

  /** Existing record of an attempt, with its outcome copy when the original could not be updated. */
  async function existingRecord(store: AuditStore, id: string, signal?: AbortSignal) {
    const record = await store.get(id, signal);
    if (record?.delivery !== 'pending' || store.kind !== 'cluster') return record;
    return (await store.get(`${id}${OUTCOME_SUFFIX}`, signal)) ?? record;
  }

  /** Read-only look at the cluster for a state this analyst cannot write there. */
  async function peekCluster(stateId: string, signal?: AbortSignal): Promise<EscalationStatus | undefined> {
    if (!clusterStore || !clusterReadable) return undefined;
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const existing = await existingRecord(clusterStore, attemptDocumentId(stateId, attempt), signal);
        if (!existing) return undefined;
        const verdict = judge(existing, now(), { kind: 'next' });
        if (verdict.kind === 'already') return verdict.status;
      }
    } catch {
      // not readable either: the local file is all there is
    }
    return undefined;
  }

  /** Was an earlier state of this alert sent recently? Then this message is an "update". */
  async function isUpdate(alert: Alert, stateId: string, store: AuditStore, signal?: AbortSignal) {
    const since = now() - EPISODE_MS;
    const records: StoredRecord[] = [...known.values()];
    for (const source of new Set([store, ...(clusterStore && clusterReadable ? [clusterStore] : [])])) {
      try {
        records.push(...(await source.recent(since, { alertId: alert.id }, signal)));
      } catch {
        // wording only: never block an escalation on it
      }
    }
    return records.some(
      (record) =>
        record.alertId === alert.id &&
        record.delivery === 'sent' &&
        record.escalationId !== stateId &&
        (record.sentAt ?? record.at) >= since,
    );
  }

  async function deliverMessage(message: SlackMessage, signal?: AbortSignal): Promise<DeliveryResult> {
    if (options.send) {
      try {
        await options.send(message);
        return { ok: true, attempts: 1 };
      } catch (error) {
        const reason = scrub(sanitize(error instanceof Error ? error.message : String(error)));
        return { ok: false, attempts: 1, reason: reason || 'send failed', unknown: false };
      }
    }
    if (url === undefined) return { ok: false, attempts: 0, reason: NOT_CONFIGURED_HINT, unknown: false };
    return deliver(url, message, {
      ...deliveryOptions,
      ...(signal ? { signal } : {}),
    });
  }

  /** Store the outcome; a result must not be lost, or other consoles would resend after the deadline. */
  async function recordOutcome(store: AuditStore, final: StoredRecord): Promise<void> {
    const partial: Partial<StoredRecord> = {
      delivery: final.delivery,
      updatedAt: final.updatedAt,
      ...(final.sentAt === undefined ? {} : { sentAt: final.sentAt }),
      ...(final.reason === undefined ? {} : { reason: final.reason }),
      ...(final.deliveryUnknown === undefined ? {} : { deliveryUnknown: final.deliveryUnknown }),
    };
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        // A fresh signal: the caller's may be aborted (console quitting) — this write must still happen.
        await store.update(final.id, partial, AbortSignal.timeout(5000));
        return;
      } catch (error) {
        lastError = error;
        if (isForbidden(error)) break;
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
    if (isForbidden(lastError)) {
      // May create but not update (e.g. a `create_doc`-only role): write the outcome as a copy.
      try {
        await store.create(final, {
          docId: `${final.id}${OUTCOME_SUFFIX}`,
          signal: AbortSignal.timeout(5000),
        });
        return;
      } catch {
        // fall through to the local file
      }
    }
    warnOnce(
      `outcome:${final.id}`,
      `could not record the delivery result in ${store.where}; other consoles see it as in progress until ${new Date(final.deadline).toISOString()}`,
    );
    if (store.kind === 'cluster') {
      await fileStore.create(final, { docId: final.id }).catch(() => undefined);
      // Keep trying in the background until other consoles would judge the record abandoned.
      const retry = setInterval(() => {
        if (now() > final.deadline) return clearInterval(retry);
        store.update(final.id, partial, AbortSignal.timeout(5000)).then(
          () => clearInterval(retry),
          () => undefined,
        );
      }, 5000);
      retry.unref();
    }
  }

  async function sendOwned(
    store: AuditStore,
    record: StoredRecord,
    message: SlackMessage,
    escalateOptions: { signal?: AbortSignal; onSending?: () => void },
  ): Promise<EscalationStatus> {
    known.set(record.id, record);
    escalateOptions.onSending?.();
    const result = await deliverMessage(message, escalateOptions.signal);
    const finishedAt = now();
    const final: StoredRecord = result.ok
      ? { ...record, delivery: 'sent', sentAt: finishedAt, updatedAt: finishedAt }
      : {
          ...record,
          delivery: 'failed',
          reason: scrub(result.reason),
          deliveryUnknown: result.unknown,
          updatedAt: finishedAt,
        };
    known.set(record.id, final);
    await recordOutcome(store, final);
    return result.ok
      ? { kind: 'sent', at: finishedAt, by: analyst, update: record.update }
      : { kind: 'failed', at: finishedAt, reason: final.reason ?? 'failed' };
  }

  async function escalateOnce(
    alert: Alert,
    stateId: string,
    escalateOptions: { note?: string; signal?: AbortSignal; onSending?: () => void },
  ): Promise<EscalationStatus> {
    const { signal } = escalateOptions;
    if (!configured) return { kind: 'failed', at: now(), reason: NOT_CONFIGURED_HINT };
    if (url !== undefined && !options.send) {
      const check = checkWebhookUrl(url);
      if (!check.ok) return { kind: 'failed', at: now(), reason: `Slack: ${check.reason}` };
    }
    if (clusterWritable) await ensureTemplate();
    for (;;) {
      const store: AuditStore = clusterWritable && clusterStore ? clusterStore : fileStore;
      if (store.kind === 'file') {
        const elsewhere = await peekCluster(stateId, signal);
        if (elsewhere) return elsewhere;
      }
      const update = await isUpdate(alert, stateId, store, signal);
      let verdict: Verdict & { kind: 'next' } = { kind: 'next' };
      let switched = false;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const at = now();
        const id = attemptDocumentId(stateId, attempt);
        const message = buildSlackMessage(alert, {
          analyst,
          update,
          now: at,
          ...(escalateOptions.note ? { note: escalateOptions.note } : {}),
          ...(config.kibanaUrl ? { kibanaUrl: config.kibanaUrl } : {}),
          ...kibanaField(config, alert),
          ...serviceLabel(config, alert.service),
          ...(verdict.resendOf ? { resendOf: verdict.resendOf } : {}),
        });
        const record: StoredRecord = {
          id,
          escalationId: stateId,
          attempt,
          alertId: alert.id,
          rule: alert.rule,
          service: alert.service,
          key: alert.key,
          by: analyst,
          at,
          delivery: 'pending',
          update,
          failures: alert.failures,
          severity: alert.severity,
          owner,
          deadline: at + maxDeliveryMs(plan),
          updatedAt: at,
          text: message.text,
          ...(escalateOptions.note ? { note: sanitizeAndTruncate(escalateOptions.note, 2000) } : {}),
        };
        let created: 'created' | 'exists';
        let existing: StoredRecord | null;
        try {
          created = await store.create(record, signal ? { signal } : undefined);
          existing = created === 'exists' ? await existingRecord(store, id, signal) : null;
        } catch (error) {
          if (store.kind === 'cluster' && isForbidden(error)) {
            fallBack('403');
            switched = true;
            break;
          }
          const why = error instanceof ClusterError ? error.message : sanitize(String(error));
          return {
            kind: 'failed',
            at: now(),
            reason: scrub(
              `could not record the escalation in ${store.where} (${sanitizeAndTruncate(why, 200)}); not sent, so no other console can send it twice — retry`,
            ),
          };
        }
        if (created === 'created') return sendOwned(store, record, message, escalateOptions);
        // 'exists' but not a record we can judge (foreign schema): leave it, use the next id.
        if (!existing) continue;
        const next = judge(existing, now(), verdict);
        if (next.kind === 'already') return next.status;
        if (next.resendOf) verdict = next;
      }
      if (!switched) {
        return {
          kind: 'failed',
          at: now(),
          reason: `gave up after ${MAX_ATTEMPTS} attempts at this alert state`,
        };
      }
    }
  }

  return {
    configured,
    configureHint: configured ? 'Slack: configured' : NOT_CONFIGURED_HINT,
    warnings,
    escalate(alert, escalateOptions = {}) {
      const stateId = escalationStateId(alert);
      const running = inflight.get(stateId);
      if (running) return running;
      const promise = escalateOnce(alert, stateId, escalateOptions)
        .catch(
          (error: unknown): EscalationStatus => ({
            kind: 'failed',
            at: now(),
            reason: scrub(sanitizeAndTruncate(error instanceof Error ? error.message : String(error), 300)),
          }),
        )
        .finally(() => inflight.delete(stateId));
      inflight.set(stateId, promise);
      return promise;
    },
    async sync(syncOptions = {}) {
      const since = now() - SYNC_HORIZON_MS;
      if (clusterStore && clusterReadable) {
        try {
          lastClusterRecords = await clusterStore.recent(since, undefined, syncOptions.signal);
        } catch (error) {
          if (isForbidden(error)) {
            clusterReadable = false;
            warnOnce(
              'unreadable',
              `escalation index ${index} is not readable for you (403): showing local escalations only`,
            );
            lastClusterRecords = [];
          } else if (error instanceof ClusterError && error.kind === 'not-found') {
            lastClusterRecords = []; // nobody has escalated yet
          }
          // Other failures (cluster briefly down): keep showing what the last sync found.
        }
      }
      let local: StoredRecord[] = [];
      try {
        local = await fileStore.recent(since);
      } catch (error) {
        warnOnce(
          'file',
          `cannot read local audit file ${auditFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
      const latest = latestPerAlert([...lastClusterRecords, ...local, ...known.values()]);
      return new Map([...latest].map(([alertId, record]) => [alertId, toEscalationRecord(record)]));
    },
  };
}

function serviceLabel(config: Config, service: string): { serviceLabel?: string } {
  const label = config.services.find((definition) => definition.name === service)?.label;
  return label ? { serviceLabel: label } : {};
}

/** The field Discover filters on, from the service's field map (or the custom rule's groupBy). */
function kibanaField(config: Config, alert: Alert): { kibanaField?: string } {
  if (alert.rule.startsWith('custom:')) {
    const rule = config.customRules.find((custom) => `custom:${custom.name}` === alert.rule);
    return rule ? { kibanaField: rule.groupBy } : {};
  }
  const fields =
    config.services.find((definition) => definition.name === alert.service)?.fields ?? config.fields;
  if (alert.keyKind === 'ip') return { kibanaField: fields.sourceIp };
  if (alert.keyKind === 'user') return { kibanaField: fields.user };
  return {};
}

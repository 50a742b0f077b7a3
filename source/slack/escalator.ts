// One-key escalation of an alert to Slack: never lost while the console runs, never sent twice.
//
// How "never twice" holds across keypresses, retries, and analysts:
//   1. In this process, a second escalate() for the same alert state while one is in flight
//      returns the same promise.
//   2. Across processes, before anything is sent, a record is CREATED in the escalation index
//      under a deterministic id of the alert state (record.ts: escalationStateId). A create is
//      atomic in Elasticsearch/OpenSearch: of two consoles pressing `e` at the same moment,
//      one gets 'created' and sends, the other gets 409 'exists' and reports "in flight
//      elsewhere: <first> …" (or, once delivered, "already escalated by <first>") without sending.
//   3. Retries are attempts `<id>.1`, `<id>.2`, … each also claimed by create, so a retry,
//      or the takeover of a crashed sender's record, is again won by exactly one console.
//
// How "never lost" holds: only a record that proves the message is posted (delivered, recently)
// or is being posted right now (pending, its sender inside its deadline) blocks sending. A
// record is created as a short `claim` (deadline = the create's timeout) and confirmed as
// `sending` before anything is posted, so a create that lands late after a cluster hang is a
// stale claim that blocks nobody (escalation-state.ts). A failed attempt lets the next
// escalation send at once. An attempt whose outcome is unknown (Slack did not answer, or its
// sender died mid-send) may have been posted: a new one is sent only with `force` (the
// analyst said yes, or `--force`), and the message says it is a re-send — Slack webhooks have
// no idempotency key, so that is the one case where a channel can show two messages.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { LocalRead } from '../cluster/share/shared-polls.js';
import type { ClusterClient } from '../cluster/types.js';
import { ClusterError } from '../cluster/types.js';
import type { Config, Secrets } from '../config/types.js';
import { formatAge } from '../core/duration.js';
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
  type RetryProgress,
} from './delivery.js';
import { judgeAttempt, skewFor } from './escalation-state.js';
import { buildSlackMessage, type SlackMessage, utc } from './message.js';
import {
  attemptDocumentId,
  type EscalationRecord,
  escalationIndexTemplate,
  escalationStateId,
  latestPerAlert,
  parseStoredRecord,
  type StoredRecord,
  toEscalationRecord,
} from './record.js';
import { checkWebhookUrl, scrubSecret } from './webhook-url.js';

export type { EscalationRecord } from './record.js';

/**
 * The escalator's API for the console and the CLI.
 *
 * States of an escalation attempt (escalation-state.ts): pending → delivered | failed | unknown.
 *   pending    in flight: `by`, `since` (start), `deadline` (epoch ms, skew allowance included)
 *   delivered  Slack accepted it
 *   failed     proven not posted (refused, or nothing was sent): escalating again sends now
 *   unknown    Slack did not answer: it may have been posted; send again only with `force`
 *
 * - `send(alert, { force })` escalates and says exactly what happened (EscalationOutcome).
 *   Retry now: after a `failed` outcome, the process that saw it calls `send()` again (no wait:
 *   its own unconfirmed audit record never blocks it, nor anyone else once its short claim
 *   deadline has passed). After `unknown`, ask "Slack did not answer: it may have been posted.
 *   Send again? y/n" and on yes call `send(alert, { force: true })` (the message says it is a
 *   re-send). `in-flight` is another process sending now: show by/since/"deadline in Ns".
 * - `inspect(alert)` answers "what would `e` do now" without sending (same outcomes, or
 *   `none`), so the console can choose the prompt before asking.
 * - `sync()` returns the latest record per alert with its judged `state` (and `deadline` when
 *   pending); call it every poll: a pending record becomes failed/unknown once its deadline passes.
 * - `close({ graceMs })` on quit/abort: lets running sends finish for `graceMs`, then aborts
 *   them and writes each record's final state (failed if nothing left, else unknown), to the
 *   store or, failing that, the local audit file, so no record stays `pending`.
 * - `escalate()` is the older, coarser form (EscalationStatus for the detector): in-flight and
 *   unknown come back as `failed` with the explanation as reason.
 */
export interface Escalator {
  /** A webhook URL is known. */
  readonly configured: boolean;
  /** "Slack: configured", or how to configure it. Never contains the URL. */
  readonly configureHint: string;
  send(alert: Alert, options?: EscalateOptions): Promise<EscalationOutcome>;
  inspect(alert: Alert, options?: { signal?: AbortSignal }): Promise<EscalationView>;
  escalate(alert: Alert, options?: EscalateOptions): Promise<EscalationStatus>;
  /** Latest record per alertId (cluster index + local audit file + this process), last 24 h. */
  sync(options?: { signal?: AbortSignal }): Promise<ReadonlyMap<string, EscalationRecord>>;
  close(options?: { graceMs?: number }): Promise<void>;
  /** Warnings to show once (fallback to the local audit file, unreadable webhook file…). */
  readonly warnings: readonly string[];
}

export interface EscalateOptions {
  note?: string;
  signal?: AbortSignal;
  /** Called when the message is about to be posted (the audit record is confirmed). */
  onSending?: () => void;
  /** Called while the webhook delivery waits to retry (429, 5xx, unreachable). */
  onRetry?: (progress: RetryProgress) => void;
  /** Send even though an earlier attempt's outcome is unknown (it may have been posted). */
  force?: boolean;
}

export type EscalationOutcome =
  /** Posted by this call. `resend`: after an unknown attempt (the message says so). */
  | { kind: 'delivered'; at: number; by: string; update: boolean; resend: boolean }
  /** Delivered earlier (by `by` at `at`), confirmed: not sent again. */
  | { kind: 'already'; at: number; by: string }
  /** Another process is sending it now; it has until `deadline` (epoch ms). Not sent from here. */
  | { kind: 'in-flight'; by: string; since: number; deadline: number }
  /** Not posted; sending again (now) is safe. */
  | { kind: 'failed'; at: number; reason: string }
  /**
   * May have been posted. `earlier`: an earlier attempt's outcome (by `by` at `at`) blocked this
   * call, nothing was sent; otherwise this call's own request got no answer. Resend with `force`.
   */
  | { kind: 'unknown'; at: number; by: string; reason: string; earlier: boolean };

/** What `e` would do now: `none`/`failed` send at once; `unknown` asks; the others explain. */
export type EscalationView = { kind: 'none' } | Exclude<EscalationOutcome, { kind: 'delivered' }>;

export interface EscalatorOptions {
  client: ClusterClient | null;
  config: Config;
  secrets: Secrets;
  /** Default `${os.userInfo().username}@${os.hostname()}`. */
  analyst?: string;
  now?: () => number;
  /** Test seam only: replaces the webhook delivery (a rejection is a failure known not posted). */
  send?: (payload: SlackMessage) => Promise<void>;
  /** Local audit file (default: see defaultAuditFile — beside the config when SOC_WATCH_CONFIG_DIR is set). */
  auditFile?: string;
  /** Delivery tuning; tests shorten the waits. */
  delivery?: Pick<DeliveryOptions, 'lateAnswerMs' | 'backoffBaseMs' | 'backoffCapMs' | 'retryAfterCapMs'>;
  /**
   * How sync() reads the audit index: through the poller (poller.ts read), which shares the
   * read with the other consoles on this host as it shares their polls. Default: read here.
   */
  sharedRead?: <T>(name: string, local: LocalRead<T>, signal: AbortSignal) => Promise<T>;
}

/** A 'sent' record older than this is history: the same alert state may be escalated again. */
export const EPISODE_MS = 6 * 3_600_000;
/** How far back sync() looks. */
export const SYNC_HORIZON_MS = 24 * 3_600_000;
export { CLOCK_SKEW_MS } from './escalation-state.js';

/** Bound on attempts per alert state (each a failed delivery somebody chose to retry). */
const MAX_ATTEMPTS = 25;
/** Id suffixes of the copies written when a record may be created but not updated (create-only role). */
const OUTCOME_SUFFIX = '~outcome';
const SENDING_SUFFIX = '~sending';
/** On close(), how long writing the final states may take before giving up (then the local file). */
const CLOSE_WRITE_MS = 8000;

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

type ResendOf = { at: number; by: string };

/** How one existing attempt bears on a new escalation: stop with an outcome, or look further. */
type Step = { kind: 'stop'; outcome: EscalationOutcome } | { kind: 'next'; resendOf?: ResendOf };

const withTimeout = (signal: AbortSignal | undefined, ms: number): AbortSignal =>
  signal
    ? AbortSignal.any([signal, AbortSignal.timeout(Math.max(1, ms))])
    : AbortSignal.timeout(Math.max(1, ms));

const errorText = (error: unknown): string =>
  error instanceof ClusterError
    ? error.message
    : sanitize(error instanceof Error ? error.message : String(error));

/** The coarse status the detector and the current console keep (see Escalator.escalate). */
export function toEscalationStatus(outcome: EscalationOutcome, now: number): EscalationStatus {
  switch (outcome.kind) {
    case 'delivered':
      return { kind: 'sent', at: outcome.at, by: outcome.by, update: outcome.update };
    case 'already':
      return { kind: 'already', at: outcome.at, by: outcome.by };
    case 'failed':
      return { kind: 'failed', at: outcome.at, reason: outcome.reason };
    case 'in-flight':
      return { kind: 'failed', at: now, reason: describeInFlight(outcome, now) };
    case 'unknown':
      return { kind: 'failed', at: outcome.at, reason: describeUnknown(outcome) };
  }
}

/** "in flight elsewhere: alice@jump1 started 12s ago, deadline in 288s — not sent from here" */
export function describeInFlight(
  outcome: { by: string; since: number; deadline: number },
  now: number,
): string {
  const left = Math.max(0, Math.ceil((outcome.deadline - now) / 1000));
  return `in flight elsewhere: ${sanitize(outcome.by)} started ${formatAge(Math.max(0, now - outcome.since))}, deadline in ${left}s — not sent from here`;
}

export function describeUnknown(outcome: {
  at: number;
  by: string;
  reason: string;
  earlier: boolean;
}): string {
  return outcome.earlier
    ? `an earlier attempt by ${sanitize(outcome.by)} at ${utc(outcome.at)} may have been posted (${sanitize(outcome.reason)}); not sent again — check the channel, then send again explicitly`
    : `Slack did not answer: it may have been posted (${sanitize(outcome.reason)})`;
}

export function createEscalator(options: EscalatorOptions): Escalator {
  const { client, config } = options;
  const now = options.now ?? Date.now;
  const analyst = sanitizeAndTruncate(options.analyst ?? defaultAnalyst(), 200);
  const host = os.hostname();
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
  /**
   * A claim's deadline: the longest its create may take (the cluster request timeout). A create
   * answered later is not acted on, so a claim past it is known to have sent nothing.
   */
  const claimMs = Math.max(1, config.requestTimeoutMs);

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
  /** Attempt ids whose delivery runs in this process now. */
  const running = new Set<string>();
  const inflight = new Map<string, Promise<EscalationOutcome>>();
  const inflightStatus = new Map<string, Promise<EscalationStatus>>();
  /** Outcome writes not awaited by send() (the cluster may hang): close() waits for them. */
  const writes = new Set<Promise<void>>();
  /** Aborted by close(): running deliveries stop, their records get final states. */
  const closing = new AbortController();
  let lastClusterRecords: StoredRecord[] = [];
  let template: Promise<void> | undefined;

  const observer = () => ({ now: now(), owner, host, running });

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

  /** This process's newer copy of a record, if it has one. */
  const freshest = (existing: StoredRecord): StoredRecord => {
    const mine = known.get(existing.id);
    return mine && mine.updatedAt >= existing.updatedAt ? mine : existing;
  };

  /** Existing record of an attempt, with its copies when the original could not be updated. */
  async function existingRecord(store: AuditStore, id: string, signal?: AbortSignal) {
    const record = await store.get(id, signal);
    if (record?.delivery !== 'pending' || store.kind !== 'cluster') return record;
    return (
      (await store.get(`${id}${OUTCOME_SUFFIX}`, signal)) ??
      (await store.get(`${id}${SENDING_SUFFIX}`, signal)) ??
      record
    );
  }

  /**
   * What attempt `attempt` (existing) means for a new escalation of its state. Blocking states
   * (in flight, unknown) block only while they are the latest attempt: a later attempt exists
   * only because someone already moved past them.
   */
  async function step(
    store: AuditStore,
    stateId: string,
    attempt: number,
    existing: StoredRecord,
    resendOf: ResendOf | undefined,
    force: boolean,
    signal?: AbortSignal,
  ): Promise<Step> {
    const record = freshest(existing);
    const judged = judgeAttempt(record, observer());
    const later = async () =>
      (await existingRecord(store, attemptDocumentId(stateId, attempt + 1), signal)) !== null;
    switch (judged.state) {
      case 'delivered': {
        const sentAt = record.sentAt ?? record.at;
        if (now() - sentAt <= EPISODE_MS)
          return { kind: 'stop', outcome: { kind: 'already', at: sentAt, by: record.by } };
        return { kind: 'next' }; // history: the same state may be escalated again
      }
      case 'failed':
        return { kind: 'next', ...(resendOf ? { resendOf } : {}) };
      case 'pending':
        if (await later()) return { kind: 'next', ...(resendOf ? { resendOf } : {}) };
        return {
          kind: 'stop',
          outcome: {
            kind: 'in-flight',
            by: record.by,
            since: record.at,
            deadline: record.deadline + skewFor(record, { host }),
          },
        };
      case 'unknown':
        if (await later()) return { kind: 'next', resendOf: { at: record.at, by: record.by } };
        if (force) return { kind: 'next', resendOf: { at: record.at, by: record.by } };
        return {
          kind: 'stop',
          outcome: {
            kind: 'unknown',
            at: record.at,
            by: record.by,
            reason: judged.reason ?? 'no answer from Slack',
            earlier: true,
          },
        };
    }
  }

  /** Walk the attempts of a state without writing: what a new escalation would meet. */
  async function look(
    store: AuditStore,
    stateId: string,
    force: boolean,
    signal?: AbortSignal,
  ): Promise<{ outcome?: EscalationOutcome; last?: StoredRecord }> {
    let resendOf: ResendOf | undefined;
    let last: StoredRecord | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const existing = await existingRecord(store, attemptDocumentId(stateId, attempt), signal);
      if (!existing) return last ? { last } : {};
      last = freshest(existing);
      const next = await step(store, stateId, attempt, existing, resendOf, force, signal);
      if (next.kind === 'stop') return { outcome: next.outcome };
      resendOf = next.resendOf;
    }
    return {};
  }

  /** Read-only look at the cluster for a state this analyst cannot write there. */
  async function peekCluster(stateId: string, force: boolean, signal?: AbortSignal) {
    if (!clusterStore || !clusterReadable) return undefined;
    try {
      return (await look(clusterStore, stateId, force, signal)).outcome;
    } catch {
      return undefined; // not readable either: the local file is all there is
    }
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

  async function deliverMessage(
    message: SlackMessage,
    signal?: AbortSignal,
    onRetry?: (progress: RetryProgress) => void,
  ): Promise<DeliveryResult> {
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
      ...(onRetry ? { onRetry } : {}),
    });
  }

  /** Store a final state; it must not be lost, or other consoles would wait for the deadline. */
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
        await store.update(final.id, partial, AbortSignal.timeout(closing.signal.aborted ? 3000 : 5000));
        return;
      } catch (error) {
        lastError = error;
        // Quitting: one try, then the local file, so the process can exit in bounded time.
        if (isForbidden(error) || closing.signal.aborted) break;
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

  /** Run a write close() must wait for, without making the caller wait. */
  const background = (write: Promise<void>) => {
    const tracked = write.catch(() => undefined);
    writes.add(tracked);
    void tracked.finally(() => writes.delete(tracked));
  };

  /**
   * Turn our claim into "sending" before anything is posted, within the claim's deadline. A
   * confirmation answered after the deadline is not acted on: by then another process may have
   * judged the claim abandoned and taken over.
   */
  async function confirmSending(
    store: AuditStore,
    claim: StoredRecord,
    signal?: AbortSignal,
  ): Promise<{ ok: true; record: StoredRecord } | { ok: false; why: string }> {
    const left = claim.deadline - now();
    if (left <= 0) return { ok: false, why: 'the audit record was acknowledged after its deadline' };
    const at = now();
    const sending: StoredRecord = {
      ...claim,
      phase: 'sending',
      deadline: at + maxDeliveryMs(plan),
      updatedAt: at,
    };
    const partial = { phase: sending.phase, deadline: sending.deadline, updatedAt: at };
    try {
      await store.update(claim.id, partial, withTimeout(signal, left));
    } catch (error) {
      if (!isForbidden(error)) return { ok: false, why: errorText(error) };
      try {
        await store.create(sending, {
          docId: `${claim.id}${SENDING_SUFFIX}`,
          signal: withTimeout(signal, claim.deadline - now()),
        });
      } catch (copyError) {
        return { ok: false, why: errorText(copyError) };
      }
    }
    if (now() > claim.deadline)
      return { ok: false, why: 'the audit record was confirmed after its deadline' };
    return { ok: true, record: sending };
  }

  async function sendOwned(
    store: AuditStore,
    record: StoredRecord,
    message: SlackMessage,
    escalateOptions: EscalateOptions,
    resend: boolean,
  ): Promise<EscalationOutcome> {
    known.set(record.id, record);
    escalateOptions.onSending?.();
    const signal = escalateOptions.signal
      ? AbortSignal.any([escalateOptions.signal, closing.signal])
      : closing.signal;
    const result = await deliverMessage(message, signal, escalateOptions.onRetry);
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
    if (result.ok) return { kind: 'delivered', at: finishedAt, by: analyst, update: record.update, resend };
    const reason = final.reason ?? 'failed';
    return result.unknown
      ? { kind: 'unknown', at: record.at, by: analyst, reason, earlier: false }
      : { kind: 'failed', at: finishedAt, reason };
  }

  async function escalateOnce(
    alert: Alert,
    stateId: string,
    escalateOptions: EscalateOptions,
  ): Promise<EscalationOutcome> {
    const { signal } = escalateOptions;
    const force = escalateOptions.force === true;
    if (!configured) return { kind: 'failed', at: now(), reason: NOT_CONFIGURED_HINT };
    if (closing.signal.aborted) return { kind: 'failed', at: now(), reason: 'quitting: not sent' };
    if (url !== undefined && !options.send) {
      const check = checkWebhookUrl(url);
      if (!check.ok) return { kind: 'failed', at: now(), reason: `Slack: ${check.reason}` };
    }
    if (clusterWritable) await ensureTemplate();
    for (;;) {
      const store: AuditStore = clusterWritable && clusterStore ? clusterStore : fileStore;
      let resendOf: ResendOf | undefined;
      if (store.kind === 'file') {
        const elsewhere = await peekCluster(stateId, force, signal);
        if (elsewhere) return elsewhere;
      }
      const update = await isUpdate(alert, stateId, store, signal);
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
          ...(resendOf ? { resendOf } : {}),
        });
        const claim: StoredRecord = {
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
          phase: 'claim',
          host,
          update,
          failures: alert.failures,
          severity: alert.severity,
          owner,
          deadline: at + claimMs,
          updatedAt: at,
          text: message.text,
          ...(escalateOptions.note ? { note: sanitizeAndTruncate(escalateOptions.note, 2000) } : {}),
        };
        let created: 'created' | 'exists';
        try {
          created = await store.create(claim, { signal: withTimeout(signal, claimMs) });
        } catch (error) {
          if (store.kind === 'cluster' && isForbidden(error)) {
            fallBack('403');
            switched = true;
            break;
          }
          // The create may still land (a hung cluster resumes): as a claim past its deadline
          // it blocks nobody, and this process knows it sent nothing.
          const reason = scrub(
            `could not record the escalation in ${store.where} (${sanitizeAndTruncate(errorText(error), 200)}); not sent, so no other console can send it twice — escalate again to retry`,
          );
          known.set(id, { ...claim, delivery: 'failed', reason, updatedAt: now() });
          return { kind: 'failed', at: now(), reason };
        }
        if (created === 'created') {
          running.add(id);
          try {
            known.set(id, claim);
            const confirmed = await confirmSending(store, claim, signal);
            if (!confirmed.ok) {
              const reason = scrub(
                `could not record the escalation in ${store.where} (${sanitizeAndTruncate(confirmed.why, 200)}); not sent — escalate again to retry`,
              );
              const failed: StoredRecord = {
                ...claim,
                delivery: 'failed',
                reason,
                deadline: now() + maxDeliveryMs(plan),
                updatedAt: now(),
              };
              known.set(id, failed);
              // A confirmation that lands late would say "sending": overwrite it with the truth.
              background(recordOutcome(store, failed));
              return { kind: 'failed', at: now(), reason };
            }
            return await sendOwned(store, confirmed.record, message, escalateOptions, resendOf !== undefined);
          } finally {
            running.delete(id);
          }
        }
        const existing = await existingRecord(store, id, signal);
        // 'exists' but not a record we can judge (foreign schema): leave it, use the next id.
        if (!existing) continue;
        const next = await step(store, stateId, attempt, existing, resendOf, force, signal);
        if (next.kind === 'stop') return next.outcome;
        resendOf = next.resendOf;
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

  const send = (alert: Alert, escalateOptions: EscalateOptions = {}): Promise<EscalationOutcome> => {
    const stateId = escalationStateId(alert);
    const existing = inflight.get(stateId);
    if (existing) return existing;
    const promise = escalateOnce(alert, stateId, escalateOptions)
      .catch(
        (error: unknown): EscalationOutcome => ({
          kind: 'failed',
          at: now(),
          reason: scrub(sanitizeAndTruncate(error instanceof Error ? error.message : String(error), 300)),
        }),
      )
      .finally(() => inflight.delete(stateId));
    inflight.set(stateId, promise);
    return promise;
  };

  return {
    configured,
    configureHint: configured ? 'Slack: configured' : NOT_CONFIGURED_HINT,
    warnings,
    send,
    escalate(alert, escalateOptions = {}) {
      const stateId = escalationStateId(alert);
      const existing = inflightStatus.get(stateId);
      if (existing) return existing;
      const promise = send(alert, escalateOptions)
        .then((outcome) => toEscalationStatus(outcome, now()))
        .finally(() => inflightStatus.delete(stateId));
      inflightStatus.set(stateId, promise);
      return promise;
    },
    async inspect(alert, inspectOptions = {}) {
      const stateId = escalationStateId(alert);
      const { signal } = inspectOptions;
      const store: AuditStore = clusterWritable && clusterStore ? clusterStore : fileStore;
      if (store.kind === 'file') {
        const elsewhere = await peekCluster(stateId, false, signal);
        if (elsewhere && elsewhere.kind !== 'delivered') return elsewhere;
      }
      const { outcome, last } = await look(store, stateId, false, signal);
      if (outcome && outcome.kind !== 'delivered') return outcome;
      if (last && judgeAttempt(last, observer()).state === 'failed') {
        return { kind: 'failed', at: last.updatedAt, reason: last.reason ?? 'not delivered' };
      }
      return { kind: 'none' };
    },
    async sync(syncOptions = {}) {
      const since = now() - SYNC_HORIZON_MS;
      if (clusterStore && clusterReadable) {
        try {
          const read: LocalRead<StoredRecord[]> = (at) =>
            clusterStore.recent(at.now - SYNC_HORIZON_MS, undefined, at.signal);
          lastClusterRecords = options.sharedRead
            ? sharedRecords(
                await options.sharedRead(`escalations:${index}`, read, syncOptions.signal ?? neverAborted),
              )
            : await clusterStore.recent(since, undefined, syncOptions.signal);
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
      const seen = observer();
      return new Map(
        [...latest].map(([alertId, stored]) => {
          const record = freshest(stored);
          const judged = judgeAttempt(record, seen);
          const view: EscalationRecord = { ...toEscalationRecord(record), state: judged.state };
          if (judged.state === 'pending') {
            view.deadline = record.deadline + skewFor(record, { host });
          } else if (record.delivery === 'pending') {
            // Abandoned: what it is now, in the stored vocabulary too (older readers check `delivery`).
            view.delivery = 'failed';
            view.deliveryUnknown = judged.state === 'unknown';
            delete view.deadline;
            if (judged.reason) view.reason = judged.reason;
          }
          return [alertId, view] as const;
        }),
      );
    },
    async close(closeOptions = {}) {
      const graceMs = Math.max(0, closeOptions.graceMs ?? 0);
      const settle = (ms: number) =>
        Promise.race([
          Promise.allSettled([...inflight.values(), ...writes]),
          new Promise((resolve) => setTimeout(resolve, ms).unref()),
        ]);
      if (graceMs > 0 && inflight.size > 0) await settle(graceMs);
      // Abort what still runs: a delivery aborted before its request went out is `failed`,
      // one whose request may have arrived is `unknown`; each is written as it resolves.
      closing.abort();
      await settle(CLOSE_WRITE_MS);
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

const neverAborted = new AbortController().signal;

/** Records another console on this host read for this one: checked as if read here. */
function sharedRecords(value: unknown): StoredRecord[] {
  if (!Array.isArray(value)) throw new Error('escalation records shared by another console: not a list');
  return value.map(parseStoredRecord).filter((record): record is StoredRecord => record !== undefined);
}

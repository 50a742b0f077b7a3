// Posting one message to the incoming webhook with @slack/webhook, under our retry policy.
//
// @slack/webhook 8 posts with `fetch` and p-retry; its own policy retries every network error
// and timeout (which could post twice) and fails 429 at once without exposing `Retry-After`.
// So the library is used for one attempt at a time (`retryConfig: { retries: 0 }`, no library
// timeout), with a fetch wrapper that adds our abort signal and reads `Retry-After`, and the
// loop below applies retry-policy.ts.
//
// Timeouts: after `timeoutMs` without an answer an attempt is "timed out", but the request is
// not abandoned yet. Aborting cannot un-send it, and a late answer is the only way to learn
// whether Slack posted it, so we keep listening for `lateAnswerMs` more: a late 2xx means sent
// (no second request), a late 429/5xx proves it was not posted (retried), silence means
// "unknown" (not retried automatically — see retry-policy.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type FetchFunction,
  IncomingWebhook,
  IncomingWebhookHTTPError,
  type IncomingWebhookSendArguments,
} from '@slack/webhook';
import { sanitizeAndTruncate } from '../core/sanitize.js';
import {
  type AttemptOutcome,
  classifyFetchError,
  DEFAULT_BACKOFF_BASE_MS,
  DEFAULT_BACKOFF_CAP_MS,
  DEFAULT_RETRY_AFTER_CAP_MS,
  decide,
  parseRetryAfter,
  type RetryPolicy,
} from './retry-policy.js';
import { checkWebhookUrl, scrubSecret } from './webhook-url.js';

export interface DeliveryOptions {
  timeoutMs: number;
  /** Extra time to wait for a late answer after `timeoutMs` (default 2 × timeoutMs). */
  lateAnswerMs?: number;
  retries: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  retryAfterCapMs?: number;
  signal?: AbortSignal;
  /** Called before each attempt (1-based), e.g. to log "retrying". */
  onAttempt?: (attempt: number) => void;
  /** Called when an attempt failed and another follows after `delayMs` (the console shows it). */
  onRetry?: (progress: RetryProgress) => void;
  random?: () => number;
}

/** A retry about to happen: `attempt` is the retry's number (1..max), `reason` is short. */
export interface RetryProgress {
  attempt: number;
  max: number;
  /** "rate-limited", "Slack 500", "Slack unreachable (ECONNREFUSED)". */
  reason: string;
  delayMs: number;
  /** Slack's own Retry-After set the delay (429). */
  retryAfter: boolean;
}

export type DeliveryResult =
  | { ok: true; attempts: number }
  /** `unknown`: the message may have been posted (no answer); never resend without the analyst. */
  | { ok: false; attempts: number; reason: string; unknown: boolean };

export interface DeliveryPlan {
  policy: RetryPolicy;
  timeoutMs: number;
  lateAnswerMs: number;
}

export function deliveryPlan(options: DeliveryOptions): DeliveryPlan {
  const timeoutMs = Math.max(1, options.timeoutMs);
  return {
    timeoutMs,
    lateAnswerMs: Math.max(0, options.lateAnswerMs ?? 2 * timeoutMs),
    policy: {
      retries: Math.max(0, Math.floor(options.retries)),
      backoffBaseMs: options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS,
      backoffCapMs: options.backoffCapMs ?? DEFAULT_BACKOFF_CAP_MS,
      retryAfterCapMs: options.retryAfterCapMs ?? DEFAULT_RETRY_AFTER_CAP_MS,
    },
  };
}

/**
 * Upper bound of a whole delivery (all attempts, waits and grace periods). Written into the
 * pending audit record as its deadline: after it, other consoles may treat the record as
 * abandoned by a crashed sender.
 */
export function maxDeliveryMs(plan: DeliveryPlan): number {
  const attempts = plan.policy.retries + 1;
  const longestWait = Math.max(plan.policy.backoffCapMs * 1.2, plan.policy.retryAfterCapMs);
  return attempts * (plan.timeoutMs + plan.lateAnswerMs) + plan.policy.retries * longestWait;
}

async function attemptOnce(
  url: string,
  payload: IncomingWebhookSendArguments,
  plan: DeliveryPlan,
  signal: AbortSignal | undefined,
): Promise<AttemptOutcome> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), plan.timeoutMs + plan.lateAnswerMs);
  const attemptSignal = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
  let retryAfter: string | null = null;
  let status: number | undefined;
  const fetchWithSignal: FetchFunction = async (target, init) => {
    const response = await fetch(target, { ...init, signal: attemptSignal });
    status = response.status;
    retryAfter = response.headers.get('retry-after');
    return response;
  };
  const webhook = new IncomingWebhook(url, {
    fetch: fetchWithSignal,
    timeout: 0,
    retryConfig: { retries: 0 },
  });
  const started = Date.now();
  try {
    await webhook.send(payload);
    return { kind: 'ok' };
  } catch (error) {
    if (error instanceof IncomingWebhookHTTPError) {
      const retryAfterMs = parseRetryAfter(retryAfter, Date.now());
      return {
        kind: 'http',
        status: error.statusCode,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        body: sanitizeAndTruncate(scrubSecret(String(error.body ?? ''), url), 120),
      };
    }
    // A 2xx status arrived and only its body was cut off: Slack posted it.
    if (status !== undefined && status >= 200 && status < 300) return { kind: 'ok' };
    if (signal?.aborted) return { kind: 'aborted' };
    if (deadline.signal.aborted) return { kind: 'no-answer', waitedMs: Date.now() - started };
    return classifyFetchError(error);
  } finally {
    clearTimeout(timer);
  }
}

type Block = NonNullable<IncomingWebhookSendArguments['blocks']>[number];

const isBlock = (value: unknown): value is Block =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';

/** Deliver a message (from message.ts); never throws, never lets the URL into a reason. */
export async function deliver(
  url: string,
  message: { text: string; blocks: readonly unknown[] },
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const payload: IncomingWebhookSendArguments = {
    text: message.text,
    blocks: message.blocks.filter(isBlock),
  };
  const check = checkWebhookUrl(url);
  if (!check.ok) return { ok: false, attempts: 0, reason: check.reason, unknown: false };
  const plan = deliveryPlan(options);
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) {
      return { ok: false, attempts: attempt - 1, reason: 'cancelled before sending', unknown: false };
    }
    options.onAttempt?.(attempt);
    const outcome = await attemptOnce(check.url.href, payload, plan, options.signal);
    const decision = decide(outcome, attempt, plan.policy, options.random);
    if (decision.action === 'done') return { ok: true, attempts: attempt };
    if (decision.action === 'fail') {
      return {
        ok: false,
        attempts: attempt,
        reason: scrubSecret(decision.reason, url),
        unknown: decision.unknown,
      };
    }
    options.onRetry?.({
      attempt,
      max: plan.policy.retries,
      reason: shortReason(outcome),
      delayMs: decision.waitMs,
      retryAfter: outcome.kind === 'http' && outcome.retryAfterMs !== undefined,
    });
    try {
      await sleep(decision.waitMs, undefined, options.signal ? { signal: options.signal } : undefined);
    } catch {
      // Aborted between attempts: the last attempt proved it was not posted.
      return {
        ok: false,
        attempts: attempt,
        reason: scrubSecret(`cancelled while waiting to retry (${decision.reason}); not posted`, url),
        unknown: false,
      };
    }
  }
}

/** The few words a feed cell has room for; the full reason goes to the audit record. */
function shortReason(outcome: AttemptOutcome): string {
  if (outcome.kind === 'http') return outcome.status === 429 ? 'rate-limited' : `Slack ${outcome.status}`;
  if (outcome.kind === 'not-sent') return `Slack unreachable (${outcome.code})`;
  return 'Slack error';
}

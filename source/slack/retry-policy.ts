// When is it safe to send a Slack message again? Pure decisions over one attempt's outcome.
//
// Slack incoming webhooks have no idempotency key: a request that reached Slack is posted,
// whatever happens to the answer. So "never sent twice" means: retry automatically ONLY when
// the outcome proves the message was not posted —
//   - the connection was never made (refused, DNS, unreachable, connect timeout),
//   - Slack answered 429 (rate limited: not posted) or 5xx / 408 (not processed),
// and never when the request may have been processed and only the answer is missing
// (a response timeout, a connection reset mid-request). For those the delivery is
// "unknown": the sender waits a grace period for a late answer (see delivery.ts), and if
// none comes, the attempt fails as "unknown" and only an explicit analyst retry resends
// (the resent message says it may be a duplicate).

export type AttemptOutcome =
  | { kind: 'ok' }
  /** Slack answered with a non-2xx status. */
  | { kind: 'http'; status: number; retryAfterMs?: number; body: string }
  /** The request never left: connection refused, DNS, unreachable, connect timeout. */
  | { kind: 'not-sent'; code: string }
  /** TLS / redirect / bad URL: not posted, and sending again cannot help. */
  | { kind: 'refused'; reason: string }
  /** No answer within timeout + grace: it may have been posted. */
  | { kind: 'no-answer'; waitedMs: number }
  /** Connection broke after the request was (possibly) written: it may have been posted. */
  | { kind: 'broken'; code: string }
  /** Our caller aborted (console quit) while the request was in flight. */
  | { kind: 'aborted' };

export type Decision =
  | { action: 'done' }
  | { action: 'retry'; waitMs: number; reason: string }
  /** `unknown`: the message may have been posted; an automatic resend could duplicate it. */
  | { action: 'fail'; reason: string; unknown: boolean };

export interface RetryPolicy {
  /** Retries after the first attempt (config.slack.retries). */
  retries: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** Longest `Retry-After` we wait for; beyond it the escalation fails (not posted). */
  retryAfterCapMs: number;
}

export const DEFAULT_BACKOFF_BASE_MS = 500;
export const DEFAULT_BACKOFF_CAP_MS = 8000;
/** One minute: Slack's webhook limit is about one message per second, so real waits are short. */
export const DEFAULT_RETRY_AFTER_CAP_MS = 60_000;

/** Error codes proving the request never reached the server. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Error codes of a connection that broke after it was established: delivery unknown. */
const BROKEN_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Classify the error a fetch attempt threw (undici: `TypeError('fetch failed', {cause})`). */
export function classifyFetchError(error: unknown): AttemptOutcome {
  const chain: unknown[] = [];
  for (let current: unknown = error; current && chain.length < 6; ) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause ?? (current as { original?: unknown }).original;
  }
  for (const item of chain) {
    const code = (item as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (NOT_SENT_CODES.has(code)) return { kind: 'not-sent', code };
    if (BROKEN_CODES.has(code)) return { kind: 'broken', code };
    if (
      code.startsWith('CERT_') ||
      code.startsWith('ERR_TLS_') ||
      code.includes('CERT') ||
      code.includes('SSL')
    ) {
      return { kind: 'refused', reason: `TLS error talking to Slack (${code})` };
    }
  }
  const messages = chain.map((item) => (item instanceof Error ? item.message : '')).join(' ');
  if (/redirect/i.test(messages))
    return { kind: 'refused', reason: 'the webhook URL answered with a redirect' };
  if (/invalid url|failed to parse url/i.test(messages)) {
    return { kind: 'refused', reason: 'the Slack webhook URL is not a valid URL' };
  }
  // Unclassified: we cannot prove the request did not arrive, so it is not retried.
  return { kind: 'broken', code: 'unknown network error' };
}

/** `Retry-After`: delta-seconds or an HTTP date. Undefined when absent or unparseable. */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return undefined;
}

/** Exponential backoff with ±20% jitter (two consoles retrying together do not stay in step). */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exact = Math.min(policy.backoffCapMs, policy.backoffBaseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(exact * (0.8 + 0.4 * random()));
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

/**
 * Decide after attempt number `attempt` (1-based). A retryable outcome on the last allowed
 * attempt fails as not posted (`unknown: false`): every attempt proved it did not arrive.
 */
export function decide(
  outcome: AttemptOutcome,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): Decision {
  const canRetry = attempt <= policy.retries;
  const retryOrFail = (reason: string, waitMs: number): Decision =>
    canRetry
      ? { action: 'retry', waitMs, reason }
      : { action: 'fail', reason: `${reason} (gave up after ${attempt} attempts)`, unknown: false };
  switch (outcome.kind) {
    case 'ok':
      return { action: 'done' };
    case 'not-sent':
      return retryOrFail(`Slack unreachable (${outcome.code})`, backoffMs(attempt, policy, random));
    case 'refused':
      return { action: 'fail', reason: outcome.reason, unknown: false };
    case 'no-answer':
      return {
        action: 'fail',
        reason: `no answer from Slack within ${seconds(outcome.waitedMs)}: it may or may not have been posted — check the channel before retrying`,
        unknown: true,
      };
    case 'broken':
      return {
        action: 'fail',
        reason: `connection to Slack broke before an answer (${outcome.code}): it may or may not have been posted — check the channel before retrying`,
        unknown: true,
      };
    case 'aborted':
      return {
        action: 'fail',
        reason: 'cancelled while waiting for Slack: it may or may not have been posted',
        unknown: true,
      };
    case 'http': {
      const { status } = outcome;
      if (status >= 200 && status < 300) return { action: 'done' };
      if (status === 429) {
        const wait = outcome.retryAfterMs;
        if (wait !== undefined && wait > policy.retryAfterCapMs) {
          return {
            action: 'fail',
            reason: `Slack rate limit: asked to wait ${seconds(wait)} (more than ${seconds(policy.retryAfterCapMs)}); not posted`,
            unknown: false,
          };
        }
        return retryOrFail('Slack rate limit (HTTP 429)', wait ?? backoffMs(attempt, policy, random));
      }
      if (status >= 500 || status === 408) {
        return retryOrFail(`Slack error HTTP ${status}`, backoffMs(attempt, policy, random));
      }
      // 4xx: the request is wrong (invalid_blocks, no_service, channel_is_archived…); resending cannot help.
      const body = outcome.body ? `: ${outcome.body}` : '';
      return { action: 'fail', reason: `Slack rejected the message (HTTP ${status}${body})`, unknown: false };
    }
  }
}

// Delivery against a local HTTP stand-in for the Slack webhook: retries, Retry-After, the
// timeout rules that keep "never twice", and the webhook URL never leaking into a reason.
import { describe, expect, it } from 'vitest';
import { type DeliveryOptions, deliver, type RetryProgress } from '../../source/slack/delivery.js';
import { buildSlackMessage } from '../../source/slack/message.js';
import { refusedPort, setUpSlackStandIn } from '../support/slack-stand-in.js';
import { T0, testAlert } from './support/alert.js';

const message = buildSlackMessage(testAlert(), { analyst: 'alice@jump1', update: false, now: T0 });
const FAST: DeliveryOptions = {
  timeoutMs: 300,
  lateAnswerMs: 600,
  retries: 3,
  backoffBaseMs: 20,
  backoffCapMs: 100,
};

const { slack } = setUpSlackStandIn();

function expectNoSecret(text: string) {
  expect(text).not.toContain(slack.secretPath);
  expect(text).not.toContain(slack.url);
  expect(text).not.toContain(slack.secretPath.split('/').pop()!);
}

describe('deliver', () => {
  it('posts the Block Kit payload as JSON once', async () => {
    const result = await deliver(slack.url, message, FAST);
    expect(result).toEqual({ ok: true, attempts: 1 });
    expect(slack.requests).toHaveLength(1);
    const [request] = slack.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(slack.secretPath);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.json).toEqual({ text: message.text, blocks: message.blocks });
  });

  it('retries 5xx with backoff until Slack accepts', async () => {
    slack.script = (request) => (request.n <= 2 ? { status: 500, body: 'internal_error' } : { status: 200 });
    const result = await deliver(slack.url, message, FAST);
    expect(result).toEqual({ ok: true, attempts: 3 });
    expect(slack.requests).toHaveLength(3);
  });

  it('gives up after the configured retries, as not posted', async () => {
    slack.script = () => ({ status: 503, body: 'service_unavailable' });
    const result = await deliver(slack.url, message, { ...FAST, retries: 2 });
    expect(result).toMatchObject({ ok: false, attempts: 3, unknown: false });
    expect(slack.requests).toHaveLength(3);
    if (!result.ok) {
      expect(result.reason).toContain('HTTP 503');
      expectNoSecret(result.reason);
    }
  });

  it('waits for Retry-After on 429 before the next attempt', async () => {
    slack.script = (request) =>
      request.n === 1
        ? { status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } }
        : { status: 200 };
    const result = await deliver(slack.url, message, FAST);
    expect(result).toEqual({ ok: true, attempts: 2 });
    expect(slack.requests).toHaveLength(2);
    // Lower bound only (no flaky upper bound): the second request came at least ~1 s later.
    expect(slack.requests[1]!.at - slack.requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('fails at once when Retry-After is beyond the cap (not posted, analyst may retry)', async () => {
    slack.script = () => ({ status: 429, headers: { 'retry-after': '3600' } });
    const result = await deliver(slack.url, message, FAST);
    expect(result).toMatchObject({ ok: false, attempts: 1, unknown: false });
    expect(slack.requests).toHaveLength(1);
  });

  it('does not retry a 4xx rejection and reports Slack’s reason', async () => {
    slack.script = () => ({ status: 400, body: `invalid_blocks ${slack.secretPath}` });
    const result = await deliver(slack.url, message, FAST);
    expect(slack.requests).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, unknown: false });
    if (!result.ok) {
      expect(result.reason).toContain('invalid_blocks');
      expectNoSecret(result.reason);
    }
  });

  it('a late answer after the timeout counts: sent once, never re-sent', async () => {
    slack.script = (request) => (request.n === 1 ? { status: 200, delayMs: 500 } : { status: 200 });
    const result = await deliver(slack.url, message, FAST);
    expect(result).toEqual({ ok: true, attempts: 1 });
    expect(slack.requests).toHaveLength(1);
  });

  it('a late 500 after the timeout proves it was not posted: retried', async () => {
    slack.script = (request) => (request.n === 1 ? { status: 500, delayMs: 450 } : { status: 200 });
    const result = await deliver(slack.url, message, FAST);
    expect(result).toEqual({ ok: true, attempts: 2 });
    expect(slack.requests).toHaveLength(2);
  });

  it('no answer at all: delivery unknown, not re-sent automatically', async () => {
    slack.script = () => 'hang';
    const result = await deliver(slack.url, message, { ...FAST, lateAnswerMs: 300 });
    expect(slack.requests).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, attempts: 1, unknown: true });
    if (!result.ok) {
      expect(result.reason).toMatch(
        /no answer from Slack within [\d.]+s: it may or may not have been posted/,
      );
      expectNoSecret(result.reason);
    }
  });

  it('a connection dropped after the request arrived: delivery unknown, not re-sent', async () => {
    slack.script = () => 'drop';
    const result = await deliver(slack.url, message, FAST);
    expect(slack.requests).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, unknown: true });
  });

  it('connection refused proves nothing was sent: retried, then reported without the URL', async () => {
    const port = await refusedPort();
    const url = `http://127.0.0.1:${port}/services/T0/B0/refusedSECRETtoken`;
    let attempts = 0;
    const result = await deliver(url, message, { ...FAST, retries: 2, onAttempt: () => attempts++ });
    expect(attempts).toBe(3);
    expect(result).toMatchObject({ ok: false, attempts: 3, unknown: false });
    if (!result.ok) {
      expect(result.reason).toContain('ECONNREFUSED');
      expect(result.reason).not.toContain('refusedSECRETtoken');
    }
  });

  it('refuses plain http to another machine without sending', async () => {
    const result = await deliver('http://hooks.example.invalid/services/T/B/SECRETtoken', message, FAST);
    expect(result).toMatchObject({ ok: false, attempts: 0 });
    expect(JSON.stringify(result)).not.toContain('SECRETtoken');
  });

  it('stops when the caller aborts between attempts', async () => {
    const controller = new AbortController();
    // Abort well inside the ≥ 4 s backoff, counted from when the 500 went out (not from the
    // attempt's start: on a loaded machine the request may not have arrived 100 ms later).
    slack.script = () => {
      setTimeout(() => controller.abort(), 1000);
      return { status: 500 };
    };
    const result = await deliver(slack.url, message, {
      ...FAST,
      backoffBaseMs: 5000,
      backoffCapMs: 5000,
      signal: controller.signal,
    });
    expect(slack.requests).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, unknown: false });
  });

  it('reports each retry (reason, number, wait) to onRetry, and nothing when the first try succeeds', async () => {
    slack.script = (request) =>
      request.n === 1
        ? { status: 429, body: 'rate_limited', headers: { 'retry-after': '0' } }
        : request.n === 2
          ? { status: 500, body: 'internal_error' }
          : { status: 200 };
    const seen: RetryProgress[] = [];
    const result = await deliver(slack.url, message, { ...FAST, onRetry: (progress) => seen.push(progress) });
    expect(result).toEqual({ ok: true, attempts: 3 });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toEqual({ attempt: 1, max: 3, reason: 'rate-limited', delayMs: 0, retryAfter: true });
    expect(seen[1]).toMatchObject({ attempt: 2, max: 3, reason: 'Slack 500', retryAfter: false });
    expect(seen[1]!.delayMs).toBeGreaterThan(0);

    slack.script = () => ({ status: 200 });
    const quiet: RetryProgress[] = [];
    await deliver(slack.url, message, { ...FAST, onRetry: (progress) => quiet.push(progress) });
    expect(quiet).toEqual([]);
  });
});

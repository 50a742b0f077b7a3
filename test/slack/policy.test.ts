import { describe, expect, it } from 'vitest';
import { findAlert, parseEscalateSpec } from '../../source/commands/escalate.js';
import {
  attemptDocumentId,
  escalationStateId,
  latestPerAlert,
  magnitude,
  parseStoredRecord,
  type StoredRecord,
} from '../../source/slack/record.js';
import {
  classifyFetchError,
  decide,
  parseRetryAfter,
  type RetryPolicy,
} from '../../source/slack/retry-policy.js';
import { checkWebhookUrl, scrubSecret } from '../../source/slack/webhook-url.js';
import { T0, testAlert } from './support/alert.js';

const POLICY: RetryPolicy = { retries: 3, backoffBaseMs: 500, backoffCapMs: 8000, retryAfterCapMs: 60_000 };
const half = () => 0.5;

describe('escalation state id', () => {
  it('is the same for the same state, whatever the console clock says', () => {
    const a = testAlert({ firstSeen: T0, lastSeen: T0 + 1000, failures: 50 });
    const b = testAlert({ firstSeen: T0 + 60_000, lastSeen: T0 + 90_000, failures: 73, peakRate: 99 });
    expect(escalationStateId(a)).toBe(escalationStateId(b));
    expect(escalationStateId(a)).toMatch(/^v1-[0-9a-f]{32}$/);
  });
  it('changes when the alert grows by an order of magnitude or its severity changes', () => {
    const small = escalationStateId(testAlert({ failures: 50 }));
    expect(escalationStateId(testAlert({ failures: 5000 }))).not.toBe(small);
    expect(escalationStateId(testAlert({ failures: 100 }))).not.toBe(small);
    expect(escalationStateId(testAlert({ severity: 'critical' }))).not.toBe(small);
    expect(escalationStateId(testAlert({ key: '203.0.113.8' }))).not.toBe(small);
  });
  it('grows spraying by accounts and success-after-failure by the success', () => {
    const spray = testAlert({ rule: 'spraying', distinctUsers: 8, failures: 20 });
    expect(escalationStateId({ ...spray, failures: 2000 })).toBe(escalationStateId(spray));
    expect(escalationStateId({ ...spray, distinctUsers: 80 })).not.toBe(escalationStateId(spray));
    const saf = testAlert({
      rule: 'success-after-failure',
      success: { user: 'a', at: '2025-06-01T12:00:00Z' },
    });
    expect(escalationStateId({ ...saf, success: { user: 'a', at: '2025-06-01T13:00:00Z' } })).not.toBe(
      escalationStateId(saf),
    );
  });
  it('numbers attempts and orders of magnitude', () => {
    expect(attemptDocumentId('v1-x', 0)).toBe('v1-x');
    expect(attemptDocumentId('v1-x', 2)).toBe('v1-x.2');
    expect([0, 9, 10, 50, 99, 100, 5000].map(magnitude)).toEqual([0, 0, 1, 1, 1, 2, 3]);
  });
});

describe('stored records', () => {
  const record: StoredRecord = {
    id: 'v1-a',
    escalationId: 'v1-a',
    attempt: 0,
    alertId: 'brute-force|ssh|1.2.3.4',
    rule: 'brute-force',
    service: 'ssh',
    key: '1.2.3.4',
    by: 'alice@jump1',
    at: T0,
    delivery: 'pending',
    update: false,
    failures: 50,
    severity: 'high',
    owner: 'o',
    deadline: T0 + 1000,
    updatedAt: T0,
    text: 'x',
  };
  it('validates instead of casting', () => {
    expect(parseStoredRecord(JSON.parse(JSON.stringify(record)))).toEqual(record);
    expect(parseStoredRecord({ ...record, delivery: 'maybe' })).toBeUndefined();
    expect(parseStoredRecord({ ...record, at: '2025' })).toBeUndefined();
    expect(parseStoredRecord('x')).toBeUndefined();
  });
  it('keeps the latest record per alert', () => {
    const later = { ...record, id: 'v1-a.1', attempt: 1, at: T0 + 10 };
    const sent = { ...record, delivery: 'sent' as const, updatedAt: T0 + 5 };
    expect(latestPerAlert([record, later]).get(record.alertId)!.id).toBe('v1-a.1');
    expect(latestPerAlert([record, sent]).get(record.alertId)!.delivery).toBe('sent');
    expect(latestPerAlert([sent, record]).get(record.alertId)!.delivery).toBe('sent');
  });
});

describe('retry policy', () => {
  it('retries only what proves the message was not posted', () => {
    expect(decide({ kind: 'http', status: 500, body: '' }, 1, POLICY, half)).toMatchObject({
      action: 'retry',
      waitMs: 500,
    });
    expect(decide({ kind: 'http', status: 503, body: '' }, 3, POLICY, half)).toMatchObject({
      action: 'retry',
      waitMs: 2000,
    });
    expect(decide({ kind: 'not-sent', code: 'ECONNREFUSED' }, 1, POLICY, half).action).toBe('retry');
    expect(decide({ kind: 'no-answer', waitedMs: 30_000 }, 1, POLICY)).toMatchObject({
      action: 'fail',
      unknown: true,
    });
    expect(decide({ kind: 'broken', code: 'ECONNRESET' }, 1, POLICY)).toMatchObject({
      action: 'fail',
      unknown: true,
    });
    expect(decide({ kind: 'http', status: 400, body: 'invalid_blocks' }, 1, POLICY)).toEqual({
      action: 'fail',
      reason: 'Slack rejected the message (HTTP 400: invalid_blocks)',
      unknown: false,
    });
  });
  it('gives up after the configured retries, as not posted', () => {
    expect(decide({ kind: 'http', status: 500, body: '' }, 4, POLICY)).toMatchObject({
      action: 'fail',
      unknown: false,
    });
  });
  it('waits for Retry-After on 429, within a cap', () => {
    expect(decide({ kind: 'http', status: 429, retryAfterMs: 3000, body: '' }, 1, POLICY)).toMatchObject({
      action: 'retry',
      waitMs: 3000,
    });
    expect(decide({ kind: 'http', status: 429, retryAfterMs: 3_600_000, body: '' }, 1, POLICY)).toMatchObject(
      {
        action: 'fail',
        unknown: false,
      },
    );
    expect(parseRetryAfter('30', T0)).toBe(30_000);
    expect(parseRetryAfter(new Date(T0 + 5000).toUTCString(), T0)).toBe(5000);
    expect(parseRetryAfter('soon', T0)).toBeUndefined();
    expect(parseRetryAfter(null, T0)).toBeUndefined();
  });
  it('classifies undici errors by their cause', () => {
    const fetchFailed = (code: string) =>
      Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
    expect(classifyFetchError(fetchFailed('ECONNREFUSED'))).toEqual({
      kind: 'not-sent',
      code: 'ECONNREFUSED',
    });
    expect(classifyFetchError(fetchFailed('UND_ERR_CONNECT_TIMEOUT')).kind).toBe('not-sent');
    expect(classifyFetchError(fetchFailed('ECONNRESET')).kind).toBe('broken');
    expect(classifyFetchError(fetchFailed('UND_ERR_SOCKET')).kind).toBe('broken');
    expect(classifyFetchError(fetchFailed('DEPTH_ZERO_SELF_SIGNED_CERT')).kind).toBe('refused');
    expect(classifyFetchError(new Error('something odd')).kind).toBe('broken');
  });
});

describe('webhook URL secrecy', () => {
  const secret = 'https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx';
  it('scrubs every form of the URL', () => {
    const text = `failed ${secret} and /services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx and ${encodeURIComponent(secret)} token abcdefghijklmnopqrstuvwx`;
    const clean = scrubSecret(text, secret);
    expect(clean).not.toContain('abcdefghijklmnopqrstuvwx');
    expect(clean).not.toContain('B0456EFGH');
    expect(clean).toContain('[webhook URL]');
  });
  it('accepts https, and http only to this machine, without echoing the URL', () => {
    expect(checkWebhookUrl(secret).ok).toBe(true);
    expect(checkWebhookUrl('http://127.0.0.1:8787/services/x').ok).toBe(true);
    expect(checkWebhookUrl('http://[::1]:8787/x').ok).toBe(true);
    const remote = checkWebhookUrl('http://hooks.example/services/SECRET123');
    expect(remote.ok).toBe(false);
    expect(JSON.stringify(remote)).not.toContain('SECRET123');
    expect(JSON.stringify(checkWebhookUrl('not a url SECRET123'))).not.toContain('SECRET123');
  });
});

describe('--escalate spec', () => {
  const services = ['ssh', 'rdp'];
  it('parses rule, optional service and keys with colons', () => {
    expect(parseEscalateSpec('brute-force:ssh:203.0.113.7', services)).toEqual({
      ok: true,
      spec: { rule: 'brute-force', service: 'ssh', key: '203.0.113.7' },
    });
    expect(parseEscalateSpec('brute-force:2001:db8::1', services)).toEqual({
      ok: true,
      spec: { rule: 'brute-force', key: '2001:db8::1' },
    });
    expect(parseEscalateSpec('spraying:rdp:2001:db8::1', services)).toEqual({
      ok: true,
      spec: { rule: 'spraying', service: 'rdp', key: '2001:db8::1' },
    });
    expect(parseEscalateSpec('custom:vpn-fails:ssh:alice', services)).toEqual({
      ok: true,
      spec: { rule: 'custom:vpn-fails', service: 'ssh', key: 'alice' },
    });
    expect(parseEscalateSpec('nonsense:ssh:1.2.3.4', services).ok).toBe(false);
    expect(parseEscalateSpec('brute-force', services).ok).toBe(false);
    expect(parseEscalateSpec('brute-force:ssh:', services).ok).toBe(false);
  });
  it('finds the alert, normalising IPs, and refuses an ambiguous one', () => {
    const ssh = testAlert({ key: '2001:db8::1' });
    const rdp = testAlert({ key: '2001:db8::1', service: 'rdp' });
    const found = findAlert([ssh], { rule: 'brute-force', key: '2001:0db8:0:0::1' });
    expect(found.ok && found.alert).toBe(ssh);
    const ambiguous = findAlert([ssh, rdp], { rule: 'brute-force', key: '2001:db8::1' });
    expect(ambiguous.ok).toBe(false);
    expect(!ambiguous.ok && ambiguous.error).toContain('ssh and rdp');
    const named = findAlert([ssh, rdp], { rule: 'brute-force', service: 'rdp', key: '2001:db8::1' });
    expect(named.ok && named.alert).toBe(rdp);
    expect(findAlert([ssh], { rule: 'spraying', key: '2001:db8::1' }).ok).toBe(false);
  });
});

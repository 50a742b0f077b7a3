// Error classification and redaction (pure), and the table's handling of hostile strings.
import { describe, expect, it } from 'vitest';
import { backoffDelay, isTransient } from '../../source/cluster/backoff.js';
import { errorReason, toClusterError } from '../../source/cluster/errors.js';
import { clusterName, hostOf, redact } from '../../source/cluster/redact.js';
import { formatSnapshotTable } from '../../source/cluster/snapshot-table.js';
import { ClusterError } from '../../source/cluster/types.js';
import type { Snapshot } from '../../source/contracts/snapshot.js';

const context = { cluster: 'es1:9200', timeoutMs: 500 };
const named = (name: string, message: string, meta?: unknown) =>
  Object.assign(new Error(message), { name, meta });

describe('toClusterError', () => {
  it.each([
    [named('ConnectionError', 'connect ECONNREFUSED 127.0.0.1:9200'), 'unreachable'],
    [named('ConnectionError', 'getaddrinfo ENOTFOUND es.invalid'), 'dns'],
    [named('ConnectionError', 'getaddrinfo EAI_AGAIN es.example'), 'dns'],
    [named('TimeoutError', 'Request timed out'), 'timeout'],
    [named('RequestAbortedError', 'Request aborted'), 'aborted'],
    [named('ConnectionError', 'self-signed certificate in certificate chain'), 'tls'],
    [named('ConnectionError', 'other side closed'), 'unreachable'],
    [named('ProductNotSupportedError', 'not Elasticsearch'), 'product'],
    [named('ResponseError', 'x', { statusCode: 401, body: {} }), 'auth'],
    [named('ResponseError', 'x', { statusCode: 403, body: {} }), 'forbidden'],
    [named('ResponseError', 'x', { statusCode: 404, body: {} }), 'not-found'],
    [named('ResponseError', 'x', { statusCode: 429, body: {} }), 'rate-limited'],
    [named('ResponseError', 'x', { statusCode: 502, body: {} }), 'unavailable'],
    [named('ResponseError', 'x', { statusCode: 503, body: {} }), 'unavailable'],
    [named('ResponseError', 'x', { statusCode: 400, body: {} }), 'query'],
    [named('DeserializationError', 'Unexpected token <'), 'bad-response'],
    [new Error('something else'), 'unknown'],
  ])('%s → %s', (error, kind) => {
    expect(toClusterError(error, context).kind).toBe(kind);
  });

  it('keeps a ClusterError as it is', () => {
    const error = new ClusterError('tls', 'x');
    expect(toClusterError(error, context)).toBe(error);
  });

  it('says how long it waited on a timeout', () => {
    expect(toClusterError(named('TimeoutError', 'Request timed out'), context).message).toMatch(
      /within 500 ms/,
    );
  });

  it('quotes the deepest server reason', () => {
    const body = {
      error: {
        root_cause: [{ type: 'illegal_argument_exception', reason: 'Text fields are not optimised' }],
        reason: 'all shards failed',
        caused_by: { reason: 'outer', caused_by: { reason: 'Text fields are not optimised' } },
      },
    };
    expect(errorReason(body)).toBe('Text fields are not optimised');
    expect(errorReason({ error: 'plain' })).toBe('plain');
    expect(errorReason('')).toBeUndefined();
  });

  it('removes credentials from messages', () => {
    const error = named('ConnectionError', 'connect ECONNRESET https://elastic:hunter2@es1:9200/_msearch');
    const message = toClusterError(error, { ...context, secrets: { password: 'hunter2' } }).message;
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('elastic:');
  });
});

describe('hints', () => {
  const verify = named('ConnectionError', 'self-signed certificate in certificate chain');

  it('TLS hints name the real keys (caFile / caFingerprint)', () => {
    const message = toClusterError(verify, context).message;
    expect(message).toMatch(/set caFile to the CA's PEM file .* or caFingerprint/);
    expect(message).not.toMatch(/tls\.ca/);
  });

  it('say what is wrong with the caFile given', () => {
    const message = toClusterError(verify, { ...context, tls: { caFile: '/etc/corp-ca.pem' } }).message;
    expect(message).toMatch(
      /the CA in caFile \(\/etc\/corp-ca\.pem\) did not sign the cluster's certificate/,
    );
  });

  it("do not pass Node's --use-system-ca advice through", () => {
    const error = named(
      'ConnectionError',
      'unable to verify the first certificate; if the root CA is installed locally, try running Node.js with --use-system-ca',
    );
    const message = toClusterError(error, context).message;
    expect(message).not.toMatch(/use-system-ca|Node\.js/);
    expect(message).toMatch(/unable to verify the first certificate — .*system trust store/);
  });

  it('carry no raw newline or source path from OpenSSL; https:// on a plain port says use http://', () => {
    // The message as Node 24 gives it for https:// against a plain-HTTP Elasticsearch.
    const error = named(
      'ConnectionError',
      '406D42994B7F0000:error:0A00010B:SSL routines:tls_validate_record_header:wrong version number:../deps/openssl/openssl/ssl/record/methods/tlsany_meth.c:77:\n',
    );
    const message = toClusterError(error, { ...context, tls: { https: true } }).message;
    expect(message).not.toMatch(/[\r\n]|tlsany_meth|0A00010B/);
    expect(message).toMatch(/wrong version number — the node answered in plain HTTP, not TLS: use http:\/\//);
  });

  it('a hang-up on an http:// node suggests https://', () => {
    const error = named('ConnectionError', 'socket hang up');
    expect(toClusterError(error, { ...context, tls: { plainHttp: true } }).message).toMatch(
      /use https:\/\/ in the node URL/,
    );
    expect(toClusterError(error, { ...context, tls: { plainHttp: false } }).message).not.toMatch(/https/);
  });

  it('a circuit-breaker 429 names maxOffenders and window', () => {
    // The body Elasticsearch 8.19.9 (512 MB heap) answered to maxOffenders 20,000 over
    // 200,000 offending IPs (bench/max-offenders.ts), trimmed.
    const body = {
      error: {
        root_cause: [
          {
            type: 'circuit_breaking_exception',
            reason:
              '[request] Data too large, data for [<reused_arrays>] would be [544140368/518.9mb], which is larger than the limit of [322122547/307.1mb]',
          },
        ],
        type: 'circuit_breaking_exception',
        reason:
          '[request] Data too large, data for [<reused_arrays>] would be [544140368/518.9mb], which is larger than the limit of [322122547/307.1mb]',
      },
      status: 429,
    };
    const error = toClusterError(named('ResponseError', 'x', { statusCode: 429, body }), context);
    expect(error.kind).toBe('rate-limited');
    expect(error.message).toMatch(/Data too large.* — .*lower maxOffenders .* or window/);
    const plain = toClusterError(named('ResponseError', 'x', { statusCode: 429, body: {} }), context);
    expect(plain.message).not.toMatch(/maxOffenders/);
  });
});

describe('redact', () => {
  it('strips user info and known secrets', () => {
    expect(redact('see https://u:p@h:9200/x and http://tok@h2')).toBe('see https://h:9200/x and http://h2');
    expect(redact('key=abcd1234 used', { apiKey: 'abcd1234' })).toBe('key=*** used');
  });
  it('names clusters by host only', () => {
    expect(hostOf('https://user:pw@es1.example:9200/prefix')).toBe('es1.example:9200');
    expect(clusterName(['http://a:9200', 'https://u:p@b:9243'])).toBe('a:9200,b:9243');
  });
});

describe('backoff', () => {
  it('grows exponentially, caps and jitters', () => {
    const settings = { baseMs: 1000, maxMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelay(attempt, settings, () => 0.999_999))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
    expect(backoffDelay(3, settings, () => 0)).toBe(2000);
  });
  it('tells transient from permanent errors', () => {
    expect(isTransient('unreachable')).toBe(true);
    expect(isTransient('auth')).toBe(false);
    expect(isTransient('query')).toBe(false);
  });
});

describe('formatSnapshotTable', () => {
  const hostile = '\u001b]0;pwned\u0007root\u001b[2J\u202e';
  const snapshot: Snapshot = {
    schema: 1,
    backend: { kind: 'opensearch', version: '2.19.5' },
    cluster: 'os:9201',
    indexPattern: 'logs-*',
    window: { from: '2026-03-01T11:45:15.000Z', to: '2026-03-01T12:00:15.000Z', ms: 900_000 },
    bucketMs: 15_000,
    services: [
      {
        service: 'ssh',
        label: 'SSH',
        failures: 3,
        successes: 0,
        distinctIps: 1,
        unknownSource: 0,
        invalidUserFailures: 0,
        offenders: [
          {
            ip: '198.51.100.9',
            failures: 3,
            distinctUsers: 1,
            topUsers: [{ name: hostile, count: 3 }],
            invalidUserFailures: 0,
            hosts: [{ name: `web\u001b[31m-1`, count: 3 }],
            firstFailure: '2026-03-01T11:50:00.000Z',
            lastFailure: '2026-03-01T11:51:00.000Z',
            successesAfterFailure: 0,
            firstSuccessAfterFailure: null,
            successUser: null,
            country: null,
            asn: null,
            asOrg: null,
          },
        ],
        offendersTruncated: false,
        timeline: new Array(60).fill(0),
        targetedUsers: [{ user: hostile, failures: 3, distinctIps: 1, invalidUserFailures: 0 }],
        took: 3,
      },
    ],
    customRules: [],
    took: 3,
    fetchMs: 5,
    fetchedAt: '2026-03-01T12:00:07.000Z',
    warnings: [],
  };

  it('never lets escape sequences or bidi controls through', () => {
    const text = formatSnapshotTable(snapshot);
    expect(text).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(text).toContain('root 3');
    expect(text).toContain('web-1');
    expect(text).toContain('OpenSearch 2.19.5 · os:9201');
  });

  it('has an ASCII form', () => {
    expect(formatSnapshotTable(snapshot, { ascii: true })).toMatch(/^[\u0000-\u007f…]*$/);
  });
});

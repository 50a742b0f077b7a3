// The pure response parser: validation errors that name the path, failed searches, partial
// shard failures, unknown-source folding and the success-after-failure arithmetic.
import { describe, expect, it } from 'vitest';
import {
  parseSnapshotResponse,
  type SuccessSample,
  successesAfterFailure,
} from '../../source/cluster/parse.js';
import { AGG, buildSnapshotSearches } from '../../source/cluster/query.js';
import { ClusterError } from '../../source/cluster/types.js';
import { testConfig } from '../support/config.js';

const NOW = Date.parse('2026-03-01T12:00:07Z');
const config = testConfig({ services: testConfig().services.slice(0, 1) }); // ssh only
const { plan } = buildSnapshotSearches(config, { windowMs: 900_000, now: NOW });
const { from, bucketMs } = plan.window;
const meta = {
  backend: { kind: 'elasticsearch' as const, version: '8.19.9' },
  cluster: 'es:9200',
  fetchMs: 12,
  fetchedAt: '2026-03-01T12:00:07.100Z',
};

const terms = (buckets: { key: string | number; doc_count: number }[]) => ({
  sum_other_doc_count: 0,
  buckets,
});
const hits = (samples: [number, string][]) => ({
  hits: { hits: samples.map(([at, user]) => ({ sort: [at], fields: { 'user.name': [user] } })) },
});

const shards = { total: 1, successful: 1, skipped: 0, failed: 0 };
const ok = (aggregations: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  took: 7,
  timed_out: false,
  _shards: { ...shards },
  hits: { total: { value: 0, relation: 'eq' }, hits: [] },
  aggregations,
  ...extra,
});

function offender(ip: string, failures: number) {
  return {
    key: ip,
    doc_count: failures,
    [AGG.users]: { value: 1 },
    [AGG.invalid]: { doc_count: 0 },
    [AGG.first]: { value: from + 1000 },
    [AGG.last]: { value: from + 2000 },
  };
}

function detail(ip: string, failures: number) {
  return {
    key: ip,
    doc_count: failures,
    topUsers: terms([{ key: 'root', doc_count: failures }]),
    hosts: terms([{ key: 'web-1', doc_count: failures }]),
    country: terms([]),
    asn: terms([{ key: 4134, doc_count: failures }]),
    asOrg: terms([]),
  };
}

/** The five answers of the ssh searches: totals, users, offenders, details, successes. */
function sshResponses(): Record<string, unknown>[] {
  return [
    ok(
      {
        ips: { value: 2 },
        unknown: { doc_count: 1 },
        [AGG.invalid]: { doc_count: 0 },
        timeline: {
          buckets: [
            { key: from, doc_count: 5 },
            { key: from + bucketMs, doc_count: 1 },
          ],
        },
      },
      { hits: { total: { value: 6, relation: 'eq' }, hits: [] } },
    ),
    ok({
      users: terms([
        { key: 'root', doc_count: 5, ips: { value: 2 }, [AGG.invalid]: { doc_count: 0 } } as never,
      ]),
    }),
    ok({ offenders: { sum_other_doc_count: 0, buckets: [offender('198.51.100.1', 3), offender('-', 2)] } }),
    ok({ offenders: { sum_other_doc_count: 0, buckets: [detail('198.51.100.1', 3), detail('-', 2)] } }),
    ok({
      total: { doc_count: 0 },
      [AGG.sources]: {
        sum_other_doc_count: 0,
        buckets: [
          {
            key: '198.51.100.1',
            [AGG.success]: { doc_count: 0, [AGG.earliest]: hits([]), [AGG.latest]: hits([]) },
          },
        ],
      },
    }),
  ];
}

// biome-ignore lint/suspicious/noExplicitAny: fixtures are edited freely in each test
type Json = Record<string, any>;

describe('parseSnapshotResponse', () => {
  it('reads a valid answer and folds "-" keys into the unknown source bucket', () => {
    const snapshot = parseSnapshotResponse({ responses: sshResponses() }, plan, meta);
    const ssh = snapshot.services[0]!;
    expect(ssh.failures).toBe(6);
    expect(ssh.unknownSource).toBe(3);
    expect(ssh.distinctIps).toBe(1);
    expect(ssh.offenders.map((o) => o.ip)).toEqual(['198.51.100.1']);
    expect(ssh.offenders[0]?.asn).toBe(4134);
    expect(ssh.timeline.slice(0, 3)).toEqual([5, 1, 0]);
    expect(ssh.timeline).toHaveLength(60);
    expect(snapshot.took).toBe(7);
    expect(snapshot.fetchMs).toBe(12);
    expect(snapshot.warnings).toEqual([]);
  });

  it('names the missing aggregation and the service', () => {
    const responses = sshResponses() as Json[];
    delete responses[0]!.aggregations.timeline;
    expect(() => parseSnapshotResponse({ responses }, plan, meta)).toThrow(
      /ssh totals search: responses\[0\]\.aggregations\.timeline: expected "timeline" \(missing\)/,
    );
  });

  it('names a value of the wrong type', () => {
    const responses = sshResponses() as Json[];
    responses[0]!.aggregations.ips = { value: '2' };
    try {
      parseSnapshotResponse({ responses }, plan, meta);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ClusterError);
      expect((error as ClusterError).kind).toBe('bad-response');
      expect((error as ClusterError).message).toBe(
        'ssh totals search: responses[0].aggregations.ips.value: expected a number, got string',
      );
    }
  });

  it('rejects a body that is not an _msearch answer, or has the wrong number of responses', () => {
    expect(() => parseSnapshotResponse('<html>', plan, meta)).toThrow(/expected an object, got string/);
    expect(() => parseSnapshotResponse({ responses: [] }, plan, meta)).toThrow(/expected 5 responses/);
  });

  it('turns a failed search into the server reason', () => {
    const failed = {
      status: 400,
      error: {
        root_cause: [
          {
            type: 'illegal_argument_exception',
            reason: 'Field [message] of type [text] is not supported for aggregation [terms]',
          },
        ],
        type: 'search_phase_execution_exception',
        reason: 'all shards failed',
      },
    };
    const responses = sshResponses();
    responses[1] = failed;
    expect(() => parseSnapshotResponse({ responses }, plan, meta)).toThrow(
      expect.objectContaining({
        kind: 'query',
        message: expect.stringContaining('Field [message] of type [text]'),
      }),
    );
  });

  it('keeps partial results and says shards failed', () => {
    const responses = sshResponses() as Json[];
    responses[2]!._shards = {
      total: 3,
      successful: 2,
      failed: 1,
      failures: [{ shard: 0, index: 'old', reason: { type: 'x', reason: 'mapping conflict' } }],
    };
    const snapshot = parseSnapshotResponse({ responses }, plan, meta);
    expect(snapshot.warnings).toEqual([
      'ssh offenders search: 1 of 3 shards failed (mapping conflict); numbers may be low',
    ]);
  });

  it('treats "no index matched" (no aggregations, 0 shards) as zero', () => {
    const empty = { took: 0, _shards: { total: 0, successful: 0, failed: 0 }, hits: { hits: [] } };
    const ssh = parseSnapshotResponse({ responses: new Array(5).fill(empty) }, plan, meta).services[0]!;
    expect(ssh.failures).toBe(0);
    expect(ssh.timeline).toEqual(new Array(60).fill(0));
  });

  it('flags truncation when more failing IPs exist than were returned', () => {
    const small = buildSnapshotSearches(testConfig({ ...config, maxOffenders: 1 }), {
      windowMs: 900_000,
      now: NOW,
    }).plan;
    const responses = sshResponses() as Json[];
    responses[2]!.aggregations.offenders = { sum_other_doc_count: 2, buckets: [offender('198.51.100.1', 3)] };
    expect(parseSnapshotResponse({ responses }, small, meta).services[0]?.offendersTruncated).toBe(true);
    responses[2]!.aggregations.offenders.sum_other_doc_count = 0;
    expect(parseSnapshotResponse({ responses }, small, meta).services[0]?.offendersTruncated).toBe(false);
  });

  it('keeps the targeted accounts with the most distinct source IPs, then failures, then name', () => {
    const responses = sshResponses() as Json[];
    const user = (key: string, failures: number, ips: number) => ({
      key,
      doc_count: failures,
      ips: { value: ips },
      [AGG.invalid]: { doc_count: 0 },
    });
    // As the cluster sends them: by failures.
    responses[1]!.aggregations.users.buckets = [
      user('root', 90, 1),
      user('admin', 40, 7),
      user('oracle', 40, 2),
      user('zed', 5, 7),
      user('bob', 5, 2),
    ];
    const names = parseSnapshotResponse({ responses }, plan, meta).services[0]?.targetedUsers.map(
      (u) => u.user,
    );
    expect(names).toEqual(['admin', 'zed', 'oracle', 'bob', 'root']);
  });

  it('leaves details empty for offenders beyond the detailed ones', () => {
    const responses = sshResponses() as Json[];
    responses[3]!.aggregations.offenders.buckets = [];
    const found = parseSnapshotResponse({ responses }, plan, meta).services[0]?.offenders[0];
    expect(found).toMatchObject({
      ip: '198.51.100.1',
      topUsers: [],
      hosts: [],
      country: null,
      asn: null,
      asOrg: null,
    });
  });

  it('reads the first success after the first failure from the sampled successes', () => {
    const responses = sshResponses() as Json[];
    responses[4]!.aggregations[AGG.sources].buckets = [
      {
        key: '198.51.100.1',
        [AGG.success]: {
          doc_count: 2,
          [AGG.earliest]: hits([
            [from + 500, 'early'],
            [from + 1500, 'admin'],
          ]),
          [AGG.latest]: hits([
            [from + 1500, 'admin'],
            [from + 500, 'early'],
          ]),
        },
      },
    ];
    const found = parseSnapshotResponse({ responses }, plan, meta).services[0]?.offenders[0];
    expect(found?.successesAfterFailure).toBe(1);
    expect(found?.firstSuccessAfterFailure).toBe(new Date(from + 1500).toISOString());
    expect(found?.successUser).toBe('admin');
  });
});

describe('successesAfterFailure', () => {
  const s = (...times: number[]): SuccessSample[] => times.map((at) => ({ at, user: `u${at}` }));

  it('no successes', () => {
    expect(successesAfterFailure(100, 0, [], [])).toEqual({ count: 0, first: null, exact: true });
  });
  it('all successes known: counts those at or after the first failure', () => {
    expect(successesAfterFailure(100, 3, s(50, 100, 150), s(150, 100, 50))).toEqual({
      count: 2,
      first: { at: 100, user: 'u100' },
      exact: true,
    });
  });
  it('more successes than sampled, one of the earliest is after: exact', () => {
    expect(successesAfterFailure(100, 25, s(10, 20, 120), s(999))).toEqual({
      count: 23,
      first: { at: 120, user: 'u120' },
      exact: true,
    });
  });
  it('earliest all before, latest include some before: exact from the other end', () => {
    expect(successesAfterFailure(100, 25, s(1, 2, 3), s(300, 200, 50))).toEqual({
      count: 2,
      first: { at: 200, user: 'u200' },
      exact: true,
    });
  });
  it('earliest all before, latest all after, more in between: an upper bound, flagged', () => {
    expect(successesAfterFailure(100, 25, s(1, 2, 3), s(300, 200, 150))).toEqual({
      count: 22,
      first: { at: 150, user: 'u150' },
      exact: false,
    });
  });
  it('all successes before the first failure', () => {
    expect(successesAfterFailure(100, 2, s(1, 2), s(2, 1))).toEqual({ count: 0, first: null, exact: true });
  });
});

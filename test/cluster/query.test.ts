// The pure query builder: window alignment, one search per service (+ custom rules), and
// none of the features absent from many clusters or known to be slow.
import { describe, expect, it } from 'vitest';
import { AGG, buildSnapshotSearches, SEARCH_HEADER } from '../../source/cluster/query.js';
import { bucketSize, snapshotWindow } from '../../source/cluster/window.js';
import { testConfig } from '../support/config.js';
import { legacyService, seedCustomRules } from '../support/seed.js';

const NOW = Date.parse('2026-03-01T12:00:07.250Z');

describe('snapshotWindow', () => {
  it('uses about 60 buckets of whole seconds and aligns the bounds to them', () => {
    expect(snapshotWindow(15 * 60_000, NOW)).toEqual({
      from: Date.parse('2026-03-01T11:45:15.000Z'),
      to: Date.parse('2026-03-01T12:00:15.000Z'),
      ms: 900_000,
      bucketMs: 15_000,
      buckets: 60,
    });
    expect(bucketSize(6 * 3_600_000)).toBe(360_000);
    expect(bucketSize(30_000)).toBe(1_000);
  });

  it('ends strictly after now, even exactly on a boundary', () => {
    const boundary = Date.parse('2026-03-01T12:00:00.000Z');
    expect(snapshotWindow(900_000, boundary).to).toBe(boundary + 15_000);
  });

  it('widens a window that is not a whole number of buckets', () => {
    const window = snapshotWindow(1_000_000, NOW); // 1000 s → 17 s buckets
    expect(window.bucketMs).toBe(17_000);
    expect(window.buckets).toBe(59);
    expect(window.ms).toBe(59 * 17_000);
    expect(window.to % 17_000).toBe(0);
    expect(window.to - window.from).toBe(window.ms);
  });

  it('rejects a non-positive window', () => {
    expect(() => snapshotWindow(0, NOW)).toThrow(/positive/);
  });

  it('repeats byte for byte within one bucket (request cache)', () => {
    const config = testConfig();
    const a = buildSnapshotSearches(config, { windowMs: 900_000, now: NOW });
    const b = buildSnapshotSearches(config, { windowMs: 900_000, now: NOW + 5_000 });
    expect(JSON.stringify(a.searches)).toBe(JSON.stringify(b.searches));
  });
});

describe('buildSnapshotSearches', () => {
  const config = testConfig({
    indexPattern: 'logs-*',
    services: [...testConfig().services, legacyService('ssh-logs')],
    customRules: seedCustomRules('logs-system.auth-*'),
  });
  const { searches, plan } = buildSnapshotSearches(config, { windowMs: 900_000, now: NOW });
  const text = JSON.stringify(searches);

  it('has five searches per service (four without a success filter), then one per custom rule', () => {
    // ssh and rdp: totals, users, offenders, details, successes; legacy likewise (it has a success filter).
    expect(searches.map((search) => search.index)).toEqual([
      ...new Array(10).fill('logs-*'),
      ...new Array(5).fill('ssh-logs'),
      'logs-*',
      'logs-system.auth-*',
    ]);
    expect(plan.searchCount).toBe(17);
    expect(plan.services.map((service) => [service.service, service.searches])).toEqual([
      ['ssh', { totals: 0, users: 1, offenders: 2, details: 3, successes: 4 }],
      ['rdp', { totals: 5, users: 6, offenders: 7, details: 8, successes: 9 }],
      ['legacy', { totals: 10, users: 11, offenders: 12, details: 13, successes: 14 }],
    ]);
    expect(plan.customRules.map((rule) => [rule.rule, rule.searchIndex, rule.distinctField])).toEqual([
      ['many-users', 15, 'user.name'],
      ['per-host', 16, null],
    ]);
    for (const search of searches) {
      expect(search.body.size).toBe(0);
      expect(search.header).toEqual(SEARCH_HEADER);
    }
    const noSuccess = buildSnapshotSearches(
      testConfig({ services: [{ ...legacyService('x'), success: undefined }] }),
      { windowMs: 900_000, now: NOW },
    );
    expect(noSuccess.plan.services[0]?.searches).toEqual({ totals: 0, users: 1, offenders: 2, details: 3 });
  });

  it('uses no scripts, no bucket_selector/bucket_sort and no execution_hint', () => {
    expect(text).not.toMatch(/script|painless|bucket_selector|bucket_sort|execution_hint/);
  });

  it('filters on absolute, aligned bounds and asks for every timeline bucket', () => {
    const ssh = searches[0]?.body as {
      track_total_hits: boolean;
      query: { bool: { filter: [{ range: Record<string, unknown> }] } };
      aggs: { timeline: { histogram: Record<string, unknown> } };
    };
    expect(ssh.track_total_hits).toBe(true);
    expect(ssh.query.bool.filter[0].range).toEqual({
      '@timestamp': { gte: plan.window.from, lt: plan.window.to, format: 'epoch_millis' },
    });
    expect(ssh.aggs.timeline.histogram).toEqual({
      field: '@timestamp',
      interval: 15_000,
      min_doc_count: 0,
      extended_bounds: { min: plan.window.from, max: plan.window.to - 15_000 },
    });
  });

  it('uses the service field overrides', () => {
    const legacy = JSON.stringify(searches.slice(10, 15));
    expect(legacy).toContain('"field":"ip_address"');
    expect(legacy).toContain('"timestamp"');
    expect(legacy).not.toContain('source.ip');
  });

  it('orders offenders by failures and bounds them by maxOffenders', () => {
    const terms = (index: number, name = 'offenders') =>
      (searches[index]?.body as { aggs: Record<string, { terms: Record<string, unknown> }> } | undefined)
        ?.aggs[name]?.terms;
    const byCount = [{ _count: 'desc' }, { _key: 'asc' }];
    const ipTerms = (size: number) => ({
      field: 'source.ip',
      size,
      min_doc_count: 1,
      order: byCount,
      collect_mode: 'breadth_first',
    });
    expect(terms(2)).toEqual(ipTerms(500));
    expect(terms(3)).toEqual(ipTerms(25));
    expect(terms(4, AGG.sources)).toEqual(ipTerms(500));
  });

  it('leaves custom rules out when asked (slow window)', () => {
    const slow = buildSnapshotSearches(config, { windowMs: 21_600_000, now: NOW, includeCustomRules: false });
    expect(slow.searches).toHaveLength(15);
    expect(slow.plan.customRules).toEqual([]);
  });

  it('refuses a custom rule with an unknown metric or service', () => {
    const bad = (rule: Partial<(typeof config.customRules)[number]>) => () =>
      buildSnapshotSearches(testConfig({ customRules: [{ ...seedCustomRules('x')[0]!, ...rule }] }), {
        windowMs: 900_000,
        now: NOW,
      });
    expect(bad({ metric: 'sum:bytes' })).toThrow(/count" or "distinct/);
    expect(bad({ service: 'telnet' })).toThrow(/unknown service "telnet"/);
  });
});

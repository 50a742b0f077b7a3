// The pure core of incremental snapshots, without a cluster: keys leave memory with the last
// slice holding them, and the merge ranks as the full query's terms aggregations do.
import { describe, expect, it } from 'vitest';
import { Dictionary, keywordOrderKey } from '../../source/cluster/incremental/dictionary.js';
import { mergeSlices } from '../../source/cluster/incremental/merge.js';
import { buildSlice, releaseSlice, type SliceRow } from '../../source/cluster/incremental/slice-table.js';
import { ipSortKey } from '../../source/core/net.js';

const row = (
  ip: string | null,
  user: string | null,
  failures: number,
  at: number,
  invalid = 0,
): SliceRow => ({
  ip,
  user,
  failures,
  invalid,
  first: at,
  last: at + failures - 1,
});

describe('incremental slices', () => {
  it('frees a key when the last slice holding it is released, and reuses its id', () => {
    const ips = new Dictionary(ipSortKey);
    const users = new Dictionary(keywordOrderKey);
    const a = buildSlice(0, 1000, 0, [row('192.0.2.1', 'root', 2, 0)], 0, ips, users);
    const b = buildSlice(
      1000,
      2000,
      0,
      [row('192.0.2.1', 'admin', 1, 1000), row('192.0.2.2', null, 1, 1001)],
      0,
      ips,
      users,
    );
    expect(ips.size).toBe(2);
    releaseSlice(a, ips, users);
    expect(ips.size).toBe(2);
    expect(users.size).toBe(1);
    releaseSlice(b, ips, users);
    expect(ips.size).toBe(0);
    expect(users.size).toBe(0);
    const c = buildSlice(2000, 3000, 0, [row('198.51.100.9', 'x', 1, 2000)], 0, ips, users);
    expect(ips.capacity).toBe(2);
    expect(ips.key(c.ips[0] ?? -1)).toBe('198.51.100.9');
  });

  it('merges counts, first/last and distinct keys exactly and ranks ties by address order', () => {
    const ips = new Dictionary(ipSortKey);
    const users = new Dictionary(keywordOrderKey);
    const slices = [
      buildSlice(
        0,
        1000,
        0,
        [row('192.0.2.10', 'root', 3, 100, 1), row('192.0.2.9', 'root', 1, 200), row(null, 'admin', 2, 300)],
        1,
        ips,
        users,
      ),
      buildSlice(
        1000,
        2000,
        0,
        [
          row('192.0.2.10', 'admin', 1, 1100),
          row('192.0.2.9', 'oracle', 3, 1200),
          row('2001:db8::1', 'root', 4, 1300),
        ],
        0,
        ips,
        users,
      ),
    ];
    const merged = mergeSlices(slices, { from: 0, bucketMs: 1000, buckets: 3 }, ips, users, {
      maxOffenders: 2,
      detailed: 1,
      hasInvalidUser: true,
    });
    expect(merged.failures).toBe(14);
    expect(merged.missingIp).toBe(2);
    expect(merged.successes).toBe(1);
    expect(merged.timeline).toEqual([6, 8, 0]);
    expect(merged.distinctIps).toBe(3);
    expect(merged.truncated).toBe(true);
    // 4, 4, 4 failures: ties in numeric address order (192.0.2.9 before 192.0.2.10, IPv4 before IPv6).
    expect(merged.ranked.map((r) => [r.ip, r.failures, r.distinctUsers])).toEqual([
      ['192.0.2.9', 4, 2],
      ['192.0.2.10', 4, 2],
    ]);
    expect(merged.ranked[0]).toMatchObject({ first: 200, last: 1202, invalid: 0 });
    expect(merged.ranked[0]?.topUsers).toEqual([
      { name: 'oracle', count: 3 },
      { name: 'root', count: 1 },
    ]);
    expect(merged.ranked[1]?.topUsers).toEqual([]);
    expect(merged.users.find((user) => user.user === 'root')).toEqual({
      user: 'root',
      failures: 8,
      distinctIps: 3,
      invalidUserFailures: 1,
    });
    expect(merged.users.find((user) => user.user === 'admin')?.distinctIps).toBe(1);
  });

  it('orders keyword keys by code point, as the cluster does', () => {
    expect(keywordOrderKey('a𝟙') > keywordOrderKey('a\uFFEE')).toBe(true);
    expect('a𝟙' > 'a\uFFEE').toBe(false);
  });
});

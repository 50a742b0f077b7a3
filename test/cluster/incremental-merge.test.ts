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

  it('keeps every key at its id while keys come and go (its Map is rebuilt under churn)', () => {
    const dict = new Dictionary();
    const live = new Map<string, number>();
    let next = 0;
    const add = () => {
      const key = `k${next++}`;
      live.set(key, dict.acquire(key));
    };
    for (let k = 0; k < 300; k += 1) add();
    // 300 live keys, 5,000 leaving one by one as new ones come: far more than the room the
    // Map's table has past 300 keys, so it is rebuilt several times.
    for (let k = 0; k < 5000; k += 1) {
      const [oldest, id] = live.entries().next().value as [string, number];
      dict.release(id);
      live.delete(oldest);
      add();
    }
    expect(dict.size).toBe(300);
    expect(dict.capacity).toBe(300);
    for (const [key, id] of live) {
      expect(dict.key(id)).toBe(key);
      expect(dict.acquire(key)).toBe(id);
      dict.release(id);
    }
    // All but a few leave (the table shrinks), then keys come back.
    for (const [key, id] of [...live].slice(3)) {
      dict.release(id);
      live.delete(key);
    }
    expect(dict.size).toBe(3);
    for (let k = 0; k < 1000; k += 1) add();
    expect(dict.size).toBe(1003);
    for (const [key, id] of live) expect(dict.acquire(key)).toBe(id);
  });

  it('counts distinct IPs per targeted user exactly across slices', () => {
    const ips = new Dictionary(ipSortKey);
    const users = new Dictionary(keywordOrderKey);
    // 200 IPs (ids across several 32-bit words), 60 users, repeats within and across slices.
    const rowsOf = (slice: number) =>
      Array.from({ length: 400 }, (_, k) =>
        row(
          `192.0.2.${(k * 7 + slice * 13) % 200}`,
          `user${(k * 31 + slice * 7 + ((k * k) % 11)) % 60}`,
          1 + (k % 3),
          slice * 1000 + k,
        ),
      );
    const parts = [0, 1, 2].map((slice) =>
      buildSlice(slice * 1000, (slice + 1) * 1000, 0, rowsOf(slice), 0, ips, users),
    );
    const merged = mergeSlices(parts, { from: 0, bucketMs: 1000, buckets: 3 }, ips, users, {
      maxOffenders: 250,
      detailed: 25,
      hasInvalidUser: false,
    });
    const expected = new Map<string, Set<string>>();
    for (const slice of [0, 1, 2])
      for (const { ip, user } of rowsOf(slice)) {
        const set = expected.get(user ?? '') ?? new Set<string>();
        set.add(ip ?? '');
        expected.set(user ?? '', set);
      }
    expect(merged.users.length).toBe(50);
    for (const user of merged.users) expect(user.distinctIps).toBe(expected.get(user.user)?.size);
  });

  it('orders keyword keys by code point, as the cluster does', () => {
    expect(keywordOrderKey('a𝟙') > keywordOrderKey('a\uFFEE')).toBe(true);
    expect('a𝟙' > 'a\uFFEE').toBe(false);
  });
});

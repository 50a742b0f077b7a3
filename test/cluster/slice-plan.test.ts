// Which slices a live incremental poll reads and which it combines (engine.ts planSlices,
// rollUpRuns), and combining slices and their rows' parts (slice-table.ts combineSlices,
// row-slices.ts PartCache.rollUp): pure, without a cluster. That a combined window still
// equals the full query is test/cluster/incremental.integration.test.ts's.
import { describe, expect, it } from 'vitest';
import { Dictionary, keywordOrderKey } from '../../source/cluster/incremental/dictionary.js';
import { planSlices, ROLL_UP_RUN, rollUpRuns } from '../../source/cluster/incremental/engine.js';
import { mergeSlices } from '../../source/cluster/incremental/merge.js';
import {
  combineDetailParts,
  combineSuccessParts,
  type DetailPart,
  PartCache,
} from '../../source/cluster/incremental/row-slices.js';
import {
  buildSlice,
  combineSlices,
  releaseSlice,
  SliceBuilder,
} from '../../source/cluster/incremental/slice-table.js';
import { ipSortKey } from '../../source/core/net.js';

const S = 1000;

describe('planSlices: what a poll reads', () => {
  it('cuts the time not held at the buckets and at the hot cut', () => {
    // Window [0, 60 s) in 15 s buckets; held: [0, 15 s) and [15 s, 37 s).
    const held = [
      { start: 0, end: 15 * S },
      { start: 15 * S, end: 37 * S },
    ];
    expect(planSlices(held, 0, 60 * S, 15 * S, [43 * S])).toEqual([
      { start: 37 * S, end: 43 * S },
      { start: 43 * S, end: 45 * S },
      { start: 45 * S, end: 60 * S },
    ]);
  });

  it('a first poll reads every bucket; holes between held slices are read too', () => {
    expect(planSlices([], 0, 30 * S, 15 * S)).toEqual([
      { start: 0, end: 15 * S },
      { start: 15 * S, end: 30 * S },
    ]);
    const held = [
      { start: 0, end: 5 * S },
      { start: 10 * S, end: 15 * S },
    ];
    expect(planSlices(held, 0, 15 * S, 15 * S, [2 * S, 12 * S])).toEqual([{ start: 5 * S, end: 10 * S }]);
  });

  it('a window not aligned to the epoch cuts at its own grid', () => {
    expect(planSlices([], 1_234, 1_234 + 10 * S, 5 * S)).toEqual([
      { start: 1_234, end: 6_234 },
      { start: 6_234, end: 11_234 },
    ]);
  });

  it('at steady state a 5 s poll reads the previous hot seconds, the new ones and the rest of the bucket', () => {
    // Poll at 50 s: held up to the previous hot cut (43 s); the new hot cut is 48 s.
    const held = [
      { start: 0, end: 15 * S },
      { start: 15 * S, end: 30 * S },
      { start: 30 * S, end: 43 * S },
    ];
    const read = planSlices(held, 0, 60 * S, 15 * S, [48 * S]);
    expect(read).toEqual([
      { start: 43 * S, end: 45 * S },
      { start: 45 * S, end: 48 * S },
      { start: 48 * S, end: 60 * S },
    ]);
  });
});

describe('rollUpRuns: which sealed slices become one', () => {
  const slice = (start: number, end: number, sealed = true) => ({ start, end, sealed });
  const isSealed = (s: { sealed: boolean }) => s.sealed;

  it('a bucket wholly covered by sealed slices is combined; one with a hot slice is not', () => {
    const held = [
      slice(0, 4 * S),
      slice(4 * S, 15 * S),
      slice(15 * S, 20 * S),
      slice(20 * S, 30 * S, false),
      slice(30 * S, 45 * S),
    ];
    const runs = rollUpRuns(held, 0, 15 * S, isSealed);
    expect(runs).toEqual([[held[0], held[1]]]);
  });

  it('a long open bucket combines its leading sealed slices once there are ROLL_UP_RUN of them', () => {
    const bucket = 24 * 60 * S;
    const few = Array.from({ length: ROLL_UP_RUN - 1 }, (_, k) => slice(k * 5 * S, (k + 1) * 5 * S));
    expect(rollUpRuns(few, 0, bucket, isSealed)).toEqual([]);
    const many = Array.from({ length: ROLL_UP_RUN + 2 }, (_, k) =>
      slice(k * 5 * S, (k + 1) * 5 * S, k < ROLL_UP_RUN),
    );
    expect(rollUpRuns(many, 0, bucket, isSealed)).toEqual([many.slice(0, ROLL_UP_RUN)]);
  });

  it('a gap inside a bucket stops the run', () => {
    const held = [slice(0, 5 * S), slice(10 * S, 15 * S)];
    expect(rollUpRuns(held, 0, 15 * S, isSealed)).toEqual([]);
  });
});

describe('combineSlices', () => {
  it('equals one slice read over the whole range: counts, first/last, pairs, keys held once', () => {
    const ips = new Dictionary(ipSortKey);
    const users = new Dictionary(keywordOrderKey);
    const row = (
      ip: string | null,
      user: string | null,
      failures: number,
      first: number,
      last: number,
      invalid = 0,
    ) => ({
      ip,
      user,
      failures,
      invalid,
      first,
      last,
    });
    const a = buildSlice(
      0,
      5 * S,
      100,
      [row('192.0.2.1', 'root', 2, 100, 4_000, 1), row(null, 'admin', 1, 200, 200)],
      1,
      ips,
      users,
    );
    const b = buildSlice(
      5 * S,
      15 * S,
      200,
      [
        row('192.0.2.1', 'root', 3, 5_100, 14_000),
        row('192.0.2.1', 'oracle', 1, 6_000, 6_000, 1),
        row('198.51.100.2', 'root', 1, 9_999, 9_999),
      ],
      2,
      ips,
      users,
    );
    const whole = buildSlice(
      0,
      15 * S,
      200,
      [
        row('192.0.2.1', 'root', 5, 100, 14_000, 1),
        row(null, 'admin', 1, 200, 200),
        row('192.0.2.1', 'oracle', 1, 6_000, 6_000, 1),
        row('198.51.100.2', 'root', 1, 9_999, 9_999),
      ],
      3,
      ips,
      users,
    );
    const combined = combineSlices([a, b], ips, users);
    expect(combined).toMatchObject({
      start: 0,
      end: 15 * S,
      queriedAt: 200,
      failures: 8,
      missingIp: 1,
      invalid: 2,
      successes: 3,
    });
    const window = { from: 0, bucketMs: 15 * S, buckets: 1 };
    const options = { maxOffenders: 10, detailed: 10, hasInvalidUser: true };
    expect(mergeSlices([combined], window, ips, users, options)).toEqual(
      mergeSlices([whole], window, ips, users, options),
    );
    expect(mergeSlices([combined], window, ips, users, options)).toEqual(
      mergeSlices([a, b], window, ips, users, options),
    );
    // The parts and the whole released, the combined slice alone holds its keys.
    for (const slice of [a, b, whole]) releaseSlice(slice, ips, users);
    expect(ips.size).toBe(2);
    expect(users.size).toBe(3);
    releaseSlice(combined, ips, users);
    expect(ips.size).toBe(0);
    expect(users.size).toBe(0);
  });
});

describe('slice storage', () => {
  it('keeps counts, times and user ids in the fewest bytes that hold them, and merges them exactly', () => {
    const ips = new Dictionary(ipSortKey);
    const users = new Dictionary(keywordOrderKey);
    // User ids past 2 bytes: 65,600 users held first.
    for (let k = 0; k < 65_600; k += 1) users.acquire(`filler${k}`);
    const slice = (start: number, end: number, rows: [string, string, number, number, number][]) =>
      buildSlice(
        start,
        end,
        end,
        rows.map(([ip, user, failures, first, last]) => ({
          ip,
          user,
          failures,
          invalid: failures,
          first,
          last,
        })),
        0,
        ips,
        users,
      );
    const small = slice(0, 15 * S, [['192.0.2.1', 'filler1', 3, 100, 14_999]]);
    const wide = slice(15 * S, 30 * S, [['192.0.2.1', 'filler2', 300, 15_000, 29_000]]);
    const huge = slice(30 * S, 45 * S, [['192.0.2.2', 'root', 70_000, 30_001, 44_999]]);
    const long = slice(45 * S, 165 * S, [['192.0.2.2', 'root', 1, 45 * S, 45 * S + 100_000]]);
    expect(small.ipFailures).toBeInstanceOf(Uint8Array);
    expect(small.pairInvalid).toBeInstanceOf(Uint8Array);
    expect(small.ipFirst).toBeInstanceOf(Uint16Array);
    expect(small.pairUser).toBeInstanceOf(Uint16Array);
    expect(wide.ipFailures).toBeInstanceOf(Uint16Array);
    expect(huge.ipFailures).toBeInstanceOf(Uint32Array);
    expect(huge.pairUser).toBeInstanceOf(Int32Array);
    expect(long.ipLast).toBeInstanceOf(Uint32Array);
    const combined = combineSlices([small, wide], ips, users);
    expect(combined.ipFailures).toBeInstanceOf(Uint16Array);
    expect(combined.ipLast).toBeInstanceOf(Uint16Array);
    const merged = mergeSlices(
      [combined, huge, long],
      { from: 0, bucketMs: 15 * S, buckets: 11 },
      ips,
      users,
      { maxOffenders: 10, detailed: 10, hasInvalidUser: true },
    );
    expect(merged.ranked.map((r) => [r.ip, r.failures, r.invalid, r.first, r.last, r.distinctUsers])).toEqual(
      [
        ['192.0.2.2', 70_001, 70_001, 30_001, 145_000, 1],
        ['192.0.2.1', 303, 303, 100, 29_000, 2],
      ],
    );
    expect(merged.users.find((user) => user.user === 'root')).toEqual({
      user: 'root',
      failures: 70_001,
      distinctIps: 1,
      invalidUserFailures: 70_001,
    });
  });
});

describe('slice builders reuse their scratch arrays', () => {
  it("a builder on a finished builder's arrays shows none of its values; one done cannot be fed", () => {
    const ips = new Dictionary(ipSortKey);
    const users = new Dictionary(keywordOrderKey);
    const rows = (n: number, base: number) =>
      Array.from({ length: n }, (_, k) => ({
        ip: `198.51.100.${k % 200}`,
        user: `u${k % 7}`,
        failures: base + k,
        invalid: k % 2,
        first: base + k,
        last: base + 2 * k,
      }));
    // Many rows first (the pooled arrays hold their values), then fewer on the same arrays.
    const big = buildSlice(0, 15 * S, 15 * S, rows(1_000, 5_000), 0, ips, users);
    const reused = buildSlice(15 * S, 30 * S, 30 * S, rows(50, 15_000), 0, ips, users);
    const fresh = buildSlice(
      15 * S,
      30 * S,
      30 * S,
      rows(50, 15_000),
      0,
      new Dictionary(ipSortKey),
      new Dictionary(keywordOrderKey),
    );
    expect(big.ips.length).toBe(200);
    expect(reused.ips.length).toBe(50);
    expect([...reused.ipFailures]).toEqual([...fresh.ipFailures]);
    expect([...reused.ipFirst]).toEqual([...fresh.ipFirst]);
    expect([...reused.ipLast]).toEqual([...fresh.ipLast]);
    expect([...reused.pairFailures]).toEqual([...fresh.pairFailures]);
    expect([...reused.pairInvalid]).toEqual([...fresh.pairInvalid]);
    expect([...reused.ips].map((id) => ips.key(id))).toEqual(
      Array.from({ length: 50 }, (_, k) => `198.51.100.${k}`),
    );
    // And the first slice is untouched by the second's use of the same arrays.
    const bigAgain = buildSlice(
      0,
      15 * S,
      15 * S,
      rows(1_000, 5_000),
      0,
      new Dictionary(ipSortKey),
      new Dictionary(keywordOrderKey),
    );
    expect([...big.ipFailures]).toEqual([...bigAgain.ipFailures]);
    expect([...big.ipLast]).toEqual([...bigAgain.ipLast]);
    expect([...big.pairFailures]).toEqual([...bigAgain.pairFailures]);
    const builder = new SliceBuilder(0, 5 * S, ips, users, 10);
    builder.add('192.0.2.9', 'root', 1, 0, 10, 10);
    builder.finish(5 * S, 0);
    expect(() => builder.add('192.0.2.9', 'root', 1, 0, 11, 11)).toThrow(/after finish/);
  });
});

describe('PartCache.rollUp', () => {
  const terms = (keys: string[], counts: number[], complete = true) => ({ keys, counts, complete });
  const part = (host: string, count: number): DetailPart => ({
    hosts: terms([host], [count]),
    country: terms(['NL'], [count]),
    asn: terms([], []),
    asOrg: terms([], []),
  });

  it('an IP with a part for every slice combined keeps one combined part; another loses its parts', () => {
    const cache = new PartCache<DetailPart>();
    const t1 = {};
    const t2 = {};
    const tables = new Map<number, object>([
      [0, t1],
      [5, t2],
    ]);
    cache.keep(
      '192.0.2.1',
      [0, 5],
      tables,
      new Map([
        [0, part('web', 2)],
        [5, part('db', 1)],
      ]),
      part('none', 0),
    );
    cache.keep('192.0.2.2', [0], tables, new Map([[0, part('web', 1)]]), part('none', 0));
    const combined = {};
    cache.rollUp(
      [
        { start: 0, table: t1 },
        { start: 5, table: t2 },
      ],
      0,
      combined,
      combineDetailParts,
    );
    const held = new Map<number, object>([[0, combined]]);
    expect(cache.firstMissing('192.0.2.1', [0], 15, held)).toBe(15);
    expect(cache.window('192.0.2.1', [0], part('none', 0))[0]).toEqual({
      hosts: terms(['web', 'db'], [2, 1]),
      country: terms(['NL'], [3]),
      asn: terms([], []),
      asOrg: terms([], []),
    });
    expect(cache.firstMissing('192.0.2.2', [0], 15, held)).toBe(0);
  });

  it('successes combine in slice order: totals add, earliest first, latest last', () => {
    const sample = (at: number) => ({ at, user: `u${at}` });
    expect(
      combineSuccessParts([
        { total: 2, earliest: [sample(1), sample(2)], latest: [sample(2), sample(1)] },
        { total: 1, earliest: [sample(9)], latest: [sample(9)] },
      ]),
    ).toEqual({
      total: 3,
      earliest: [sample(1), sample(2), sample(9)],
      latest: [sample(9), sample(2), sample(1)],
    });
  });
});

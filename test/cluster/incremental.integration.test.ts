// Incremental snapshots (source/cluster/incremental/) against real Elasticsearch and
// OpenSearch: after every poll of random sequences — events arriving in order, late (within
// the margin), and leaving the window — the incremental snapshot equals the full-window
// snapshot (fetchSnapshot) field for field, except the timings (took, fetchMs, fetchedAt).
// The data are random but seeded (the seed is in the test name), over three services: SSH
// and RDP in ECS (ip-typed source.ip, events without a source address) and a custom schema
// whose IP is a keyword with "-" and "" for "no source" (its own key order).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seededRandom } from '../../bench/seeded-random.mjs';
import { createClusterClient } from '../../source/cluster/client.js';
import { fetchSnapshot, fetchSnapshots } from '../../source/cluster/fetch.js';
import {
  createIncrementalSnapshots,
  type IncrementalSnapshots,
  LATE_MARGIN_MS,
} from '../../source/cluster/incremental/engine.js';
import type { BackendKind, ClusterClient } from '../../source/cluster/types.js';
import { builtInServices } from '../../source/config/services.js';
import type { Config } from '../../source/config/types.js';
import type { Snapshot } from '../../source/contracts/snapshot.js';
import { testConfig } from '../support/config.js';
import {
  buildSeed,
  deleteIndices,
  legacyMappings,
  legacyService,
  type SeedDoc,
  seedCustomRules,
  seedIndex,
  sshDoc,
  WINDOW_MS,
  windowsDoc,
} from '../support/seed.js';

const backends: { kind: BackendKind; url: () => string }[] = [
  { kind: 'elasticsearch', url: () => inject('esUrl') },
  { kind: 'opensearch', url: () => inject('opensearchUrl') },
];

/**
 * The snapshot without what differs by nature between two round trips: timings. With
 * `truncated`, also without the success-after-failure fields of offenders when the service
 * had more IPs than maxOffenders: the full query samples successes for the top IPs by
 * failures AND successes, so an offender outside that ranking reads 0 there even when it
 * had successes after its failures; the incremental path samples every offender shown
 * (exact where the full path is not).
 */
function comparable(snapshot: Snapshot, truncated = false): unknown {
  const { took: _t, fetchMs: _f, fetchedAt: _a, services, ...rest } = snapshot;
  return {
    ...rest,
    services: services.map(({ took: _took, ...service }) =>
      truncated && service.offendersTruncated
        ? {
            ...service,
            offenders: service.offenders.map(
              ({ successesAfterFailure: _s, firstSuccessAfterFailure: _f2, successUser: _u, ...offender }) =>
                offender,
            ),
          }
        : service,
    ),
  };
}

/**
 * One poll; when the full query answered it (slices being read in the background: a first
 * poll, a gap), the same poll again once they are in, which the slices must answer.
 */
async function polls(
  engine: IncrementalSnapshots,
  windowMs: number,
  options: Parameters<IncrementalSnapshots['fetch']>[1],
): Promise<Snapshot[]> {
  const answers = [await engine.fetch(windowMs, options)];
  if (engine.stats().lastAnsweredInFull) {
    await engine.settled();
    answers.push(await engine.fetch(windowMs, options));
    expect(engine.stats().lastAnsweredInFull).toBe(false);
  }
  return answers;
}

/** One bulk request into several indices, refreshed: one round trip per arrival. */
async function bulk(url: string, docs: { index: string; doc: SeedDoc }[]): Promise<void> {
  if (docs.length === 0) return;
  const lines = docs.map(
    ({ index, doc }) => `${JSON.stringify({ create: { _index: index } })}\n${JSON.stringify(doc)}`,
  );
  const response = await fetch(`${url}/_bulk?refresh=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: `${lines.join('\n')}\n`,
  });
  const answer = (await response.json()) as { errors?: boolean; items?: unknown[] };
  if (!response.ok || answer.errors) throw new Error(`bulk: ${JSON.stringify(answer.items?.[0])}`);
}

/** Random events at `times`, over a small key space so ties, repeats and truncation happen. */
function randomDocs(
  random: () => number,
  times: number[],
): { ssh: SeedDoc[]; rdp: SeedDoc[]; legacy: SeedDoc[] } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const ips = [
    '203.0.113.10',
    '203.0.113.9',
    '198.51.100.7',
    '2001:db8::bad',
    '2001:db8::1',
    '10.0.0.5',
    '192.0.2.55',
    '192.0.2.200',
  ];
  const users = ['root', 'admin', 'oracle', 'ubuntu', 'test', 'Administrator', 'zoë', 'user𝟙'];
  const legacyIps = ['192.0.2.10', '192.0.2.9', '192.0.2.100', '-', '', '10.1.1.1'];
  const out = { ssh: [] as SeedDoc[], rdp: [] as SeedDoc[], legacy: [] as SeedDoc[] };
  for (const at of times) {
    const which = random();
    if (which < 0.45) {
      const kind = pick(['Failed', 'Failed', 'Invalid', 'FailedInvalidUser', 'Accepted'] as const);
      out.ssh.push(
        sshDoc({ at, ip: pick(ips), user: pick(users), kind, host: pick(['web-1', 'web-2', 'db']) }),
      );
    } else if (which < 0.75) {
      const success = random() < 0.15;
      out.rdp.push(
        windowsDoc({
          at,
          code: success ? '4624' : '4625',
          ...(random() < 0.15 ? {} : { ip: pick(ips) }),
          user: pick(users),
          host: pick(['DC-01', 'WS-02']),
          logonTypeName: success ? 'RemoteInteractive' : 'Network',
          subStatus: random() < 0.4 ? '0xC0000064' : '0xC000006A',
        }),
      );
    } else {
      out.legacy.push({
        timestamp: new Date(at).toISOString(),
        ip_address: pick(legacyIps),
        username: pick(users),
        hostname: 'bastion',
        status: random() < 0.2 ? 'accepted' : 'failed',
        message: 'login',
      });
    }
  }
  return out;
}

describe.each(backends)('incremental snapshots on $kind', ({ kind, url }) => {
  const prefix = `test-incr-${randomUUID().slice(0, 8)}`;
  const indices = { ssh: `${prefix}-ssh`, rdp: `${prefix}-rdp`, legacy: `${prefix}-legacy` };
  let client: ClusterClient;
  const config = (overrides: Partial<Config> = {}) =>
    testConfig({
      nodes: [url()],
      indexPattern: `${prefix}-ssh,${prefix}-rdp`,
      services: [...builtInServices(), legacyService(indices.legacy)],
      customRules: seedCustomRules(indices.ssh),
      ...overrides,
    });

  /** Random events at `times` (randomDocs) into the three services' indices, refreshed. */
  const writeRandom = async (random: () => number, times: number[]) => {
    const docs = randomDocs(random, times);
    await bulk(url(), [
      ...docs.ssh.map((doc) => ({ index: indices.ssh, doc })),
      ...docs.rdp.map((doc) => ({ index: indices.rdp, doc })),
      ...docs.legacy.map((doc) => ({ index: indices.legacy, doc })),
    ]);
  };

  beforeAll(async () => {
    await seedIndex(url(), kind, indices.ssh, []);
    await seedIndex(url(), kind, indices.rdp, []);
    await seedIndex(url(), kind, indices.legacy, [], legacyMappings('keyword'));
    client = await createClusterClient(config(), {});
  });
  afterAll(async () => {
    await client?.close();
    await deleteIndices(url(), Object.values(indices));
  });

  it('equals the full snapshot on the seeded known-truth data', async () => {
    const seed = buildSeed(Date.now());
    const seedPrefix = `${prefix}-seed`;
    const seeded = { ssh: `${seedPrefix}-ssh`, rdp: `${seedPrefix}-rdp`, legacy: `${seedPrefix}-legacy` };
    try {
      await seedIndex(url(), kind, seeded.ssh, seed.docs.ssh);
      await seedIndex(url(), kind, seeded.rdp, seed.docs.rdp);
      await seedIndex(url(), kind, seeded.legacy, seed.docs.legacy, legacyMappings('keyword'));
      for (const maxOffenders of [500, 2]) {
        const seedConfig = config({
          indexPattern: `${seeded.ssh},${seeded.rdp}`,
          services: [...builtInServices(), legacyService(seeded.legacy)],
          customRules: seedCustomRules(seeded.ssh),
          maxOffenders,
        });
        const engine = createIncrementalSnapshots(client, seedConfig);
        const answers = await polls(engine, WINDOW_MS, { now: seed.now, includeNewest: true });
        const [full] = await fetchSnapshots(
          client,
          seedConfig,
          [{ windowMs: WINDOW_MS, includeNewest: true }],
          {
            now: seed.now,
          },
        );
        if (!full) throw new Error('no snapshot');
        expect(answers).toHaveLength(2); // the first poll is the full query's
        for (const incremental of answers) {
          expect(incremental.services[0]?.newestEvent).toEqual(expect.any(String));
          expect(comparable(incremental)).toEqual(comparable(full));
          expect(incremental.services[0]?.failures).toBeGreaterThan(0);
        }
      }
    } finally {
      await deleteIndices(url(), Object.values(seeded));
    }
  });

  it('equals the full "as of" snapshot when stepped through past times, forward and back', async () => {
    const random = seededRandom(kind === 'opensearch' ? 4242 : 4241);
    const windowMs = 5 * 60_000; // buckets of 5 s
    const base = Date.UTC(2026, 0, 7, 10, 0, 0);
    await writeRandom(
      random,
      Array.from({ length: 300 }, () => base - windowMs + Math.floor(random() * windowMs * 2)),
    );
    const cfg = config({ windowMs });
    const engine = createIncrementalSnapshots(client, cfg, { resyncMs: Number.POSITIVE_INFINITY });
    // Not on a bucket boundary (the slices get an offset); whole-bucket steps keep them, a
    // step back drops the slices after the window, another alignment starts again.
    const ends = [base + 1_234, base + 11_234, base + 61_234, base + 31_234, base + 33_000, base + 93_000];
    for (const endAt of ends) {
      const answers = await polls(engine, windowMs, { now: Date.now(), endAt });
      const [full] = await fetchSnapshots(client, cfg, [{ windowMs, endAt }], { now: Date.now() });
      if (!full) throw new Error('no snapshot');
      for (const incremental of answers) {
        expect(comparable(incremental), `as of ${new Date(endAt).toISOString()}`).toEqual(comparable(full));
        expect(incremental.window.to).toBe(new Date(endAt).toISOString());
      }
    }
    // Sealed slices (read long after their end) are not asked again.
    await engine.fetch(windowMs, { now: Date.now(), endAt: base + 93_000 });
    expect(engine.stats().lastSlicesRead).toBe(0);
  });

  it('with slices finer than the buckets, as-of steps of less than a bucket keep the slices and equal the full snapshot', async () => {
    // Replay lanes step the slow window by less than its bucket (replay/incremental.ts).
    const random = seededRandom(kind === 'opensearch' ? 5252 : 5251);
    const windowMs = 5 * 60_000; // buckets of 5 s, slices of 1 s
    const base = Date.UTC(2026, 0, 8, 10, 0, 0);
    await writeRandom(
      random,
      Array.from({ length: 300 }, () => base - windowMs + Math.floor(random() * (windowMs + 20_000))),
    );
    const cfg = config({ windowMs });
    const engine = createIncrementalSnapshots(client, cfg, {
      resyncMs: Number.POSITIVE_INFINITY,
      directSlices: Number.POSITIVE_INFINITY,
      sliceMs: 1000,
    });
    for (let k = 0; k < 8; k += 1) {
      const endAt = base + 1_234 + k * 2_000; // 2 s apart: never whole 5 s buckets
      const now = endAt + 60_000; // asked a minute later: all but the margin's slices seal
      const snapshot = await engine.fetch(windowMs, { now, endAt });
      expect(engine.stats().lastAnsweredInFull).toBe(false);
      // The first step reads the window's 300 slices; every later one only the 2 s new
      // since plus the ones the 30 s margin leaves unsealed.
      if (k === 0) expect(engine.stats().lastSlicesRead).toBe(300);
      else expect(engine.stats().lastSlicesRead).toBeLessThanOrEqual(2 + 30 + 1);
      const [full] = await fetchSnapshots(client, cfg, [{ windowMs, endAt }], { now });
      if (!full) throw new Error('no snapshot');
      // Every field, the timeline in the window's 5 s buckets included.
      expect(snapshot.bucketMs).toBe(5_000);
      expect(comparable(snapshot), `as of ${new Date(endAt).toISOString()}`).toEqual(comparable(full));
    }
  });

  it('a resync finds events later than the margin in sealed slices by their counts', async () => {
    const random = seededRandom(kind === 'opensearch' ? 977 : 976);
    const windowMs = 5 * 60_000;
    const now = Date.UTC(2026, 0, 8, 10, 0, 0);
    const write = (times: number[]) => writeRandom(random, times);
    await write(Array.from({ length: 120 }, () => now - Math.floor(random() * windowMs)));
    const cfg = config({ windowMs });
    const never = createIncrementalSnapshots(client, cfg, { resyncMs: Number.POSITIVE_INFINITY });
    const every = createIncrementalSnapshots(client, cfg, { resyncMs: 0 });
    await polls(never, windowMs, { now });
    await polls(every, windowMs, { now });
    // Long after the margin, into slices both engines hold sealed.
    await write(Array.from({ length: 12 }, () => now - windowMs / 2 - Math.floor(random() * 20_000)));
    const full = await fetchSnapshot(client, cfg, { windowMs, now });
    const stale = await never.fetch(windowMs, { now });
    expect(comparable(stale)).not.toEqual(comparable(full));
    // The slices whose counts moved are read again (with the margin's, more than a poll
    // reads itself here: the full path answers meanwhile); the slices then answer.
    for (const resynced of await polls(every, windowMs, { now }))
      expect(comparable(resynced)).toEqual(comparable(full));
    expect(every.stats().lastResync).toBe(true);
  });

  it('live polls 5 s apart read only the newest seconds, read again slices whose counts moved, combine sealed ones, and equal the full snapshot', async () => {
    const random = seededRandom(kind === 'opensearch' ? 6262 : 6261);
    const windowMs = 15 * 60_000; // the console's default: 15 s buckets
    const base = Date.UTC(2026, 0, 9, 10, 0, 0) + 321;
    const write = (times: number[]) => writeRandom(random, times);
    await write(Array.from({ length: 400 }, () => base - Math.floor(random() * windowMs * 1.2)));
    const cfg = config({ windowMs });
    const engine = createIncrementalSnapshots(client, cfg, { resyncMs: Number.POSITIVE_INFINITY });
    let moved = 0;
    let now = base;
    for (let poll = 0; poll < 24; poll += 1) {
      const answers = await polls(engine, windowMs, { now });
      const full = await fetchSnapshot(client, cfg, { windowMs, now });
      const what = `poll ${poll} at ${new Date(now).toISOString()}`;
      for (const incremental of answers) expect(comparable(incremental), what).toEqual(comparable(full));
      if (poll > 0) {
        // Hot seconds read again, the new ones, a bucket boundary, and slices whose counts moved.
        expect(engine.stats().lastAnsweredInFull, what).toBe(false);
        expect(engine.stats().lastSlicesRead - engine.stats().lastMoved, what).toBeLessThanOrEqual(4);
      }
      moved += engine.stats().lastMoved;
      // Next poll 5 s later: events in order up to it, and every other poll some that arrive
      // late (stamped 3–25 s before: after the hot seconds, within the margin).
      const previous = now;
      now += 5_000;
      const late =
        poll % 2 === 1 ? Array.from({ length: 3 }, () => now - 3_000 - Math.floor(random() * 22_000)) : [];
      await write([...Array.from({ length: 8 }, () => previous + Math.floor(random() * 5_000)), ...late]);
    }
    expect(moved).toBeGreaterThan(0);
    expect(engine.stats().rolledUp).toBeGreaterThan(0);
    // About a slice per bucket (60) and service (3), plus the recent seconds' slices.
    expect(engine.stats().slices).toBeLessThanOrEqual(3 * (60 + 10));
  });

  // One seeded sequence per backend (each takes ~15 s on a loaded 2-core machine).
  it.each([1])(
    'equals the full snapshot after every poll of a random sequence (seed %i)',
    async (seedNumber) => {
      const random = seededRandom(seedNumber * 7919 + (kind === 'opensearch' ? 1 : 0));
      const base = Date.UTC(2026, 0, 5, 10, 0, 0) + seedNumber * 86_400_000;
      const windowMs = 5 * 60_000; // 60 buckets of 5 s: many slices leave the window
      // Every IP shown, and only the top 5 (truncation and ties in the ranking). The second
      // keeps one term per (IP, slice) of the rows' details: an IP with two hosts in a slice
      // is answered by the window-wide details search.
      const configs = [config({ windowMs }), config({ windowMs, maxOffenders: 5 })];
      const engines = configs.map((cfg, index) =>
        createIncrementalSnapshots(client, cfg, {
          resyncMs: Number.POSITIVE_INFINITY,
          ...(index === 1 ? { sliceTerms: 1 } : {}),
        }),
      );
      const rows = { kept: 0, asked: 0, wide: 0 };
      let now = base;
      const write = (times: number[]) => writeRandom(random, times);
      // History before the first poll, some of it older than the window.
      await write(Array.from({ length: 150 }, () => now - Math.floor(random() * windowMs * 1.5)));
      const kinds: string[] = [];
      let fromSlices = 0;
      let moved = 0;
      for (let poll = 0; poll < 6; poll += 1) {
        for (const [index, engine] of engines.entries()) {
          const cfg = configs[index]!;
          const answers = await polls(engine, windowMs, { now });
          fromSlices += engine.stats().lastAnsweredInFull ? 0 : 1;
          moved += engine.stats().lastMoved;
          const { kept, asked, wide } = engine.stats().lastRows;
          rows.kept += kept;
          rows.asked += asked;
          rows.wide += wide;
          const full = await fetchSnapshot(client, cfg, { windowMs, now });
          const what = `poll ${poll} at ${new Date(now).toISOString()}, maxOffenders ${cfg.maxOffenders}`;
          for (const incremental of answers) {
            expect(comparable(incremental, true), what).toEqual(comparable(full, true));
            if (index === 0) expect(comparable(incremental), what).toEqual(comparable(full));
          }
        }
        // Next: the clock moves on (sometimes by more than the margin, sometimes by a large part
        // of the window, so slices leave it), events arrive in order and late.
        const step = pickStep(random, windowMs);
        const previous = now;
        now += step;
        const inOrder = Array.from(
          { length: 10 + Math.floor(random() * 30) },
          () => previous + Math.floor(random() * step),
        );
        const late = Array.from(
          { length: Math.floor(random() * 12) },
          () => now - Math.floor(random() * LATE_MARGIN_MS),
        );
        // Events stamped after the poll time but inside the window's last bucket count too.
        const future = random() < 0.3 ? [now + 1] : [];
        kinds.push(`${step}ms +${inOrder.length} late ${late.length}`);
        await write([...inOrder, ...late, ...future]);
      }
      expect(kinds).toHaveLength(6);
      expect(fromSlices).toBe(12);
      expect(moved).toBeGreaterThan(0);
      // Rows were answered from kept parts of sealed slices, asked over the window, and
      // (one term per slice) by the window-wide search: all three paths were compared.
      expect(rows.kept).toBeGreaterThan(0);
      expect(rows.asked).toBeGreaterThan(0);
      expect(rows.wide).toBeGreaterThan(0);
    },
  );
});

function pickStep(random: () => number, windowMs: number): number {
  const r = random();
  if (r < 0.4) return 1_000 + Math.floor(random() * 6_000);
  if (r < 0.8) return 10_000 + Math.floor(random() * 40_000);
  return Math.floor(windowMs * (0.2 + random() * 0.5));
}

// Consoles on one host sharing polls (source/cluster/share/), end to end: pollers against a
// real Elasticsearch (the global setup's), each with its own client, three in step. Only the
// leading console's client sends searches; every console gets the same snapshot at every
// tick; when the leader stops, another takes over without a failed poll. A leader frozen for
// real (SIGSTOP, in a process of its own) does not freeze its followers: they poll alone.
// Elasticsearch only: the sharing sits above the queries, which the snapshot and incremental
// tests run on both backends.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClusterClient } from '../../source/cluster/client.js';
import {
  createPoller,
  type Poller,
  type PollerStatus,
  type PollResult,
} from '../../source/cluster/poller.js';
import { createSharedPolls } from '../../source/cluster/share/shared-polls.js';
import type { ClusterClient } from '../../source/cluster/types.js';
import type { Snapshot } from '../../source/contracts/snapshot.js';
import { clusterAuditStore } from '../../source/slack/audit-store.js';
import { testConfig } from '../support/config.js';
import { deleteIndices, seedIndex, sshDoc } from '../support/seed.js';

const url = () => inject('esUrl');
const index = `test-share-${randomUUID().slice(0, 8)}-ssh`;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'soc-watch-share-it-'));
  chmodSync(dir, 0o700);
  const now = Date.now();
  await seedIndex(
    url(),
    'elasticsearch',
    index,
    Array.from({ length: 40 }, (_, i) =>
      sshDoc({
        at: now - (i + 1) * 10_000,
        ip: `192.0.2.${1 + (i % 4)}`,
        user: 'root',
        kind: 'Failed',
        host: 'h1',
      }),
    ),
  );
});
afterAll(async () => {
  await deleteIndices(url(), [index]);
  rmSync(dir, { recursive: true, force: true });
});

/** The client with its `_msearch` (polls) and `_search` (other reads) calls counted. */
function counted(client: ClusterClient): {
  client: ClusterClient;
  searches: () => number;
  reads: () => number;
} {
  let searches = 0;
  let reads = 0;
  const wrapped = new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'msearch')
        return (...args: Parameters<ClusterClient['msearch']>) => {
          searches += 1;
          return target.msearch(...args);
        };
      if (property === 'search')
        return (...args: Parameters<ClusterClient['search']>) => {
          reads += 1;
          return target.search(...args);
        };
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { client: wrapped, searches: () => searches, reads: () => reads };
}

describe('consoles on one host share polls (Elasticsearch)', () => {
  it('one client searches for three consoles; each gets the same snapshot every tick; another leads when it stops', async () => {
    const config = testConfig({ nodes: [url()], indexPattern: index, refreshMs: 1_000 });
    const socket = join(dir, 'poll.sock');
    const consoles = await Promise.all(
      ['a', 'b', 'c'].map(async (name) => {
        const { client, searches, reads } = counted(await createClusterClient(config, {}));
        const results: PollResult[] = [];
        const statuses: PollerStatus[] = [];
        const roles: string[] = [];
        const poller: Poller = createPoller({
          config,
          client,
          onResult: (result) => results.push(result),
          onStatus: (status) => statuses.push(status),
          share: { socketPath: () => socket, onRole: (role) => roles.push(role) },
        });
        return { name, client, searches, reads, results, statuses, roles, poller };
      }),
    );
    try {
      // The first starts alone (it leads); the others join a tick later.
      consoles[0]!.poller.start();
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const console_ of consoles.slice(1)) console_.poller.start();
      await new Promise((resolve) => setTimeout(resolve, 4_500));
      const [a, b, c] = consoles as [(typeof consoles)[0], (typeof consoles)[0], (typeof consoles)[0]];
      expect(a.roles).toEqual(['leader']);
      expect(b.roles).toEqual(['follower']);
      expect(c.roles).toEqual(['follower']);
      expect(b.searches()).toBe(0);
      expect(c.searches()).toBe(0);
      expect(a.searches()).toBeGreaterThan(0);
      // At a tick they share, a follower's snapshot is the leader's (the same poll, field for
      // field). Not every tick is shared: a follower's first poll (it starts off the tick), or
      // a tick the leader's timer reaches later than the reuse tolerance (a loaded machine),
      // is a poll the leader makes for that follower alone, with the leader's client all the
      // same (the search counts above).
      const byTime = new Map(a.results.map(({ snapshot }) => [snapshot.fetchedAt, snapshot]));
      for (const follower of [b, c]) {
        expect(follower.results.length).toBeGreaterThanOrEqual(3);
        const shared = follower.results.filter(({ snapshot }) => byTime.has(snapshot.fetchedAt));
        expect(shared.length).toBeGreaterThanOrEqual(2);
        for (const { snapshot } of shared) expect(snapshot).toEqual(byTime.get(snapshot.fetchedAt));
      }
      const ssh = (snapshot: Snapshot) => snapshot.services.find((service) => service.service === 'ssh')!;
      expect(ssh(b.results.at(-1)!.snapshot).failures).toBe(40);

      // The escalation audit trail, read by each console after its poll (as session.tsx's
      // escalator does): one search, by the leader's client, for all three.
      const audit = `${index}-escalations`;
      const readAudit = (console_: typeof a) =>
        console_.poller.read(
          `escalations:${audit}`,
          (at) => clusterAuditStore(console_.client, audit).recent(at.now - 86_400_000, undefined, at.signal),
          new AbortController().signal,
        );
      const readsBefore = consoles.map((console_) => console_.reads());
      expect(await readAudit(a)).toEqual([]);
      expect(await Promise.all([readAudit(b), readAudit(c)])).toEqual([[], []]);
      expect(consoles.map((console_, i) => console_.reads() - readsBefore[i]!)).toEqual([1, 0, 0]);

      // The leader quits: a follower leads from its next poll; nobody misses a poll.
      await a.poller.stop();
      const before = b.results.length + c.results.length;
      const searchesBefore = b.searches() + c.searches();
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      expect(b.results.length + c.results.length).toBeGreaterThanOrEqual(before + 4);
      expect(b.searches() + c.searches()).toBeGreaterThan(searchesBefore);
      const leaders = [b, c].filter((console_) => console_.roles.at(-1) === 'leader');
      expect(leaders).toHaveLength(1);
      expect(
        [...b.statuses, ...c.statuses].some(
          (status) => status.kind !== 'live' && status.kind !== 'connecting',
        ),
      ).toBe(false);
      const last = (console_: typeof b) => console_.results.at(-1)!.snapshot.fetchedAt;
      expect(last(b)).toBe(last(c));
    } finally {
      await Promise.all(
        consoles.map(async ({ poller, client }) => {
          await poller.stop();
          await client.close();
        }),
      );
    }
  }, 60_000);

  it('a leader frozen for real (SIGSTOP) does not freeze its follower: it polls alone', async () => {
    const socket = join(dir, 'frozen.sock');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/share-leader.ts', socket], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const said = await new Promise<string>((resolve) =>
        child.stdout!.once('data', (data) => resolve(String(data))),
      );
      expect(said.trim()).toBe('leading');
      const roles: string[] = [];
      let own = 0;
      const polls = createSharedPolls({
        socketPath: () => socket,
        local: async (_window, { now }) => {
          own += 1;
          return { fetchedAt: `self@${now}` } as unknown as Snapshot;
        },
        refreshMs: 1_000,
        requestTimeoutMs: 200,
        onRole: (role) => roles.push(role),
      });
      const window = { windowMs: 900_000, includeCustomRules: true };
      const signal = new AbortController().signal;
      try {
        const [shared] = await polls.fetch([window], { now: Date.now(), signal });
        expect(shared?.fetchedAt).toMatch(/^child@/);
        expect(own).toBe(0);
        child.kill('SIGSTOP');
        const asked = Date.now();
        const [alone] = await polls.fetch([window], { now: asked + 2_000, signal });
        // It waited for the leader as long as a poll may take (3 × 200 ms + 5 s), then polled itself.
        expect(Date.now() - asked).toBeGreaterThanOrEqual(5_500);
        expect(alone?.fetchedAt).toBe(`self@${asked + 2_000}`);
        expect(roles).toEqual(['follower', 'alone']);
        // For a while it does not wait on the frozen leader again.
        const quick = Date.now();
        await polls.fetch([window], { now: asked + 4_000, signal });
        expect(Date.now() - quick).toBeLessThan(1_000);
        expect(own).toBe(2);
      } finally {
        await polls.close();
      }
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});

// Polls shared between consoles on one host (source/cluster/share/): real Unix sockets in a
// private temporary directory; the cluster is stood in for by `local`, a counter that
// answers with a snapshot naming who polled and for when (the sharing is under test here;
// the same path against a real Elasticsearch is in shared-polls.integration.test.ts).
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FetchWindow } from '../../source/cluster/fetch.js';
import { pollIdentity } from '../../source/cluster/share/poll-identity.js';
import {
  privateShareDir,
  shareSalt,
  shareSocketPath,
  unsafeBecause,
} from '../../source/cluster/share/private-dir.js';
import { shareSettings } from '../../source/cluster/share/share-settings.js';
import {
  createSharedPolls,
  type LocalFetch,
  reuseToleranceMs,
  type SharedPolls,
} from '../../source/cluster/share/shared-polls.js';
import { ClusterError } from '../../source/cluster/types.js';
import type { Snapshot } from '../../source/contracts/snapshot.js';
import { testConfig } from '../support/config.js';

const MAIN: FetchWindow = { windowMs: 900_000, includeCustomRules: true, includeNewest: true };
const SLOW: FetchWindow = { windowMs: 21_600_000, includeCustomRules: false };

let dir: string;
const open: SharedPolls[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'soc-watch-share-test-'));
  chmodSync(dir, 0o700);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((shared) => shared.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** A console's local poll: records (who, window, now), at most one at a time per console. */
function console_(name: string, calls: string[], options: { delayMs?: number; fail?: ClusterError } = {}) {
  let running = 0;
  let overlapped = false;
  const local: LocalFetch = async (window, { now, signal }) => {
    running += 1;
    if (running > 1) overlapped = true;
    calls.push(`${name} ${window.windowMs} @${now}`);
    try {
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      if (signal.aborted) throw new ClusterError('aborted', 'aborted');
      if (options.fail) throw options.fail;
      return { fetchedAt: `${name}@${now}`, window: { ms: window.windowMs } } as unknown as Snapshot;
    } finally {
      running -= 1;
    }
  };
  return { local, overlapped: () => overlapped };
}

function shared(local: LocalFetch, path = join(dir, 'poll.sock'), refreshMs = 2_000): SharedPolls {
  const polls = createSharedPolls({ socketPath: () => path, local, refreshMs, requestTimeoutMs: 1_000 });
  open.push(polls);
  return polls;
}

const signal = () => new AbortController().signal;
const who = (snapshot: Snapshot | undefined) => snapshot?.fetchedAt;

describe('shared polls', () => {
  it('one console polls for all with the same socket: one poll a tick, the same snapshot for each', async () => {
    const calls: string[] = [];
    const consoles = ['a', 'b', 'c'].map((name) => shared(console_(name, calls, { delayMs: 50 }).local));
    // The first to ask leads; the others follow (asked in turn so the order is known).
    const first = await consoles[0]!.fetch([MAIN], { now: 10_000, signal: signal() });
    expect(consoles[0]!.role).toBe('leader');
    const answers = await Promise.all(
      consoles.map((polls, i) => polls.fetch([MAIN], { now: 12_000 + i * 7, signal: signal() })),
    );
    expect(consoles.map((polls) => polls.role)).toEqual(['leader', 'follower', 'follower']);
    expect(who(first[0])).toBe('a@10000');
    expect(answers.map(([snapshot]) => who(snapshot))).toEqual(['a@12000', 'a@12000', 'a@12000']);
    expect(calls).toEqual(['a 900000 @10000', 'a 900000 @12000']);
  });

  it('a poll answers only asks within the tolerance; later ones poll again, in time order, one at a time', async () => {
    const calls: string[] = [];
    const leader = console_('a', calls, { delayMs: 30 });
    const a = shared(leader.local);
    const b = shared(console_('b', calls).local);
    await a.fetch([MAIN], { now: 0, signal: signal() });
    const tolerance = reuseToleranceMs(2_000);
    const [within] = await b.fetch([MAIN], { now: tolerance, signal: signal() });
    expect(who(within)).toBe('a@0');
    // b asks for a later moment while a still polls an earlier one: a's engine gets them in order.
    const late = b.fetch([MAIN], { now: 5_000, signal: signal() });
    const [own] = await a.fetch([MAIN], { now: 4_000, signal: signal() });
    expect(who(own)).toBe('a@4000');
    expect(who((await late)[0])).toBe('a@5000');
    expect(calls).toEqual(['a 900000 @0', 'a 900000 @4000', 'a 900000 @5000']);
    expect(leader.overlapped()).toBe(false);
  });

  it('each window is shared on its own (the slow window rides along when due)', async () => {
    const calls: string[] = [];
    const a = shared(console_('a', calls).local);
    const b = shared(console_('b', calls).local);
    await a.fetch([MAIN], { now: 0, signal: signal() });
    const [main, slow] = await b.fetch([MAIN, SLOW], { now: 2_000, signal: signal() });
    expect(who(main)).toBe('a@2000');
    expect(who(slow)).toBe('a@2000');
    expect((slow as unknown as { window: { ms: number } }).window.ms).toBe(SLOW.windowMs);
    expect(calls.sort()).toEqual(['a 21600000 @2000', 'a 900000 @0', 'a 900000 @2000']);
  });

  it('the leader quits: a follower leads at its next poll; a poll in flight is answered all the same', async () => {
    const calls: string[] = [];
    const a = shared(console_('a', calls, { delayMs: 300 }).local);
    const b = shared(console_('b', calls).local);
    await a.fetch([MAIN], { now: 0, signal: signal() });
    const pending = b.fetch([MAIN], { now: 2_000, signal: signal() });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await a.close(); // a's poll for b is aborted with it: b polls itself
    expect(who((await pending)[0])).toBe('b@2000');
    expect(b.role).toBe('leader');
    const c = shared(console_('c', calls).local);
    expect(who((await c.fetch([MAIN], { now: 4_000, signal: signal() }))[0])).toBe('b@4000');
    expect(c.role).toBe('follower');
  });

  it("the leader's failure is the follower's, with its kind (same cluster, same account)", async () => {
    const calls: string[] = [];
    const a = shared(
      console_('a', calls, { fail: new ClusterError('auth', '401 from the cluster', { status: 401 }) }).local,
    );
    const b = shared(console_('b', calls).local);
    await expect(a.fetch([MAIN], { now: 0, signal: signal() })).rejects.toMatchObject({ kind: 'auth' });
    const failure = await b.fetch([MAIN], { now: 2_000, signal: signal() }).catch((error) => error);
    expect(failure).toBeInstanceOf(ClusterError);
    expect(failure).toMatchObject({ kind: 'auth', status: 401, message: '401 from the cluster' });
    // Not kept: the next ask polls again.
    await expect(b.fetch([MAIN], { now: 4_000, signal: signal() })).rejects.toMatchObject({ kind: 'auth' });
    expect(calls).toEqual(['a 900000 @0', 'a 900000 @2000', 'a 900000 @4000']);
  });

  it("a follower's abort is its own: the leader's poll goes on for the others", async () => {
    const calls: string[] = [];
    const a = shared(console_('a', calls, { delayMs: 100 }).local);
    const b = shared(console_('b', calls).local);
    await a.fetch([MAIN], { now: 0, signal: signal() });
    const controller = new AbortController();
    const dropped = b.fetch([MAIN], { now: 2_000, signal: controller.signal });
    const kept = a.fetch([MAIN], { now: 2_000, signal: signal() });
    setTimeout(() => controller.abort(), 20);
    await expect(dropped).rejects.toMatchObject({ kind: 'aborted' });
    expect(who((await kept)[0])).toBe('a@2000');
  });

  it('consoles with different sockets (another window, account or setting) do not share', async () => {
    const calls: string[] = [];
    const a = shared(console_('a', calls).local, join(dir, 'one.sock'));
    const b = shared(console_('b', calls).local, join(dir, 'two.sock'));
    await a.fetch([MAIN], { now: 0, signal: signal() });
    await b.fetch([MAIN], { now: 0, signal: signal() });
    expect([a.role, b.role]).toEqual(['leader', 'leader']);
    expect(calls).toEqual(['a 900000 @0', 'b 900000 @0']);
  });

  it('a socket left by a console that was killed is taken over', async () => {
    const path = join(dir, 'poll.sock');
    const child = spawn(
      process.execPath,
      ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((resolve) => child.stdout!.once('data', resolve));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(existsSync(path)).toBe(true);
    const calls: string[] = [];
    const a = shared(console_('a', calls).local, path);
    expect(who((await a.fetch([MAIN], { now: 0, signal: signal() }))[0])).toBe('a@0');
    expect(a.role).toBe('leader');
  });

  it('a peer that is not a console (bad lines) is cut off; the leader serves the others', async () => {
    const { createConnection } = await import('node:net');
    const calls: string[] = [];
    const a = shared(console_('a', calls).local);
    await a.fetch([MAIN], { now: 0, signal: signal() });
    const stranger = createConnection(join(dir, 'poll.sock'));
    const closed = new Promise((resolve) => stranger.once('close', resolve));
    stranger.write('{"id":1,"window":{"windowMs":"all"},"now":0}\n');
    await closed;
    const b = shared(console_('b', calls).local);
    expect(who((await b.fetch([MAIN], { now: 2_000, signal: signal() }))[0])).toBe('a@2000');
  });

  it('no socket (sharing off, or a window "as of"): the console polls alone', async () => {
    const calls: string[] = [];
    const polls = createSharedPolls({
      socketPath: () => null,
      local: console_('a', calls).local,
      refreshMs: 2_000,
      requestTimeoutMs: 1_000,
    });
    open.push(polls);
    await polls.fetch([MAIN], { now: 0, signal: signal() });
    const b = shared(console_('b', calls).local);
    await b.fetch([{ ...MAIN, endAt: 5_000 }], { now: 0, signal: signal() });
    expect(calls).toEqual(['a 900000 @0', 'b 900000 @0']);
    expect([polls.role, b.role]).toEqual(['alone', 'alone']);
  });
});

describe('shared reads (the escalation audit trail after each poll)', () => {
  /** A console's own read: records (who, now) and answers with them. */
  const reader =
    (name: string, calls: string[], fail?: ClusterError) =>
    async ({ now }: { now: number; signal: AbortSignal }) => {
      calls.push(`${name} @${now}`);
      if (fail) throw fail;
      return [{ by: name, at: now }];
    };

  /** Console a leading, b following (each has polled once). */
  const leaderAndFollower = async () => {
    const a = shared(console_('a', []).local);
    const b = shared(console_('b', []).local);
    await a.fetch([MAIN], { now: 10_000, signal: signal() });
    await b.fetch([MAIN], { now: 10_000, signal: signal() });
    return { a, b };
  };

  it('the leader reads once for the consoles asking about then; alone, each reads its own', async () => {
    const calls: string[] = [];
    const consoles = ['a', 'b', 'c'].map((name) => shared(console_(name, []).local));
    // Before any poll is shared, a read is the console's own.
    expect(await consoles[1]!.read('audit', reader('b', calls), { now: 1_000, signal: signal() })).toEqual([
      { by: 'b', at: 1_000 },
    ]);
    for (const polls of consoles) await polls.fetch([MAIN], { now: 10_000, signal: signal() });
    expect(consoles.map((polls) => polls.role)).toEqual(['leader', 'follower', 'follower']);
    calls.length = 0;
    await consoles[0]!.read('audit', reader('a', calls), { now: 10_100, signal: signal() });
    const answers = await Promise.all(
      consoles
        .slice(1)
        .map((polls, i) => polls.read('audit', reader('bc'[i]!, calls), { now: 10_150, signal: signal() })),
    );
    expect(answers).toEqual([[{ by: 'a', at: 10_100 }], [{ by: 'a', at: 10_100 }]]);
    expect(calls).toEqual(['a @10100']);
    // Asked later than the tolerance: the leader reads again, once.
    const later = await Promise.all(
      consoles
        .slice(1)
        .map((polls, i) => polls.read('audit', reader('bc'[i]!, calls), { now: 14_000, signal: signal() })),
    );
    expect(later).toEqual([[{ by: 'a', at: 14_000 }], [{ by: 'a', at: 14_000 }]]);
    expect(calls).toEqual(['a @10100', 'a @14000']);
  });

  it('a read the leader has not made itself (another index) is made by the follower alone', async () => {
    const calls: string[] = [];
    const { a, b } = await leaderAndFollower();
    expect(b.role).toBe('follower');
    await a.read('audit:one', reader('a', calls), { now: 10_100, signal: signal() });
    expect(await b.read('audit:other', reader('b', calls), { now: 10_100, signal: signal() })).toEqual([
      { by: 'b', at: 10_100 },
    ]);
    expect(calls).toEqual(['a @10100', 'b @10100']);
  });

  it("the leader's read failure is the follower's, with its kind (403: the same account)", async () => {
    const calls: string[] = [];
    const { a, b } = await leaderAndFollower();
    const forbidden = new ClusterError('forbidden', 'no read on the escalation index', { status: 403 });
    await expect(
      a.read('audit', reader('a', calls, forbidden), { now: 10_100, signal: signal() }),
    ).rejects.toBe(forbidden);
    const failed = await b
      .read('audit', reader('b', calls), { now: 12_000, signal: signal() })
      .catch((e) => e);
    expect(failed).toBeInstanceOf(ClusterError);
    expect(failed).toMatchObject({ kind: 'forbidden', status: 403 });
    expect(calls).toEqual(['a @10100', 'a @12000']);
  });
});

describe('the private directory and the socket names', () => {
  const uid = process.getuid!();

  it('is made 0700 and used; a salt is made once (0600) and kept', () => {
    const path = join(dir, 'made');
    expect(privateShareDir([path], uid)).toEqual({ ok: true, path });
    expect(statSync(path).mode & 0o777).toBe(0o700);
    const salt = shareSalt(path);
    expect(salt.length).toBe(32);
    expect(statSync(join(path, 'share-salt')).mode & 0o777).toBe(0o600);
    expect(shareSalt(path).equals(salt)).toBe(true);
  });

  it('refuses a directory open to others, a symbolic link, or one of another user; takes the next candidate', () => {
    const wide = join(dir, 'wide');
    mkdirSync(wide, { mode: 0o700 });
    chmodSync(wide, 0o755);
    expect(unsafeBecause(wide, uid)).toMatch(/open to other users \(mode 755\)/);
    const link = join(dir, 'link');
    symlinkSync(wide, link);
    expect(unsafeBecause(link, uid)).toMatch(/symbolic link/);
    const theirs = join(dir, 'theirs');
    mkdirSync(theirs, { mode: 0o700 });
    if (uid === 0) {
      chownSync(theirs, 65534, 65534);
      expect(unsafeBecause(theirs, uid)).toMatch(/another user/);
    } else expect(unsafeBecause(theirs, uid + 1)).toMatch(/another user/);
    const good = join(dir, 'good');
    const chosen = privateShareDir([wide, link, good], uid);
    expect(chosen).toEqual({ ok: true, path: good });
    const none = privateShareDir([wide, link], uid);
    expect(none.ok).toBe(false);
    expect(!none.ok && none.reason).toMatch(/open to other users.*symbolic link/);
  });

  it('names a socket by everything that makes two polls the same, and reveals no credential', () => {
    const salt = Buffer.alloc(32, 7);
    const config = testConfig({ nodes: ['http://127.0.0.1:9200'] });
    const name = (password: string, windowMs = 900_000, more = {}) =>
      shareSocketPath(
        dir,
        salt,
        pollIdentity({ ...config, ...more }, { username: 'soc', password }, windowMs),
      );
    expect(name('hunter2')).toBe(name('hunter2'));
    expect(name('hunter2')).not.toBe(name('other'));
    expect(name('hunter2')).not.toBe(name('hunter2', 3_600_000));
    expect(name('hunter2')).not.toBe(name('hunter2', 900_000, { indexPattern: 'other-*' }));
    expect(name('hunter2')).not.toBe(name('hunter2', 900_000, { refreshMs: config.refreshMs + 1_000 }));
    // Thresholds are each console's: they do not split the poll.
    expect(name('hunter2')).toBe(
      name('hunter2', 900_000, {
        rules: { ...config.rules, bruteForce: { ...config.rules.bruteForce, threshold: 99 } },
      }),
    );
    expect(name('hunter2')).not.toContain('hunter2');
    expect(shareSocketPath(dir, Buffer.alloc(32, 8), 'x')).not.toBe(shareSocketPath(dir, salt, 'x'));
  });

  it('settings: off when the config says so; a socket path in the chosen directory otherwise', () => {
    const config = testConfig({ nodes: ['http://127.0.0.1:9200'] });
    expect(shareSettings({ ...config, sharePolls: false }, {}, {}, [join(dir, 'x')])).toEqual({
      ok: false,
      reason: 'sharePolls is off',
    });
    const on = shareSettings(config, {}, {}, [join(dir, 'x')]);
    expect(on.ok && on.socketPath(900_000).startsWith(join(dir, 'x', 'poll-'))).toBe(true);
    expect(readFileSync(join(dir, 'x', 'share-salt')).length).toBe(32);
  });
});

// Time travel on the real engines: a seeded timeline of known attacks is replayed poll by
// poll, and the alert timeline must be exactly the one written below from the scenario (not
// computed by the code under test); `once --at T` must find what the replay has firing at T;
// `--fail-on` must exit 3 at or above its severity; `once --json` must validate against the
// schema 2 document in docs/; an evidence bundle's query, re-run, must give the same numbers.
//
// Scenario (SSH only; minutes after B, an hour boundary 12 h ago; window 5 m, threshold 5,
// slow window 90 m (6-minute… 90 s buckets, so the as-of histogram needs an offset) refreshed
// every minute, quiet after 5 m, closed after 10 m; replay B..B+120 m, one step per minute; a
// window at step t holds the events in [t − window, t)):
//   A 203.0.113.10   20 × Failed root, 3 s apart, at 10:00 and again at 60:00 (a quiet gap)
//      → brute-force opens 11, quiet 16 (the window slid past), closed 26; reopens 61 (repeat
//        offender: high), quiet 66, closed 76. Slow brute force never fires for it: it defers
//        to the brute-force alert that reported the same failures.
//   B 198.51.100.20  12 × Failed admin, one every 7 min from 20:00 (slow, over 77 minutes)
//      → slow-brute-force opens 84 (10th failure at 83:00), quiet 89, grows and is active 91,
//        quiet 96, active 98, quiet 103, closed 113.
//   C 198.51.100.30  8 × Failed, alice…heidi, 10 s apart from 30:00 (a spray)
//      → spraying and brute-force open 31 (6 in the window), grow 32 (8), quiet 36, closed 46.
//   D 203.0.113.66   7 × Failed deploy, 30 s apart from 40:00, then Accepted deploy at 50:00
//      → brute-force opens 43 (6 in the window), grows 44, quiet 47, closed 57;
//        success-after-failure (critical) opens 51, quiet 56, closed 66.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClusterClient } from '../../source/cluster/client.js';
import { fetchSnapshots } from '../../source/cluster/fetch.js';
import type { BackendKind, ClusterClient } from '../../source/cluster/types.js';
import type { CommandContext } from '../../source/commands/context.js';
import { onceCommand } from '../../source/commands/once.js';
import { replayCommand } from '../../source/commands/replay.js';
import { builtInServices } from '../../source/config/services.js';
import type { Config } from '../../source/config/types.js';
import { handleKey } from '../../source/console/keys/handle-key.js';
import { alertList } from '../../source/console/state/selectors.js';
import { type AppState, initialState } from '../../source/console/state/state.js';
import { createStore, type Store } from '../../source/console/state/store.js';
import { asOfTravel, type ReplayTravel, replayTravel } from '../../source/console/state/travel-state.js';
import { playerSteps, startTravel, type TravelSpec } from '../../source/console/travel.js';
import type { AlertRecord } from '../../source/detect/alert-record.js';
import type { DetectorState } from '../../source/detect/detector.js';
import { detectionSettings } from '../../source/detect/settings.js';
import type { EvidenceBundle } from '../../source/evidence/bundle.js';
import { runReplay, runSteppedReplay } from '../../source/replay/engine.js';
import { incrementalStepper } from '../../source/replay/incremental.js';
import { detectionWindows, replaySteps } from '../../source/replay/steps.js';
import { episodes, type TimelineEvent } from '../../source/replay/timeline.js';
import { testConfig } from '../support/config.js';
import { deleteIndices, type SeedDoc, seedIndex, sshDoc } from '../support/seed.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const BASE = Math.floor(Date.now() / HOUR) * HOUR - 12 * HOUR;
const at = (minutes: number, seconds = 0) => BASE + minutes * MINUTE + seconds * 1000;

function scenario(): SeedDoc[] {
  const docs: SeedDoc[] = [];
  const ssh = (when: number, ip: string, user: string, kind: 'Failed' | 'Accepted' = 'Failed') =>
    docs.push(sshDoc({ at: when, ip, user, kind, host: 'web-1' }));
  for (const start of [10, 60]) for (let i = 0; i < 20; i++) ssh(at(start, i * 3), '203.0.113.10', 'root');
  for (let i = 0; i < 12; i++) ssh(at(20 + 7 * i), '198.51.100.20', 'admin');
  for (const [i, user] of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'].entries())
    ssh(at(30, i * 10), '198.51.100.30', user);
  for (let i = 0; i < 7; i++) ssh(at(40, i * 30), '203.0.113.66', 'deploy');
  ssh(at(50), '203.0.113.66', 'deploy', 'Accepted');
  return docs;
}

const A = 'brute-force|ssh|203.0.113.10';
const B = 'slow-brute-force|ssh|198.51.100.20';
const C1 = 'spraying|ssh|198.51.100.30';
const C2 = 'brute-force|ssh|198.51.100.30';
const D1 = 'brute-force|ssh|203.0.113.66';
const D2 = 'success-after-failure|ssh|203.0.113.66';

/** [minute after B, event, alert id], as the scenario says. */
const EXPECTED: [number, TimelineEvent['kind'], string][] = order([
  [11, 'opened', A],
  [16, 'quiet', A],
  [26, 'closed', A],
  [31, 'opened', C1],
  [31, 'opened', C2],
  [32, 'grew', C1],
  [32, 'grew', C2],
  [36, 'quiet', C1],
  [36, 'quiet', C2],
  [43, 'opened', D1],
  [44, 'grew', D1],
  [46, 'closed', C1],
  [46, 'closed', C2],
  [47, 'quiet', D1],
  [51, 'opened', D2],
  [56, 'quiet', D2],
  [57, 'closed', D1],
  [61, 'opened', A],
  [66, 'closed', D2],
  [66, 'quiet', A],
  [76, 'closed', A],
  [84, 'opened', B],
  [89, 'quiet', B],
  [91, 'active', B],
  [91, 'grew', B],
  [96, 'quiet', B],
  [98, 'active', B],
  [98, 'grew', B],
  [103, 'quiet', B],
  [113, 'closed', B],
]);

function order<T extends [number, string, string]>(rows: T[]): T[] {
  return rows.sort((x, y) => x[0] - y[0] || x[2].localeCompare(y[2]) || x[1].localeCompare(y[1]));
}

function sorted(events: readonly TimelineEvent[]): [number, string, string][] {
  return order(
    events.map((event): [number, string, string] => [(event.at - BASE) / MINUTE, event.kind, event.alertId]),
  );
}

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return { stream, text: () => text };
}

async function run(
  command: typeof onceCommand,
  config: Config,
  flags: Record<string, unknown>,
  configDirectory?: string,
) {
  const stdout = capture();
  const stderr = capture();
  const context: CommandContext = {
    config,
    secrets: {},
    input: [],
    flags,
    warnings: [],
    persist: { set: () => {} },
    ...(configDirectory ? { configDirectory } : {}),
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: new PassThrough(),
    signal: new AbortController().signal,
  };
  const code = await command(context);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The console's store with its travel shell (no terminal: the screen is a function of this state). */
async function travelConsole(config: Config, spec: TravelSpec, settled: (state: AppState) => boolean) {
  const ctx = {
    config,
    secrets: {},
    input: [],
    flags: {},
    warnings: [],
    persist: { set: () => {} },
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    signal: new AbortController().signal,
  } as CommandContext;
  const base = initialState({
    now: Date.now(),
    services: config.services.map((service) => ({ name: service.name, label: service.label })),
    cluster: 'test',
    indexPattern: config.indexPattern,
    refreshMs: config.refreshMs,
    windowMs: config.windowMs,
    settings: detectionSettings(config),
  });
  const steps = spec.kind === 'replay' ? playerSteps(spec, ctx) : [];
  const travel =
    spec.kind === 'as-of'
      ? asOfTravel(spec.at, config.refreshMs)
      : replayTravel(
          spec.from,
          spec.to,
          steps.map((step) => step.at),
          steps[1]!.at - steps[0]!.at,
        );
  const store: Store = createStore({ ...base, travel });
  const lifetime = new AbortController();
  const shell = startTravel(ctx, store, spec, lifetime.signal);
  const wait = async () => {
    for (let i = 0; i < 1200 && !settled(store.getState()); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(store.getState().flash).toBeNull();
    expect(settled(store.getState())).toBe(true);
  };
  await wait();
  return {
    store,
    shell,
    wait,
    stop: async () => {
      lifetime.abort();
      await shell.stop();
    },
  };
}

const backends: { kind: BackendKind; url: () => string }[] = [
  { kind: 'elasticsearch', url: () => inject('esUrl') },
  { kind: 'opensearch', url: () => inject('opensearchUrl') },
];

describe.each(backends)('time travel on $kind', ({ kind, url }) => {
  const index = `test-timetravel-${randomUUID().slice(0, 8)}`;
  let config: Config;
  let client: ClusterClient;
  let directory: string;
  const states = new Map<number, DetectorState>();
  const fullStates = new Map<number, DetectorState>();
  let events: TimelineEvent[] = [];
  let fullEvents: TimelineEvent[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'soc-watch-evidence-'));
    await seedIndex(url(), kind, index, scenario());
    config = testConfig({
      nodes: [url()],
      indexPattern: index,
      escalationIndex: `${index}-escalations`,
      services: builtInServices().filter((service) => service.name === 'ssh'),
      windowMs: 5 * MINUTE,
      rules: {
        slowBruteForce: { enabled: true, threshold: 10, windowMs: 90 * MINUTE, refreshMs: MINUTE },
        quietAfterMs: 5 * MINUTE,
        closeAfterMs: 10 * MINUTE,
      },
      evidenceDir: join(directory, 'bundles'),
      // Two shared engines on a loaded 2-core machine: a batch of steps may wait its turn.
      requestTimeoutMs: 120_000,
    });
    client = await createClusterClient(config, {});
    const windows = detectionWindows(config);
    const steps = replaySteps(at(0), at(120), MINUTE, windows);
    // The product's design (the incremental snapshots stepped as of each step) and the
    // batched full polls: every step's alerts must be the same.
    const result = await runSteppedReplay({
      steps,
      windows,
      settings: detectionSettings(config),
      lane: (laneSteps) => incrementalStepper(client, config, windows, laneSteps).answer,
      onStep: (step, state) => states.set((step.at - BASE) / MINUTE, state),
    });
    events = result.events;
    const full = await runReplay({
      steps,
      windows,
      settings: detectionSettings(config),
      fetch: (fetchWindows, signal) =>
        fetchSnapshots(client, config, fetchWindows, { now: 0, ...(signal ? { signal } : {}) }),
      onStep: (step, state) => fullStates.set((step.at - BASE) / MINUTE, state),
    });
    fullEvents = full.events;
  });
  afterAll(async () => {
    await client?.close();
    await deleteIndices(url(), [index, `${index}-escalations`]);
    await rm(directory, { recursive: true, force: true });
  });

  it('replay gives exactly the expected alert timeline', () => {
    expect(sorted(events)).toEqual(EXPECTED);
    const peaks = episodes(events).map((episode) => [
      (episode.openedAt - BASE) / MINUTE,
      episode.alertId,
      episode.severity,
      episode.peakFailures,
      episode.peakUsers,
    ]);
    expect(peaks).toEqual([
      [11, A, 'medium', 20, 1],
      [31, C2, 'medium', 8, 8],
      [31, C1, 'high', 8, 8],
      [43, D1, 'medium', 7, 1],
      [51, D2, 'critical', 7, 1],
      [61, A, 'high', 20, 1], // a repeat offender now
      [84, B, 'medium', 12, 1],
    ]);
  });

  it('the incremental stepping and the batched full polls give the same alerts at every step', () => {
    expect(events.length).toBeGreaterThan(0);
    expect(events).toEqual(fullEvents);
    expect([...states.keys()]).toEqual([...fullStates.keys()]);
    // Every field of every alert (counts, users, hosts, first/last failure, states, times).
    for (const [minute, state] of states)
      expect([minute, state.alerts]).toEqual([minute, fullStates.get(minute)!.alerts]);
    // The slow window (90 m of 90 s slices, stepped every minute) is realigned at odd minutes
    // (answered by the full query there): slow brute force still opened at 84.
    expect(states.get(84)!.alerts.find((alert) => alert.id === B)?.failures).toBe(10);
  });

  it('replay is deterministic: the command prints the same bytes twice', async () => {
    const flags = { from: new Date(at(40)).toISOString(), to: new Date(at(60)).toISOString(), step: '1m' };
    const first = await run(replayCommand, config, { ...flags, json: true });
    const second = await run(replayCommand, config, { ...flags, json: true });
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const lines = first.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { at: string; kind: string; alertId: string });
    // A replay that starts at 40 has no history, yet D's alerts do not need any: the same as the full replay.
    const ofD = lines
      .filter((line) => line.alertId === D1 || line.alertId === D2)
      .map((line) => [(Date.parse(line.at) - BASE) / MINUTE, line.kind, line.alertId]);
    expect(order(ofD as [number, string, string][])).toEqual(
      EXPECTED.filter(([minute, , id]) => minute <= 60 && (id === D1 || id === D2)),
    );
    const table = await run(replayCommand, config, flags);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('not live');
    expect(table.stdout).toMatch(/CRITICAL +success-after-failure:ssh:203\.0\.113\.66 +7 failures/);
  });

  it.each([13, 63])(
    'once --at B+%im has the alerts the replay has live then, in the same states, with the same counts',
    async (minute) => {
      const state = states.get(minute)!;
      const replayed = state.alerts
        .filter((alert) => alert.state !== 'closed')
        .map((alert) => [
          alert.id,
          alert.state,
          alert.failures,
          alert.distinctUsers,
          alert.distinctIps,
          alert.lastFailure,
        ])
        .sort((x, y) => String(x[0]).localeCompare(String(y[0])));
      expect(replayed.length).toBeGreaterThan(0);
      const { code, stdout } = await run(onceCommand, config, {
        json: true,
        at: new Date(at(minute)).toISOString(),
      });
      expect(code).toBe(0);
      const output = JSON.parse(stdout) as { asOf: string; alerts: AlertRecord[] };
      expect(output.asOf).toBe(new Date(at(minute)).toISOString());
      const once = output.alerts
        .filter((alert) => alert.state !== 'closed')
        .map((alert) => [
          `${alert.rule}|${alert.service}|${alert.key}`,
          alert.state,
          alert.failures,
          alert.distinctUsers,
          alert.distinctIps,
          alert.lastFailure,
        ])
        .sort((x, y) => String(x[0]).localeCompare(String(y[0])));
      expect(once).toEqual(replayed);
    },
  );

  it('once --at gives each alert the state the lifecycle would have, not "new" for all', async () => {
    const states = async (when: number, lookback?: string) => {
      const { code, stdout } = await run(onceCommand, config, {
        json: true,
        at: new Date(when).toISOString(),
        ...(lookback === undefined ? {} : { lookback }),
      });
      expect(code).toBe(0);
      const { alerts } = JSON.parse(stdout) as { alerts: AlertRecord[] };
      return Object.fromEntries(
        alerts.map((alert) => [`${alert.rule}|${alert.service}|${alert.key}`, alert.state]),
      );
    };
    // The compromise (Accepted at 50:00) first shows at the poll after it: new at 50:03, whose
    // previous poll (50:03 − refresh) did not see it yet; active a minute later.
    expect((await states(at(50, 3)))[D2]).toBe('new');
    expect(await states(at(52))).toMatchObject({ [D1]: 'quiet', [D2]: 'active' });
    // The lookback saw A's bursts as brute force: no "slow brute force" for the same failures.
    expect(await states(at(52))).not.toHaveProperty(['slow-brute-force|ssh|203.0.113.10']);
    // With no lookback, one bare evaluation: no history, everything new, and A's burst of
    // 10:00, still in the 90 m slow window, passes for a slow attack.
    const bare = await states(at(52), '0');
    expect(bare).toEqual({ [D2]: 'new', 'slow-brute-force|ssh|203.0.113.10': 'new' });
    expect(
      (await run(onceCommand, config, { at: new Date(at(52)).toISOString(), lookback: 'soon' })).code,
    ).toBe(2);
  });

  it('the console as of T, and one ] later, shows the alerts once --at shows then, in the same states', async () => {
    const shown = (state: AppState) =>
      alertList(state)
        .map((alert) => [alert.id, alert.state, alert.failures, alert.lastFailure])
        .sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    const once = async (when: number) => {
      const { stdout } = await run(onceCommand, config, { json: true, at: new Date(when).toISOString() });
      return (JSON.parse(stdout) as { alerts: AlertRecord[] }).alerts
        .map((alert) => [
          `${alert.rule}|${alert.service}|${alert.key}`,
          alert.state,
          alert.failures,
          alert.lastFailure,
        ])
        .sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    };
    const T = at(50, 3);
    const settled = (state: AppState) => state.travel?.kind === 'as-of' && state.travel.pendingAt === null;
    const console = await travelConsole(config, { kind: 'as-of', at: T }, settled);
    try {
      expect(console.store.getState().now).toBe(T);
      const first = shown(console.store.getState());
      expect(first.length).toBeGreaterThan(0);
      expect(first).toEqual(await once(T));
      const key = { return: false, escape: false, ctrl: false, meta: false, tab: false } as Parameters<
        typeof handleKey
      >[2];
      const pressed = handleKey(console.store.getState(), ']', key, { now: Date.now(), page: 10 });
      expect(pressed.effects).toEqual([{ kind: 'travel-at', at: T + config.refreshMs }]);
      console.store.setState(pressed.state);
      console.shell.evaluate(T + config.refreshMs);
      await console.wait();
      const second = shown(console.store.getState());
      expect(second).toEqual(await once(T + config.refreshMs));
      expect(console.store.getState().now).toBe(T + config.refreshMs);
    } finally {
      await console.stop();
    }
  });

  it('the console replay plays the frames of the replay engine: alerts open at the same steps', async () => {
    const spec = { kind: 'replay', from: at(40), to: at(60) } as const;
    const loaded = (state: AppState) => {
      const travel = state.travel as ReplayTravel;
      return travel.frames.length === travel.steps.length;
    };
    const console = await travelConsole(config, spec, loaded);
    try {
      const travel = console.store.getState().travel as ReplayTravel;
      expect(travel.stepMs).toBe(config.refreshMs);
      const windows = detectionWindows(config);
      const direct = await runReplay({
        steps: replaySteps(spec.from, spec.to, travel.stepMs, windows),
        windows,
        settings: detectionSettings(config),
        fetch: (fetchWindows) => fetchSnapshots(client, config, fetchWindows, { now: 0 }),
      });
      const openedAt = (rows: { at: number }[]) => rows.map((row) => (row.at - BASE) / MINUTE);
      expect(openedAt(travel.frames.filter((frame) => frame.opened > 0))).toEqual(
        openedAt(direct.events.filter((event) => event.kind === 'opened')).filter(
          (minute, index, all) => all.indexOf(minute) === index,
        ),
      );
      expect(travel.frames.at(-1)!.detector.alerts).toEqual(direct.state.alerts);
    } finally {
      await console.stop();
    }
  });

  it('--fail-on exits 3 at or above the severity, 0 below it, 2 for a bad value', async () => {
    const during = new Date(at(13)).toISOString(); // burst 1 firing: medium
    expect((await run(onceCommand, config, { at: during, failOn: 'medium' })).code).toBe(3);
    expect((await run(onceCommand, config, { at: during, failOn: 'high' })).code).toBe(0);
    const compromise = new Date(at(52)).toISOString();
    const critical = await run(onceCommand, config, { at: compromise, failOn: 'critical' });
    expect(critical.code).toBe(3);
    expect(critical.stderr).toContain('success-after-failure:ssh:203.0.113.66');
    expect((await run(onceCommand, config, { at: new Date(at(5)).toISOString(), failOn: 'low' })).code).toBe(
      0,
    );
    expect((await run(onceCommand, config, { failOn: 'severe' })).code).toBe(2);
    expect((await run(onceCommand, config, { at: 'soon' })).code).toBe(2);
  });

  it('once --json (schema 2) validates against docs/snapshot-schema-2.json, and the table lists the alerts', async () => {
    const schema = JSON.parse(readFileSync('docs/snapshot-schema-2.json', 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const { stdout } = await run(onceCommand, config, { json: true, at: new Date(at(52)).toISOString() });
    const document = JSON.parse(stdout) as { schema: number; alerts: AlertRecord[] };
    expect(validate(document) ? [] : validate.errors).toEqual([]);
    expect(document.schema).toBe(2);
    expect(document.alerts.map((alert) => alert.id)).toContain('success-after-failure:ssh:203.0.113.66');
    const table = await run(onceCommand, config, { at: new Date(at(52)).toISOString() });
    expect(table.stdout).toMatch(/^AS OF .* UTC · not live/);
    expect(table.stdout).toMatch(/CRITICAL +success-after-failure:ssh:203\.0\.113\.66 +active +7 /);
    expect(table.stdout).toContain('alert states: the detector replayed over the 90m before');
  });

  it("an evidence bundle's query, re-run against the cluster, gives the alert's numbers", async () => {
    const { code, stdout, stderr } = await run(
      onceCommand,
      config,
      { at: new Date(at(13)).toISOString(), evidence: 'brute-force:ssh:203.0.113.10' },
      directory,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const bundles = join(directory, 'bundles');
    const files = readdirSync(bundles).sort();
    expect(files.map((file) => file.replace(/-\d{8}T\d{6}Z/, ''))).toEqual([
      'soc-watch-evidence-brute-force-ssh-203.0.113.10.json',
      'soc-watch-evidence-brute-force-ssh-203.0.113.10.md',
    ]);
    for (const file of files) expect(statSync(join(bundles, file)).mode & 0o777).toBe(0o600);
    expect(statSync(bundles).mode & 0o777).toBe(0o700);
    const jsonText = readFileSync(join(bundles, files[0]!), 'utf8');
    const bundle = JSON.parse(jsonText) as EvidenceBundle;
    const markdown = readFileSync(join(bundles, files[1]!), 'utf8');
    const { createHash } = await import('node:crypto');
    expect(markdown).toContain(createHash('sha256').update(jsonText).digest('hex'));
    expect(stdout).toContain(createHash('sha256').update(jsonText).digest('hex'));
    expect(bundle.alert.failures).toBe(20);
    expect(bundle.windows[0]).toMatchObject({ to: new Date(at(13)).toISOString() });
    expect(bundle.offenders[0]).toMatchObject({ window: 'window', ip: '203.0.113.10', failures: 20 });

    // Another analyst re-runs the query: same cluster, plain HTTP, the body from the bundle.
    const response = await fetch(`${url()}/_msearch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: bundle.query.ndjson,
    });
    type Bucket = { key: string; doc_count: number; u: { value: number } };
    const answer = (await response.json()) as {
      responses: { aggregations: Record<string, { buckets: Bucket[] }> }[];
    };
    const reproduce = bundle.query.reproduce!;
    const bucket = answer.responses[reproduce.search]!.aggregations[reproduce.aggregation]?.buckets.find(
      (candidate) => candidate.key === reproduce.bucketKey,
    );
    expect(bucket?.doc_count).toBe(bundle.alert.failures);
    expect(bucket?.u.value).toBe(bundle.alert.distinctUsers);
    expect(reproduce.expect).toMatchObject({ doc_count: 20 });
  });
});

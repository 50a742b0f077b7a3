// Live and replay agree (issue 14, Tests): the data of a short seeded timeline is written to
// the real engine as the clock passes, while the console's real polling loop runs headless
// (the poller of source/cluster/poller.ts feeding the console's store and reducer, wired as
// session.tsx wires them, every second); then the same period is replayed (the product's
// incremental stepping, and the batched full polls). The live console must end with the
// alerts the replays end with: same ids, severities, states and counts.
//
// Scenario (seconds after T0, a whole second a little in the future; window 10 s, refresh
// 1 s; slow window 60 s, threshold 8, refreshed every second; success-after-failure over
// 60 s; quiet after 5 s, closed after 2 min, so at the end (T0 + 48 s) every alert is quiet
// and has been for seconds: no state is about to change when the live run stops):
//   A 203.0.113.10   8 × Failed root, 0.1 s apart from 1 s          → brute-force
//   C 198.51.100.30  6 × Failed u1…u6, 0.1 s apart from 4 s         → spraying, brute-force
//   D 203.0.113.66   6 × Failed deploy, 0.1 s apart from 8 s, then
//                    Accepted deploy at 12 s                          → brute-force, success-after-failure
//   B 198.51.100.20  9 × Failed admin, one every 4 s from 2 s (at most 3 in any 10 s window)
//                                                                     → slow-brute-force at its 8th (30 s)
// Each burst lies within one whole second: live windows (window.ts: they end on the first
// 1 s bucket boundary after now) and replay windows (ending at whole-second steps) both see a
// burst leave all at once, so an alert's counts (those of its last firing poll) do not depend
// on when, within a second, the live console happened to poll. Spread over a bucket
// boundary, a burst leaves the live window over several polls and its last count depends on
// poll timing: the one thing a live console and a replay cannot share.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createClusterClient } from '../../source/cluster/client.js';
import { fetchSnapshots } from '../../source/cluster/fetch.js';
import { createPoller } from '../../source/cluster/poller.js';
import type { BackendKind } from '../../source/cluster/types.js';
import { builtInServices } from '../../source/config/services.js';
import type { Config } from '../../source/config/types.js';
import { initialState } from '../../source/console/state/state.js';
import { createStore } from '../../source/console/state/store.js';
import type { Alert } from '../../source/detect/alert.js';
import { detectionSettings } from '../../source/detect/settings.js';
import { runReplay, runSteppedReplay } from '../../source/replay/engine.js';
import { incrementalStepper } from '../../source/replay/incremental.js';
import { detectionWindows, replaySteps } from '../../source/replay/steps.js';
import { testConfig } from '../support/config.js';
import { deleteIndices, type SeedDoc, seedIndex, sshDoc } from '../support/seed.js';

const SECOND = 1000;
const END_S = 48;

function scenario(t0: number): SeedDoc[] {
  const docs: SeedDoc[] = [];
  const ssh = (s: number, ip: string, user: string, kind: 'Failed' | 'Accepted' = 'Failed') =>
    docs.push(sshDoc({ at: t0 + Math.round(s * SECOND), ip, user, kind, host: 'web-1' }));
  for (let i = 0; i < 8; i++) ssh(1 + i * 0.1, '203.0.113.10', 'root');
  for (let i = 0; i < 6; i++) ssh(4 + i * 0.1, '198.51.100.30', `u${i + 1}`);
  for (let i = 0; i < 6; i++) ssh(8 + i * 0.1, '203.0.113.66', 'deploy');
  ssh(12, '203.0.113.66', 'deploy', 'Accepted');
  for (let i = 0; i < 9; i++) ssh(2 + i * 4, '198.51.100.20', 'admin');
  return docs.sort((a, b) => String(a['@timestamp']).localeCompare(String(b['@timestamp'])));
}

const EXPECTED_IDS = [
  'brute-force|ssh|198.51.100.30',
  'brute-force|ssh|203.0.113.10',
  'brute-force|ssh|203.0.113.66',
  'slow-brute-force|ssh|198.51.100.20',
  'spraying|ssh|198.51.100.30',
  'success-after-failure|ssh|203.0.113.66',
];

/** What must agree: identity, severity, state and the counts (from the data). */
function summary(alerts: readonly Alert[]) {
  return alerts
    .map((alert) => ({
      id: alert.id,
      severity: alert.severity,
      state: alert.state,
      failures: alert.failures,
      distinctUsers: alert.distinctUsers,
      distinctIps: alert.distinctIps,
      invalidUserFailures: alert.invalidUserFailures,
      firstFailure: alert.firstFailure,
      lastFailure: alert.lastFailure,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Writes the documents as the clock reaches their times (the engine refreshes every second):
 * every document due by now in one `_bulk`, so a loaded machine's slow requests delay a burst
 * by one round trip, not by one per document (one POST a document fell seconds behind the
 * clock on a loaded CI machine, and a document written after the live run ended is one the
 * replay sees and the console never did). Returns the largest delay, printed with the result.
 */
async function writeAsTheClockPasses(url: string, index: string, docs: SeedDoc[]): Promise<number> {
  let next = 0;
  let maxLagMs = 0;
  while (next < docs.length) {
    await sleep(Date.parse(String(docs[next]!['@timestamp'])) - Date.now());
    const due: SeedDoc[] = [];
    while (next < docs.length && Date.parse(String(docs[next]!['@timestamp'])) <= Date.now())
      due.push(docs[next++]!);
    // A timer may fire a millisecond before the wall clock reaches its time (timers run on the
    // monotonic clock): nothing is due yet, so wait again rather than send an empty _bulk.
    if (due.length === 0) continue;
    const body = due.map((doc) => `{"create":{}}\n${JSON.stringify(doc)}\n`).join('');
    const response = await fetch(`${url}/${index}/_bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body,
    });
    const answer = (await response.json()) as { errors?: boolean };
    if (response.status !== 200 || answer.errors)
      throw new Error(`index ${index}: ${response.status} ${JSON.stringify(answer).slice(0, 500)}`);
    maxLagMs = Math.max(maxLagMs, Date.now() - Date.parse(String(due[0]!['@timestamp'])));
  }
  return maxLagMs;
}

/** The console's live loop without a terminal: poller → store (reducer, detector), as session.tsx. */
function liveConsole(config: Config) {
  const store = createStore(
    initialState({
      now: Date.now(),
      services: config.services.map((service) => ({ name: service.name, label: service.label })),
      cluster: 'test',
      indexPattern: config.indexPattern,
      refreshMs: config.refreshMs,
      windowMs: config.windowMs,
      settings: detectionSettings(config),
    }),
  );
  let polls = 0;
  const poller = createPoller({
    config,
    connect: (signal) => createClusterClient(config, {}, { signal }),
    windowMs: () => store.getState().windowMs,
    onResult: ({ snapshot, slowSnapshot }) => {
      polls += 1;
      store.dispatch({ type: 'poll', snapshot, slowSnapshot, now: Date.now() });
    },
    onStatus: (status) => store.dispatch({ type: 'status', status, now: Date.now() }),
  });
  poller.start();
  return { store, poller, polls: () => polls };
}

const backends: { kind: BackendKind; url: () => string }[] = [
  { kind: 'elasticsearch', url: () => inject('esUrl') },
  { kind: 'opensearch', url: () => inject('opensearchUrl') },
];

describe('the live console and a replay of the same data end with the same alerts', () => {
  const made: { url: string; index: string }[] = [];
  afterAll(async () => {
    for (const { url, index } of made) await deleteIndices(url, [index]);
  });

  it('on both engines, written in real time', { timeout: 150_000 }, async () => {
    // Both engines at once: the wall clock is the cost of this test (about 50 s).
    const t0 = Math.ceil((Date.now() + 3 * SECOND) / SECOND) * SECOND;
    const results = await Promise.all(
      backends.map(async ({ kind, url }) => {
        const index = `test-live-replay-${randomUUID().slice(0, 8)}`;
        made.push({ url: url(), index });
        await seedIndex(url(), kind, index, []);
        const config = testConfig({
          nodes: [url()],
          indexPattern: index,
          services: builtInServices().filter((service) => service.name === 'ssh'),
          windowMs: 10 * SECOND,
          refreshMs: SECOND,
          rules: {
            slowBruteForce: { enabled: true, threshold: 8, windowMs: 60 * SECOND, refreshMs: SECOND },
            successAfterFailure: { enabled: true, failures: 5, correlationMs: 60 * SECOND },
            quietAfterMs: 5 * SECOND,
            closeAfterMs: 120 * SECOND,
          },
        });
        const live = liveConsole(config);
        let writeLagMs = 0;
        try {
          writeLagMs = await writeAsTheClockPasses(url(), index, scenario(t0));
          await sleep(t0 + END_S * SECOND - Date.now());
        } finally {
          await live.poller.stop();
        }
        const end = Date.now();
        const liveAlerts = live.store.getState().detector.alerts;

        // The same period replayed, on its 1 s grid, up to the live run's end.
        const client = await createClusterClient(config, {});
        try {
          const windows = detectionWindows(config);
          const steps = replaySteps(t0 - SECOND, end, SECOND, windows);
          const settings = detectionSettings(config);
          const incremental = await runSteppedReplay({
            steps,
            windows,
            settings,
            lane: (laneSteps) => incrementalStepper(client, config, windows, laneSteps).answer,
          });
          const full = await runReplay({
            steps,
            windows,
            settings,
            fetch: (fetchWindows) => fetchSnapshots(client, config, fetchWindows, { now: end }),
          });
          return { kind, polls: live.polls(), writeLagMs, live: liveAlerts, incremental, full };
        } finally {
          await client.close();
        }
      }),
    );
    for (const { kind, polls, writeLagMs, live, incremental, full } of results) {
      // The live loop polled about once a second for the whole period.
      expect([kind, polls]).toSatisfy(([, count]) => (count as number) >= 20);
      // The writer's largest delay behind the clock is part of the message, should it differ.
      expect([kind, `writer at most ${writeLagMs} ms late`, summary(live).map((alert) => alert.id)]).toEqual([
        kind,
        `writer at most ${writeLagMs} ms late`,
        EXPECTED_IDS,
      ]);
      expect(summary(live).every((alert) => alert.state === 'quiet')).toBe(true);
      expect([kind, summary(incremental.state.alerts)]).toEqual([kind, summary(live)]);
      expect([kind, summary(full.state.alerts)]).toEqual([kind, summary(live)]);
    }
    const slow = summary(results[0]!.live).find((alert) => alert.id === 'slow-brute-force|ssh|198.51.100.20');
    expect(slow).toMatchObject({ failures: 9, distinctUsers: 1 });
  });
});

// The replay engine without a cluster: a stand-in for `fetchSnapshots` (named as such) answers
// each window with a built snapshot, so the batching, the in-order consumption, the warnings
// and failures can be checked exactly. The real-engine replay is timeline.integration.test.ts.
import { describe, expect, it } from 'vitest';
import type { FetchWindow } from '../../source/cluster/fetch.js';
import { ClusterError } from '../../source/cluster/types.js';
import { runReplay, runSteppedReplay } from '../../source/replay/engine.js';
import { detectionWindows, replaySteps } from '../../source/replay/steps.js';
import { MINUTE, offender, service, settings, snapshot, T0 } from '../detect/builders.js';
import { testConfig } from '../support/config.js';

const windows = detectionWindows(testConfig());

/** Stand-in for fetchSnapshots: 6 failures from one IP in every short window before T0+5m. */
function fakeFetch(log: FetchWindow[][], options: { warnFrom?: number; failAt?: number } = {}) {
  return async (requested: FetchWindow[]) => {
    log.push(requested);
    await new Promise((resolve) => setTimeout(resolve, 1));
    return requested.map((window) => {
      const at = window.endAt!;
      if (options.failAt === at) throw new ClusterError('timeout', 'no answer');
      const busy = at <= T0 + 5 * MINUTE;
      const built = snapshot(
        [
          service(
            'ssh',
            busy ? [offender('203.0.113.10', 6, { lastFailure: new Date(at - 1000).toISOString() })] : [],
          ),
        ],
        { now: at, windowMs: window.windowMs },
      );
      return options.warnFrom !== undefined && at >= options.warnFrom
        ? { ...built, warnings: ['SSH: index pattern x matches no indices'] }
        : built;
    });
  };
}

describe('runReplay', () => {
  it('sends batches of steps, consumes them in order, and runs the detector at each step', async () => {
    const log: FetchWindow[][] = [];
    const steps = replaySteps(T0, T0 + 10 * MINUTE, 30_000, windows);
    const result = await runReplay({
      steps,
      windows,
      settings: settings(),
      fetch: fakeFetch(log),
      batchSteps: 4,
      inFlight: 2,
    });
    expect(result.steps).toBe(21);
    expect(result.requests).toBe(6);
    expect(log.map((batch) => batch.filter((window) => window.includeCustomRules).length)).toEqual([
      4, 4, 4, 4, 4, 1,
    ]);
    expect(
      log
        .flat()
        .filter((window) => window.includeCustomRules)
        .map((window) => window.endAt),
    ).toEqual(steps.map((step) => step.at));
    const opened = result.events
      .filter((event) => event.kind === 'opened')
      .map((event) => [event.at, event.alertId]);
    expect(opened).toEqual([[T0, 'brute-force|ssh|203.0.113.10']]);
    expect(result.warnings).toEqual([]);
  });

  it('counts the steps whose data had warnings (no data is not "no attacks")', async () => {
    const result = await runReplay({
      steps: replaySteps(T0, T0 + 10 * MINUTE, MINUTE, windows),
      windows,
      settings: settings(),
      fetch: fakeFetch([], { warnFrom: T0 + 8 * MINUTE }),
    });
    expect(result.warnings).toEqual([{ text: 'SSH: index pattern x matches no indices', steps: 3 }]);
  });

  it('fails with the cluster error of a batch, after the requests in flight have settled', async () => {
    await expect(
      runReplay({
        steps: replaySteps(T0, T0 + 10 * MINUTE, MINUTE, windows),
        windows,
        settings: settings(),
        fetch: fakeFetch([], { failAt: T0 + 6 * MINUTE }),
      }),
    ).rejects.toThrow('no answer');
  });
});

describe('runSteppedReplay', () => {
  /** Lanes of a stand-in source (named as such): each records the steps it answered, in order. */
  function lanes(options: { failAt?: number } = {}) {
    const seen: number[][] = [];
    let inFlight = 0;
    let most = 0;
    const fetch = fakeFetch([], options);
    const announced: number[][] = [];
    const lane = (given: readonly { at: number }[]) => {
      announced.push(given.map((step) => step.at));
      const mine: number[] = [];
      seen.push(mine);
      let busy = false;
      return async (step: { at: number; slowDue: boolean }) => {
        // One call at a time per lane: a lane's incremental snapshots are stateful.
        expect(busy).toBe(false);
        busy = true;
        inFlight += 1;
        most = Math.max(most, inFlight);
        mine.push(step.at);
        try {
          const [snapshot, slowSnapshot] = await fetch(stepWindowsOf(step).map((window) => ({ ...window })));
          return { snapshot: snapshot!, slowSnapshot: slowSnapshot ?? null };
        } finally {
          inFlight -= 1;
          busy = false;
        }
      };
    };
    return { lane, seen, announced, most: () => most };
  }
  const stepWindowsOf = (step: { at: number; slowDue: boolean }): FetchWindow[] => [
    { windowMs: windows.windowMs, endAt: step.at, includeCustomRules: true },
    ...(step.slowDue ? [{ windowMs: windows.slow.windowMs, endAt: step.at }] : []),
  ];

  it('deals the steps round robin to the lanes, each in time order, and gives the batched replay’s timeline', async () => {
    const steps = replaySteps(T0, T0 + 10 * MINUTE, 30_000, windows);
    const source = lanes();
    const stepped = await runSteppedReplay({
      steps,
      windows,
      settings: settings(),
      lane: source.lane,
      lanes: 3,
    });
    expect(source.seen).toEqual(
      [0, 1, 2].map((k) => steps.filter((_, i) => i % 3 === k).map((step) => step.at)),
    );
    // Each lane is told up front the steps it will be asked (it sizes its slices by them).
    expect(source.announced).toEqual(source.seen);
    expect(source.most()).toBe(3);
    const batched = await runReplay({ steps, windows, settings: settings(), fetch: fakeFetch([]) });
    expect(stepped.events).toEqual(batched.events);
    expect(stepped.state.alerts).toEqual(batched.state.alerts);
  });

  it('fails with the error of a step, after the steps started have settled', async () => {
    await expect(
      runSteppedReplay({
        steps: replaySteps(T0, T0 + 10 * MINUTE, MINUTE, windows),
        windows,
        settings: settings(),
        lane: lanes({ failAt: T0 + 6 * MINUTE }).lane,
      }),
    ).rejects.toThrow('no answer');
  });
});

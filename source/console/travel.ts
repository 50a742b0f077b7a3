// The I/O shell of a console that is not live (state/player.ts has the pure part). Instead of
// the poller: "as of" asks for one evaluation at the time shown (the one `once --at` makes,
// source/replay/evaluate.ts) whenever the time moves, the newest request winning; a replay
// runs the replay engine (source/replay/engine.ts: batched `_msearch`, the live detector and
// lifecycle) over the whole period at once and hands its frames to the store as they arrive,
// while the player's clock moves the cursor. Nothing polls for new data. `withTravel` is the
// state such a console starts in, and `startNotLive` all the session runs instead of polling.
import { createClusterClient } from '../cluster/client.js';
import { fetchSnapshots } from '../cluster/fetch.js';
import { type ClusterClient, ClusterError } from '../cluster/types.js';
import type { CommandContext } from '../config/command-context.js';
import { sanitize } from '../core/sanitize.js';
import { detectionSettings } from '../detect/settings.js';
import { runReplay } from '../replay/engine.js';
import { evaluateOnce } from '../replay/evaluate.js';
import { detectionWindows, replaySteps, type Step } from '../replay/steps.js';
import { startPlayerClock } from './player-clock.js';
import type { Effect } from './state/effects.js';
import { reduceTravel } from './state/player.js';
import type { AppState } from './state/state.js';
import type { Say, Store } from './state/store.js';
import { asOfTravel, type Frame, replayTravel, type TravelAction } from './state/travel-state.js';

export type TravelSpec = { kind: 'as-of'; at: number } | { kind: 'replay'; from: number; to: number };

/** A replay in the console has at most about this many steps: a longer period takes longer steps. */
export const PLAYER_STEPS = 720;

/** The console replay's step: the refresh, or longer so the period has at most PLAYER_STEPS. */
export function playerStepMs(from: number, to: number, refreshMs: number): number {
  return Math.max(refreshMs, Math.ceil((to - from) / PLAYER_STEPS / 1000) * 1000);
}

export function playerSteps(spec: { from: number; to: number }, ctx: CommandContext): Step[] {
  const { config } = ctx;
  const stepMs = playerStepMs(spec.from, spec.to, config.refreshMs);
  return replaySteps(spec.from, spec.to, stepMs, detectionWindows(config));
}

/** The state of a console not live: the time shown (as of) or the player over the period's steps. */
export function withTravel(state: AppState, spec: TravelSpec, ctx: CommandContext): AppState {
  const { refreshMs } = ctx.config;
  if (spec.kind === 'as-of') return { ...state, travel: asOfTravel(spec.at, refreshMs) };
  const steps = playerSteps(spec, ctx);
  const stepMs = steps.length > 1 ? steps[1]!.at - steps[0]!.at : refreshMs;
  return {
    ...state,
    travel: replayTravel(
      spec.from,
      spec.to,
      steps.map((step) => step.at),
      stepMs,
    ),
  };
}

export interface NotLive {
  /** Takes the effects that mean something else, or nothing, when not live (false: not one of them). */
  handle(effect: Effect): boolean;
  stop(): Promise<void>;
}

/** What runs instead of the poller: the travel shell, the player's clock for a replay. */
export function startNotLive(
  ctx: CommandContext,
  store: Store,
  spec: TravelSpec,
  lifetime: AbortSignal,
  say: Say,
): NotLive {
  const travel = startTravel(ctx, store, spec, lifetime);
  const stopClock = spec.kind === 'replay' ? startPlayerClock(store) : () => {};
  return {
    handle(effect) {
      if (effect.kind === 'travel-at') {
        travel.evaluate(effect.at);
        return true;
      }
      if (effect.kind === 'pause' || effect.kind === 'resume' || effect.kind === 'refresh') {
        say('not live: nothing is polled ([ ] { } move the time; Space plays a replay)');
        return true;
      }
      return false;
    },
    stop() {
      stopClock();
      return travel.stop();
    },
  };
}

export interface TravelShell {
  /** As of: evaluate at this time (the newest request wins). */
  evaluate(at: number): void;
  stop(): Promise<void>;
}

export function startTravel(
  ctx: CommandContext,
  store: Store,
  spec: TravelSpec,
  lifetime: AbortSignal,
): TravelShell {
  const { config, secrets } = ctx;
  const apply = (action: TravelAction) => store.setState(reduceTravel(store.getState(), action));
  const fail = (error: unknown) => {
    if (lifetime.aborted) return;
    if (error instanceof ClusterError || error instanceof Error)
      apply({ type: 'failed', text: `cluster: ${sanitize(error.message)}` });
  };
  const connected: Promise<ClusterClient> = createClusterClient(config, secrets, { signal: lifetime });
  connected.catch(fail);
  let current: AbortController | null = null;
  let running: Promise<unknown> = Promise.resolve();

  const evaluate = (at: number) => {
    current?.abort();
    const request = new AbortController();
    current = request;
    const signal = AbortSignal.any([lifetime, request.signal]);
    running = connected
      .then((client) => evaluateOnce(client, config, { at, signal }))
      .then(
        (evaluation) => {
          if (!request.signal.aborted) apply({ type: 'evaluated', at, detector: evaluation.state });
        },
        (error: unknown) => {
          if (!request.signal.aborted) fail(error);
        },
      );
  };

  if (spec.kind === 'as-of') evaluate(spec.at);
  else {
    const steps = playerSteps(spec, ctx);
    const windows = detectionWindows(config);
    // Frames are handed over once per turn of the event loop, not per step: one render per batch.
    let buffer: Frame[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      const frames = buffer;
      buffer = [];
      if (frames.length > 0 && !lifetime.aborted) apply({ type: 'frames', frames });
    };
    running = connected
      .then((client) =>
        runReplay({
          steps,
          windows,
          settings: detectionSettings(config),
          fetch: (fetchWindows, signal) =>
            fetchSnapshots(client, config, fetchWindows, {
              now: fetchWindows[0]?.endAt ?? spec.from,
              ...(signal ? { signal } : {}),
            }),
          signal: lifetime,
          onStep: (step, state, events) => {
            buffer.push({
              at: step.at,
              detector: state,
              opened: events.filter((e) => e.kind === 'opened').length,
            });
            if (!scheduled) {
              scheduled = true;
              setImmediate(flush);
            }
          },
        }),
      )
      .then(flush, (error: unknown) => {
        flush();
        fail(error);
      });
  }

  return {
    evaluate,
    async stop() {
      current?.abort();
      await running.catch(() => undefined);
      const client = await connected.catch(() => undefined);
      await client?.close().catch(() => undefined);
    },
  };
}

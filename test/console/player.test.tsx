// The console's time travel without a cluster: "as of" and the replay player as pure state
// (player.ts), driven by real keys (handle-key.ts) and the player's clock under fake timers,
// and one run of the App that shows the header's "not live" badge and time cursor. Frames are
// produced by the real detector over built snapshots, as the replay engine would produce them.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../source/console/App.js';
import { travelText } from '../../source/console/frame/TravelBadge.js';
import { handleKey } from '../../source/console/keys/handle-key.js';
import { NO_KEY } from '../../source/console/keys/key-chunks.js';
import { startPlayerClock, TICK_MS } from '../../source/console/player-clock.js';
import { reduceTravel } from '../../source/console/state/player.js';
import { alertList } from '../../source/console/state/selectors.js';
import type { AppState } from '../../source/console/state/state.js';
import { createStore } from '../../source/console/state/store.js';
import {
  asOfTravel,
  type Frame,
  frameIndex,
  type ReplayTravel,
  replayTravel,
} from '../../source/console/state/travel-state.js';
import { createDetectorState, type DetectorState, detect } from '../../source/detect/detector.js';
import { stepEvents } from '../../source/replay/timeline.js';
import { baseState, MINUTE, offender, service, settings, snapshot, T0 } from './fixtures.js';
import { KEYS, type Rendered, renderAt, settle } from './render.js';

const WALL = T0 + 24 * 60 * MINUTE;
const press = (state: AppState, input: string) => handleKey(state, input, NO_KEY, { now: WALL, page: 10 });

/** Ten one-minute steps; 203.0.113.10 fails 6 times in the windows of steps 2–4, 198.51.100.7 at step 7. */
function frames(): Frame[] {
  let state: DetectorState = createDetectorState();
  const out: Frame[] = [];
  for (let i = 0; i < 10; i++) {
    const at = T0 + i * MINUTE;
    const offenders = [
      ...(i >= 2 && i <= 4 ? [offender('203.0.113.10', 6, { now: at })] : []),
      ...(i === 7 ? [offender('198.51.100.7', 9, { now: at })] : []),
    ];
    const previous = state;
    state = detect(
      state,
      // Fetched now (the wall clock), about the past: as the replay engine's snapshots are.
      {
        snapshot: {
          ...snapshot([service('ssh', offenders)], { now: at }),
          fetchedAt: new Date(WALL).toISOString(),
        },
        slowSnapshot: null,
      },
      settings(),
      at,
    );
    out.push({
      at,
      detector: state,
      opened: stepEvents(previous, state, at).filter((e) => e.kind === 'opened').length,
    });
  }
  return out;
}

const STEPS = Array.from({ length: 10 }, (_, i) => T0 + i * MINUTE);

function replayState(loaded = 10): AppState {
  const state: AppState = { ...baseState(WALL), travel: replayTravel(T0, T0 + 9 * MINUTE, STEPS, MINUTE) };
  return reduceTravel(state, { type: 'frames', frames: frames().slice(0, loaded) });
}

const replay = (state: AppState) => state.travel as ReplayTravel;
const shownAt = (state: AppState) => {
  const travel = replay(state);
  return (travel.frames[frameIndex(travel)]!.at - T0) / MINUTE;
};

describe('as of', () => {
  it('shows the evaluation at its time, on the detector clock; [ ] { } ask for the next one, newest wins', () => {
    let state: AppState = { ...baseState(WALL), travel: asOfTravel(T0 + 3 * MINUTE, 5000) };
    expect(travelText(state.travel!, false)).toBe(
      'AS OF 2026-03-01 12:03:00 UTC · not live · loading 2026-03-01 12:03:00 UTC',
    );
    const detector = frames()[3]!.detector;
    state = reduceTravel(state, { type: 'evaluated', at: T0 + 3 * MINUTE, detector });
    expect(travelText(state.travel!, false)).toBe('AS OF 2026-03-01 12:03:00 UTC · not live');
    expect(state.now).toBe(T0 + 3 * MINUTE);
    expect(alertList(state).map((alert) => alert.id)).toEqual(['brute-force|ssh|203.0.113.10']);

    const forward = press(state, ']');
    expect(forward.effects).toEqual([{ kind: 'travel-at', at: T0 + 3 * MINUTE + 5000 }]);
    expect(forward.state.now).toBe(T0 + 3 * MINUTE); // a key does not put the wall clock on screen
    const windowBack = press(forward.state, '{');
    expect(windowBack.effects).toEqual([{ kind: 'travel-at', at: T0 + 3 * MINUTE + 5000 - 15 * MINUTE }]);
    // The answer for the first move comes late: it is dropped, the last move is awaited.
    const late = reduceTravel(windowBack.state, { type: 'evaluated', at: T0 + 3 * MINUTE + 5000, detector });
    expect(late).toBe(windowBack.state);
    expect(press(state, '[').effects).toEqual([{ kind: 'travel-at', at: T0 + 3 * MINUTE - 5000 }]);
  });

  it('does not step past the wall clock, and the live console says the keys are for travel', () => {
    const state: AppState = {
      ...baseState(WALL),
      travel: { ...asOfTravel(WALL - 2000, 5000), pendingAt: null },
    };
    expect(press(state, ']').effects).toEqual([{ kind: 'travel-at', at: WALL }]);
    const atNow: AppState = { ...state, travel: { ...asOfTravel(WALL, 5000), pendingAt: null } };
    expect(press(atNow, ']').effects).toEqual([]);
    const live = press(baseState(WALL), ']');
    expect(live.effects).toEqual([]);
    expect(live.state.flash?.text).toContain('--at');
  });
});

describe('replay player', () => {
  it('steps, jumps a window, jumps to the next alert, and plays / pauses', () => {
    let state = replayState();
    expect(shownAt(state)).toBe(0);
    expect(state.now).toBe(T0);
    state = press(state, ' ').state; // pause
    expect(replay(state).playing).toBe(false);
    state = press(state, ']').state;
    expect(shownAt(state)).toBe(1);
    state = press(state, 'n').state;
    expect(shownAt(state)).toBe(2); // brute force opens at step 2
    expect(alertList(state).map((alert) => [alert.id, alert.state])).toEqual([
      ['brute-force|ssh|203.0.113.10', 'new'],
    ]);
    state = press(state, 'n').state;
    expect(shownAt(state)).toBe(7);
    expect(press(state, 'n').state.flash?.text).toBe('no alert opens after this time');
    state = press(state, '[').state;
    expect(shownAt(state)).toBe(6);
    expect(alertList(state).find((alert) => alert.key === '203.0.113.10')?.state).toBe('quiet');
    state = press(state, '{').state; // one window (15 m) back: the first step
    expect(shownAt(state)).toBe(0);
    state = press(state, '}').state; // and forward: no further than the last step
    expect(shownAt(state)).toBe(9);
    expect(travelText(state.travel!, false)).toBe(
      'REPLAY 2026-03-01 12:09:00 UTC ‖ x60 · step 10/10 · not live',
    );
  });

  it('speed goes x1 … x600 and stops at both ends', () => {
    let state = replayState();
    for (let i = 0; i < 10; i++) state = press(state, '>').state;
    expect(replay(state).speed).toBe(600);
    for (let i = 0; i < 10; i++) state = press(state, '<').state;
    expect(replay(state).speed).toBe(1);
  });

  it('plays on the clock: at x60 a one-minute step a wall second; waits for frames not loaded; stops at the end', () => {
    vi.useFakeTimers();
    try {
      const store = createStore(replayState(4));
      const stop = startPlayerClock(store);
      vi.advanceTimersByTime(1000);
      expect(shownAt(store.getState())).toBe(1);
      vi.advanceTimersByTime(TICK_MS);
      expect(replay(store.getState()).cursor).toBe(T0 + 75_000);
      vi.advanceTimersByTime(10_000);
      expect(shownAt(store.getState())).toBe(3); // only 4 frames loaded: it waits at the last
      expect(replay(store.getState()).playing).toBe(true);
      store.setState(reduceTravel(store.getState(), { type: 'frames', frames: frames().slice(4) }));
      vi.advanceTimersByTime(60_000);
      expect(shownAt(store.getState())).toBe(9);
      expect(replay(store.getState()).playing).toBe(false); // the end
      // The same ticks land on the same frames: replaying is deterministic.
      const again = createStore(replayState());
      const stopAgain = startPlayerClock(again);
      vi.advanceTimersByTime(4000);
      expect(shownAt(again.getState())).toBe(4);
      expect(alertList(again.getState())).toEqual(
        alertList(reduceTravel(replayState(), { type: 'tick', elapsedMs: 4000 })),
      );
      stop();
      stopAgain();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the App, not live', () => {
  const views: Rendered[] = [];
  afterEach(() => {
    for (const view of views.splice(0)) view.unmount();
  });

  it('says AS OF … not live / REPLAY with the time cursor in the header, and keys move it', async () => {
    const store = createStore(replayState());
    const effects: unknown[] = [];
    const view = renderAt(
      <App store={store} onEffect={(effect) => effects.push(effect)} clock={() => WALL} />,
      {
        columns: 140,
        rows: 30,
      },
    );
    views.push(view);
    await settle();
    expect(view.lines()[0]).toContain('REPLAY 2026-03-01 12:00:00 UTC ▶ x60 · step 1/10 · not live');
    await view.press(' ', 'n');
    expect(view.lines()[0]).toContain('REPLAY 2026-03-01 12:02:00 UTC ‖ x60 · step 3/10 · not live');
    // Ages are on the replay's clock: the last failure was a second before the step, not hours ago.
    expect(view.lines().find((line) => line.includes('203.0.113.10'))).toContain('<1m ago');
    await view.press('?');
    expect(view.frame()).toContain('not live (--at, --replay)');
    await view.press(KEYS.escape);
    const asOf = createStore({ ...baseState(WALL), travel: asOfTravel(T0 + 3 * MINUTE, 5000) });
    asOf.setState(
      reduceTravel(asOf.getState(), {
        type: 'evaluated',
        at: T0 + 3 * MINUTE,
        detector: frames()[3]!.detector,
      }),
    );
    const second = renderAt(
      <App store={asOf} onEffect={(effect) => effects.push(effect)} clock={() => WALL} />,
      {
        columns: 100,
        rows: 30,
      },
    );
    views.push(second);
    await settle();
    expect(second.lines()[0]).toContain('AS OF 2026-03-01 12:03:00 UTC · not live');
    await second.press(']');
    expect(effects).toEqual([{ kind: 'travel-at', at: T0 + 3 * MINUTE + 5000 }]);
    expect(second.lines()[0]).toContain('loading');
  });
});

describe('console flags --at / --replay', () => {
  it('read like once --at; a bad or future time, a reversed period or both flags are usage errors', async () => {
    const { travelFromFlags } = await import('../../source/commands/console.js');
    expect(travelFromFlags({}, WALL, 5000)).toBeNull();
    expect(travelFromFlags({ at: '2026-03-01T12:03Z' }, WALL, 5000)).toEqual({
      kind: 'as-of',
      at: T0 + 3 * MINUTE,
    });
    expect(travelFromFlags({ at: '-2h' }, WALL, 5000)).toEqual({ kind: 'as-of', at: WALL - 120 * MINUTE });
    expect(travelFromFlags({ replay: '2026-03-01 12:00..2026-03-01 13:00' }, WALL, 5000)).toEqual({
      kind: 'replay',
      from: T0,
      to: T0 + 60 * MINUTE,
    });
    expect(travelFromFlags({ at: 'soon' }, WALL, 5000)).toMatch(/^--at soon: expected an ISO 8601 time/);
    expect(travelFromFlags({ at: '2099-01-01' }, WALL, 5000)).toMatch(/in the future/);
    expect(travelFromFlags({ replay: '2026-03-01 13:00..2026-03-01 12:00' }, WALL, 5000)).toMatch(
      /after the start/,
    );
    expect(travelFromFlags({ replay: '2026-03-01' }, WALL, 5000)).toMatch(/expected FROM\.\.TO/);
    expect(travelFromFlags({ at: '-1h', replay: '-2h..-1h' }, WALL, 5000)).toMatch(/one or the other/);
  });
});

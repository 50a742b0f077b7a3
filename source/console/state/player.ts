// Time travel in the console, as pure state: "as of" a past time (`soc-watch --at T`) and the
// replay player (`soc-watch --replay T1..T2`). Nothing here polls or reads the wall clock: the
// shell (console/travel.ts) fetches evaluations and replay frames and feeds them in, and the
// player's clock ticks in (player-clock.ts), so the same frames and the same ticks give the
// same screen (a replay is deterministic).
//   as of   the screen is one evaluation at `at` (the one `once --at` makes: the detector
//           replayed over the lookback before it, source/replay/evaluate.ts); [ ] move `at`
//           by one refresh, { } by one window, and each move asks the shell to evaluate again.
//   replay  the shell runs the replay engine over the period (the detector and lifecycle
//           of live) and hands over one frame (detector state) per step as they arrive; a
//           cursor moves over them: play/pause, speed ×1 … ×600 (detector time per wall
//           time), step, one window, jump to the next step where an alert opened.
import type { DetectorState } from '../../detect/detector.js';
import { type KeyResult, none, withFlash } from './effects.js';
import { currentSelection } from './selectors.js';
import type { AppState } from './state.js';
import { frameIndex, type ReplayTravel, SPEEDS, type TravelAction } from './travel-state.js';

/** The screen shows the detector state at the detector's time: `now` is that time, not the wall's. */
function show(state: AppState, detector: DetectorState, at: number): AppState {
  if (state.detector === detector && state.now === at) return state;
  return {
    ...state,
    selection: currentSelection(state),
    detector: { ...detector, mutes: state.detector.mutes },
    snapshot: detector.snapshot,
    slowSnapshot: detector.slowSnapshot,
    updatedAt: at,
    now: at,
  };
}

function withReplay(state: AppState, travel: ReplayTravel): AppState {
  const index = frameIndex(travel);
  const next = { ...state, travel };
  const frame = travel.frames[index];
  return frame ? show(next, frame.detector, frame.at) : next;
}

/** The last time the cursor may reach: the last step, and no further than the frames loaded. */
function reach(travel: ReplayTravel): number {
  const last = travel.frames.at(-1);
  return Math.min(travel.steps.at(-1) ?? travel.to, last?.at ?? travel.steps[0] ?? travel.from);
}

export function reduceTravel(state: AppState, action: TravelAction): AppState {
  const travel = state.travel;
  if (!travel) return state;
  switch (action.type) {
    case 'evaluated': {
      if (travel.kind !== 'as-of' || travel.pendingAt !== action.at) return state; // a later move won
      return show(
        { ...state, travel: { ...travel, at: action.at, pendingAt: null } },
        action.detector,
        action.at,
      );
    }
    case 'frames': {
      if (travel.kind !== 'replay' || action.frames.length === 0) return state;
      return withReplay(state, { ...travel, frames: [...travel.frames, ...action.frames] });
    }
    case 'failed':
      return {
        ...(travel.kind === 'replay' ? { ...state, travel: { ...travel, error: action.text } } : state),
        flash: { text: action.text, tone: 'error', at: state.now },
      };
    case 'tick': {
      if (travel.kind !== 'replay' || !travel.playing) return state;
      const end = travel.steps.at(-1) ?? travel.to;
      const cursor = Math.min(reach(travel), travel.cursor + action.elapsedMs * travel.speed);
      // At the end of the period the player stops; waiting for frames it keeps playing.
      const playing = !(cursor >= end && travel.frames.length === travel.steps.length);
      if (cursor === travel.cursor && playing === travel.playing) return state;
      return withReplay(state, { ...travel, cursor, playing });
    }
  }
}

const NOT_TRAVELLING = 'time keys work in the "as of" console (--at) or a replay (--replay)';

/** [ ] and { }: move the time by `deltaMs` (as of: ask for an evaluation there; replay: move the cursor). */
export function moveTime(state: AppState, deltaMs: number, wallNow: number): KeyResult {
  const travel = state.travel;
  if (!travel) return none(withFlash(state, NOT_TRAVELLING, state.now));
  if (travel.kind === 'as-of') {
    const from = travel.pendingAt ?? travel.at;
    // Not past the wall clock: beyond it there is no data yet, which must not read as "quiet".
    const at = Math.min(from + deltaMs, wallNow);
    if (at === from) return none(withFlash(state, 'that is now: the console does not go past it', state.now));
    return {
      state: { ...state, travel: { ...travel, pendingAt: at } },
      effects: [{ kind: 'travel-at', at }],
    };
  }
  const first = travel.steps[0] ?? travel.from;
  // Stepping lands on a step (the grid), whatever the cursor's time while playing.
  const index = frameIndex(travel);
  const base = index >= 0 ? travel.frames[index]!.at : first;
  const cursor = Math.max(first, Math.min(reach(travel), base + deltaMs));
  if (deltaMs > 0 && cursor <= base) return none(withFlash(state, loadingText(travel), state.now));
  return none(withReplay(state, { ...travel, cursor }));
}

function loadingText(travel: ReplayTravel): string {
  return travel.frames.length < travel.steps.length
    ? `loading the replay: ${travel.frames.length} of ${travel.steps.length} steps`
    : 'the end of the replay';
}

export function togglePlay(state: AppState): KeyResult {
  const travel = state.travel;
  if (travel?.kind !== 'replay')
    return none(withFlash(state, 'play / pause works in a replay (--replay)', state.now));
  const end = travel.steps.at(-1) ?? travel.to;
  // Play at the end starts over.
  const cursor = !travel.playing && travel.cursor >= end ? (travel.steps[0] ?? travel.from) : travel.cursor;
  return none(withReplay(state, { ...travel, playing: !travel.playing, cursor }));
}

export function changeSpeed(state: AppState, direction: 1 | -1): KeyResult {
  const travel = state.travel;
  if (travel?.kind !== 'replay')
    return none(withFlash(state, 'speed works in a replay (--replay)', state.now));
  const index = SPEEDS.findIndex((speed) => speed >= travel.speed);
  const next =
    SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, (index < 0 ? SPEEDS.length - 1 : index) + direction))]!;
  return none({ ...state, travel: { ...travel, speed: next } });
}

/** To the next step (after the one shown) where an alert opened. */
export function nextAlert(state: AppState): KeyResult {
  const travel = state.travel;
  if (travel?.kind !== 'replay')
    return none(withFlash(state, 'next alert works in a replay (--replay)', state.now));
  const index = frameIndex(travel);
  const found = travel.frames.findIndex((frame, at) => at > index && frame.opened > 0);
  if (found < 0) {
    const text =
      travel.frames.length < travel.steps.length
        ? `no alert opens in the loaded part (${travel.frames.length} of ${travel.steps.length} steps); try again`
        : 'no alert opens after this time';
    return none(withFlash(state, text, state.now));
  }
  return none(withReplay(state, { ...travel, cursor: travel.frames[found]!.at }));
}

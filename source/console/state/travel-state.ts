// The shape of time travel in the console (as of a past time, or the replay player) and its
// constructors: what AppState holds (state.ts) and the player reducer (player.ts) acts on. Its
// own file so that state.ts can name the type without importing the reducer, which needs
// AppState (no import cycle).
import type { DetectorState } from '../../detect/detector.js';

/** Replay speeds: detector milliseconds per wall millisecond. */
export const SPEEDS = [1, 10, 30, 60, 120, 300, 600] as const;
export const DEFAULT_SPEED = 60;

/** One replay step: the detector state after it, and how many alerts opened at it. */
export interface Frame {
  at: number;
  detector: DetectorState;
  opened: number;
}

export interface AsOfTravel {
  kind: 'as-of';
  /** The time shown (the windows end there). */
  at: number;
  /** Asked for, not yet shown (an evaluation is on its way). */
  pendingAt: number | null;
  /** [ ] step: the console's refresh. */
  stepMs: number;
}

export interface ReplayTravel {
  kind: 'replay';
  from: number;
  to: number;
  stepMs: number;
  /** Every step's time, known up front (the grid); frames arrive for them in order. */
  steps: readonly number[];
  frames: readonly Frame[];
  /** The player's time (detector clock): the frame shown is the last one at or before it. */
  cursor: number;
  playing: boolean;
  speed: number;
  /** The replay engine stopped with this (frames before it still play). */
  error: string | null;
}

export type Travel = AsOfTravel | ReplayTravel;

export type TravelAction =
  /** An evaluation as of `at` arrived (as of). */
  | { type: 'evaluated'; at: number; detector: DetectorState }
  /** More replay frames, in step order. */
  | { type: 'frames'; frames: readonly Frame[] }
  | { type: 'failed'; text: string }
  /** Wall time passed while playing. */
  | { type: 'tick'; elapsedMs: number };

export function asOfTravel(at: number, stepMs: number): AsOfTravel {
  return { kind: 'as-of', at, pendingAt: at, stepMs };
}

export function replayTravel(
  from: number,
  to: number,
  steps: readonly number[],
  stepMs: number,
): ReplayTravel {
  return {
    kind: 'replay',
    from,
    to,
    stepMs,
    steps,
    frames: [],
    cursor: steps[0] ?? from,
    playing: true,
    speed: DEFAULT_SPEED,
    error: null,
  };
}

/** Index of the frame shown at the cursor (-1 before the first frame arrived). */
export function frameIndex(travel: ReplayTravel): number {
  const { frames, cursor } = travel;
  let low = 0;
  let high = frames.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (frames[mid]!.at <= cursor) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}

// The replay player's clock: while a replay plays, every TICK_MS of wall time moves the
// cursor by TICK_MS × speed of detector time (state/player.ts). Each tick adds the nominal
// TICK_MS, not the measured time since the last one, so the same number of ticks lands on the
// same frame (a loaded machine plays a little slower; it does not skip steps).
import { reduceTravel } from './state/player.js';
import type { Store } from './state/store.js';

/** Four ticks a second: the header's time cursor moves smoothly without costing many renders. */
export const TICK_MS = 250;

export function startPlayerClock(store: Pick<Store, 'getState' | 'setState'>, tickMs = TICK_MS): () => void {
  const timer = setInterval(() => {
    const state = store.getState();
    if (state.travel?.kind !== 'replay' || !state.travel.playing) return;
    store.setState(reduceTravel(state, { type: 'tick', elapsedMs: tickMs }));
  }, tickMs);
  timer.unref();
  return () => clearInterval(timer);
}

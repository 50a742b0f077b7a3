// The console's escalations (source/console/escalations.ts) over a store, on the fixtures'
// clock and with lifetimes nothing aborts: what every escalation test of the console starts from.
import { createEscalations } from '../../source/console/escalations.js';
import type { AppState } from '../../source/console/state/state.js';
import { createStore } from '../../source/console/state/store.js';
import { feedFocused, polledState, T0 } from './fixtures.js';

export function escalationsOver(state: AppState = feedFocused(polledState())) {
  const store = createStore(state);
  const escalations = createEscalations({
    store,
    lifetime: new AbortController().signal,
    flushDeadline: new AbortController().signal,
    now: () => T0,
  });
  return { store, escalations };
}

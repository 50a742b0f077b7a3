// A minimal external store for the app state: the poller and Slack callbacks dispatch into
// it from outside React, and the App reads it with useSyncExternalStore. A dispatch that
// changes nothing (same state object back) notifies nobody, so it costs no render.
import { type AppAction, reduce } from './reduce.js';
import type { AppState, Flash } from './state.js';

export interface Store {
  getState(): AppState;
  dispatch(action: AppAction): void;
  /** Replace the state (the key handler computes the next state itself). */
  setState(next: AppState): void;
  subscribe(listener: () => void): () => void;
}

export function createStore(initial: AppState): Store {
  let state = initial;
  const listeners = new Set<() => void>();
  const setState = (next: AppState) => {
    if (next === state) return;
    state = next;
    for (const listener of listeners) listener();
  };
  return {
    getState: () => state,
    dispatch: (action) => setState(reduce(state, action)),
    setState,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Shows a line in the footer and the message log, stamped with the console's time. */
export type Say = (text: string, tone?: Flash['tone']) => void;

export function sayTo(store: Pick<Store, 'dispatch'>, now: () => number = Date.now): Say {
  return (text, tone = 'info') => store.dispatch({ type: 'flash', text, tone, now: now() });
}

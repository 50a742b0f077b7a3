// A minimal external store for the app state: the poller and Slack callbacks dispatch into
// it from outside React, and the App reads it with useSyncExternalStore. A dispatch that
// changes nothing (same state object back) notifies nobody, so it costs no render.
import { type AppAction, reduce } from './reduce.js';
import type { AppState } from './state.js';

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

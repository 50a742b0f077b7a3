// The live console's root: reads the store, follows the terminal size, and turns key
// presses into state changes (handle-key.ts) and effects for the caller to run.
import { useInput, useWindowSize } from 'ink';
import { useSyncExternalStore } from 'react';
import { computeLayout, pageSize } from './frame/layout.js';
import { handleKey } from './keys/handle-key.js';
import { splitKeys } from './keys/key-chunks.js';
import { Screen } from './Screen.js';
import type { Effect } from './state/effects.js';
import type { Store } from './state/store.js';

export interface AppProps {
  store: Store;
  /** Runs persist / poller / Slack / quit effects of key presses. */
  onEffect: (effect: Effect) => void;
  clock?: () => number;
}

export function App({ store, onEffect, clock = Date.now }: AppProps) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const { columns, rows } = useWindowSize();
  useInput((input, key) => {
    const current = store.getState();
    const layout = computeLayout(
      columns,
      rows,
      current.services.map((service) => service.name),
    );
    let state = current;
    const effects: Effect[] = [];
    for (const [one, oneKey] of splitKeys(input, key)) {
      const result = handleKey(state, one, oneKey, {
        now: clock(),
        page: pageSize(layout, state.focus),
        size: { columns, rows },
      });
      state = result.state;
      effects.push(...result.effects);
      if (result.effects.some((effect) => effect.kind === 'quit')) break;
    }
    // One state update for the whole run of keys: one render.
    store.setState(state);
    for (const effect of effects) onEffect(effect);
  });
  return <Screen state={state} columns={columns} rows={rows} clock={clock} />;
}

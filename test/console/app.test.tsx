// The App wired to a store, driven by real key sequences through Ink's input parser, at a
// terminal size we control and can resize.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../source/console/App.js';
import type { Effect } from '../../source/console/keys/handle-key.js';
import { createStore, type Store } from '../../source/console/state/store.js';
import { baseState, normalSnapshot, polledState, T0 } from './fixtures.js';
import { KEYS, type Rendered, renderAt, settle } from './render.js';

const views: Rendered[] = [];
afterEach(() => {
  for (const view of views.splice(0)) view.unmount();
});

function mount(store: Store, size = { columns: 80, rows: 24 }, clock: () => number = () => T0 + 3000) {
  const effects: Effect[] = [];
  const view = renderAt(
    <App store={store} onEffect={(effect) => effects.push(effect)} clock={clock} />,
    size,
  );
  views.push(view);
  return { view, effects };
}

const sshRow = (view: Rendered, ip: string) => view.lines().find((line) => line.includes(ip)) ?? '';

describe('App', () => {
  it('t 2 0 Enter: the flags change on screen at once and the threshold is handed over to persist', async () => {
    const store = createStore(polledState());
    const { view, effects } = mount(store);
    await settle();
    expect(sshRow(view, '198.51.100.7')).toMatch(/ ▲ 198\.51\.100\.7 .* TSE$/);
    await view.press('t', '2');
    expect(view.frame()).toContain('threshold: 2▏');
    await view.press('0', KEYS.enter);
    expect(sshRow(view, '198.51.100.7')).toMatch(/ {3}198\.51\.100\.7 .* SE$/);
    expect(sshRow(view, '203.0.113.10')).toMatch(/›▲ 203\.0\.113\.10 .* !TS$/);
    expect(view.frame()).toContain('SSH threshold 5 -> 20');
    expect(view.frame()).toContain('threshold 20');
    expect(effects).toEqual([{ kind: 'persist-threshold', service: 'ssh', value: 20 }]);
  });

  it('keys that arrive in one read (fast typing over SSH, a paste) act one by one', async () => {
    const store = createStore(polledState());
    const { view, effects } = mount(store);
    await settle();
    const before = view.stdout.frames.length;
    await view.press('t20\r');
    expect(view.frame()).toContain('SSH threshold 5 -> 20');
    expect(effects).toEqual([{ kind: 'persist-threshold', service: 'ssh', value: 20 }]);
    expect(view.stdout.frames.length - before).toBe(1);
    await view.press('/10.0.0.0/8\rq');
    expect(view.frame()).toContain('filter: 10.0.0.0/8');
    expect(effects.at(-1)).toEqual({ kind: 'quit' });
  });

  it('? opens the help and Esc closes it; q asks to quit', async () => {
    const store = createStore(polledState());
    const { view, effects } = mount(store);
    await settle();
    await view.press('?');
    expect(view.frame()).toContain('Keys (Esc or ? closes this help)');
    await view.press(KEYS.escape);
    expect(view.frame()).not.toContain('Keys (Esc');
    expect(view.frame()).toContain('203.0.113.10');
    await view.press('q');
    expect(effects).toEqual([{ kind: 'quit' }]);
    await view.press(KEYS.ctrlC);
    expect(effects).toEqual([{ kind: 'quit' }, { kind: 'quit', code: 130 }]);
  });

  it('Tab, j and Enter reach the detail of an alert in the feed', async () => {
    const { view } = mount(createStore(polledState()));
    await settle();
    await view.press(KEYS.tab, KEYS.tab, 'j', KEYS.enter);
    expect(view.frame()).toMatch(/HIGH spraying · SSH · 203\.0\.113\.10/);
    await view.press('j');
    expect(view.frame()).toMatch(/brute force · RDP · 45\.67\.89\.10/);
  });

  it('/ filters as you type; Esc in the prompt restores', async () => {
    const { view } = mount(createStore(polledState()));
    await settle();
    await view.press('/', '4', '5', '.');
    expect(view.frame()).toContain('0 of 4 shown');
    expect(view.frame()).toContain('45.67.89.10');
    await view.press(KEYS.escape);
    expect(view.frame()).toContain('203.0.113.10');
  });

  it('adapts at once to resizes, down to the too-small line and back', async () => {
    const { view } = mount(createStore(polledState()));
    await settle();
    expect(view.lines()).toHaveLength(24);
    view.stdout.resize(200, 60);
    await settle();
    expect(view.lines()).toHaveLength(60);
    expect(view.lines().find((line) => line.includes('SSH') && line.includes('RDP'))).toBeDefined();
    view.stdout.resize(70, 20);
    await settle();
    expect(view.frame().trim()).toBe('terminal too small (need 80×24); q quits');
    view.stdout.resize(120, 40);
    await settle();
    expect(view.lines()).toHaveLength(40);
  });

  it('one poll is one render; an unchanged status is none', async () => {
    const store = createStore(polledState());
    const { view } = mount(store);
    await settle();
    const before = view.stdout.frames.length;
    store.dispatch({ type: 'poll', snapshot: normalSnapshot(T0 + 5000), slowSnapshot: null, now: T0 + 5000 });
    await settle();
    expect(view.stdout.frames.length - before).toBe(1);
    store.dispatch({ type: 'status', status: { kind: 'live' }, now: T0 + 5001 });
    await settle();
    expect(view.stdout.frames.length - before).toBe(1);
  });

  it('"updated Ns ago" ticks by itself once a second, and only it', async () => {
    // The ticker's setInterval on fake time (Ink's own timers stay real): a real 1.1 s sleep
    // against a real 1 s interval could miss the tick on a loaded machine.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      let now = T0;
      const store = createStore(polledState());
      const { view } = mount(store, { columns: 80, rows: 24 }, () => now);
      await settle();
      expect(view.frame()).toContain('updated 0s ago');
      const before = view.stdout.frames.length;
      now = T0 + 2000;
      vi.advanceTimersByTime(999);
      await settle();
      expect(view.stdout.frames.length - before).toBe(0);
      vi.advanceTimersByTime(1);
      await settle();
      expect(view.frame()).toContain('updated 2s ago');
      expect(view.stdout.frames.length - before).toBe(1);
      // The clock standing still: the ticker finds the same text and renders nothing.
      vi.advanceTimersByTime(1000);
      await settle();
      expect(view.stdout.frames.length - before).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('before any poll the console is usable: help works, q quits', async () => {
    const { view, effects } = mount(createStore(baseState()));
    await settle();
    expect(view.frame()).toContain('waiting for the first poll');
    await view.press('?', KEYS.escape, 'j', 'q');
    expect(effects).toEqual([{ kind: 'quit' }]);
  });
});

// Issue 13 B12–B16, C17, D: what the analyst sees, at real terminal sizes, through the real
// reducer, key handler and screen (issue items named in each test).
import './force-color.js';
import type { Key } from 'ink';
import stringWidth from 'string-width';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { handleKey, type KeyResult } from '../../source/console/keys/handle-key.js';
import { NO_KEY } from '../../source/console/keys/key-chunks.js';
import { filterProblem } from '../../source/console/prompts/filter.js';
import { Screen } from '../../source/console/Screen.js';
import type { AppState } from '../../source/console/state/state.js';
import { polledState, T0 } from './fixtures.js';
import { restoreColorEnv } from './force-color.js';
import { type Rendered, renderAt, settle } from './render.js';

const views: Rendered[] = [];
afterEach(() => {
  for (const view of views.splice(0)) view.unmount();
});
afterAll(restoreColorEnv);

type Press = string | Partial<Key>;
function press(state: AppState, presses: Press[], now = T0 + 1000): KeyResult {
  let current = state;
  const effects: KeyResult['effects'] = [];
  for (const entry of presses) {
    const [input, key] = typeof entry === 'string' ? [entry, NO_KEY] : ['', { ...NO_KEY, ...entry }];
    const result = handleKey(current, input, key, { now, page: 5 });
    current = result.state;
    effects.push(...result.effects);
  }
  return { state: current, effects };
}
const typed = (text: string): Press[] => Array.from(text);

async function show(state: AppState, columns: number, rows: number, ui: Parameters<typeof renderAt>[2] = {}) {
  const view = renderAt(
    <Screen state={state} columns={columns} rows={rows} clock={() => T0 + 3000} />,
    { columns, rows },
    ui,
  );
  views.push(view);
  await settle();
  return view;
}

function expectFits(view: Rendered, columns: number, rows: number) {
  const lines = view.lines();
  expect(lines).toHaveLength(rows);
  for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
}

describe('B16 the filter says when an IP or CIDR is invalid', () => {
  it.each([
    ['10.0.0.0/33', 'invalid CIDR'],
    ['10.0.0.0/', 'invalid CIDR'],
    ['10.0.0.300', 'invalid IP'],
    ['10.0.0.256/8', 'invalid CIDR'],
    ['2001:db8::/129', 'invalid CIDR'],
  ])('%s → %s', (text, problem) => {
    expect(filterProblem(text)).toContain(problem);
  });

  it.each(['10.0.0.0/8', '10.0.', '192.0.2.7', '2001:db8::/32', 'root', 'adm'])('%s is fine', (text) => {
    expect(filterProblem(text)).toBeNull();
  });

  it('/ 10.0.0.0/33 shows "invalid" in the prompt and Enter does not keep it', async () => {
    const { state } = press(polledState(), ['/', ...typed('10.0.0.0/33'), { return: true }]);
    expect(state.overlay?.kind).toBe('filter');
    const view = await show(state, 80, 24);
    expect(view.frame()).toMatch(/filter: 10\.0\.0\.0\/33.*invalid CIDR/);
    expectFits(view, 80, 24);
    // Fixed: Backspace to /3 is valid, and Enter keeps it.
    const fixed = press(state, [{ backspace: true }, { return: true }]).state;
    expect(fixed.overlay).toBeNull();
    expect(fixed.filter).toBe('10.0.0.0/3');
  });
});

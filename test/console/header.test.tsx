// C18: the header shows the last poll's server-side `took` and whether Slack is configured,
// and at 80 columns drops whole fields (least important first) instead of cutting a word.
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { Header } from '../../source/console/frame/Header.js';
import { fitFields } from '../../source/console/frame/header-fields.js';
import { baseState, normalSnapshot, polledState, T0 } from './fixtures.js';

let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

function header(width: number, configured: boolean, took = 42) {
  const base = baseState(T0, {
    escalation: configured
      ? { configured: true, hint: 'Slack: configured' }
      : { configured: false, hint: 'Slack is not configured' },
  });
  const state = polledState({ ...normalSnapshot(), took }, T0, base);
  const view = render(<Header state={state} width={width} clock={() => T0 + 3000} />);
  unmount = view.unmount;
  return (view.lastFrame() ?? '').split('\n')[0]!;
}

describe('header: server took and Slack state (C18)', () => {
  it('shows the server took and "Slack: configured" when wide', () => {
    const line = header(130, true, 42);
    expect(line).toContain('server took 42 ms');
    expect(line).toContain('Slack: configured');
    expect(line).toContain('LIVE');
  });

  it('says "Slack: not configured" when no webhook is known', () => {
    expect(header(130, false)).toContain('Slack: not configured');
  });

  it('at 80 columns keeps the Slack state and the badge whole, dropping the took first', () => {
    const line = header(80, false, 1234);
    expect(line.length).toBeLessThanOrEqual(80);
    expect(line).toContain('Slack: not configured');
    expect(line).toContain('LIVE');
    expect(line).toContain('window 15m');
    expect(line).toContain('every 5s');
    expect(line).not.toContain('server took');
    expect(line).not.toContain('…');
  });
});

describe('fitFields', () => {
  it('drops whole fields by importance and keeps display order', () => {
    const fields = [
      { text: 'aaaa', keep: 1 },
      { text: 'bbbb', keep: 3 },
      { text: 'cccc', keep: 0 },
      { text: 'dddd', keep: 2 },
    ];
    expect(fitFields(fields, 100, ' ')).toBe('aaaa bbbb cccc dddd');
    expect(fitFields(fields, 14, ' ')).toBe('aaaa bbbb dddd');
    expect(fitFields(fields, 9, ' ')).toBe('bbbb dddd');
    expect(fitFields(fields, 2, ' ')).toBe('bbbb');
    // A short, less important field fills the room a long one left.
    const uneven = [
      { text: 'important', keep: 3 },
      { text: 'long-and-middling', keep: 2 },
      { text: 'minor', keep: 1 },
    ];
    expect(fitFields(uneven, 16, ' ')).toBe('important minor');
  });
});

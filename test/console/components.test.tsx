// Single components through ink-testing-library (100 columns, which these components do not
// read: they take their width as a prop).
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertFeed } from '../../source/console/feed/AlertFeed.js';
import { Footer } from '../../source/console/frame/Footer.js';
import { HelpOverlay } from '../../source/console/overlays/HelpOverlay.js';
import { OffenderTable } from '../../source/console/panes/OffenderTable.js';
import { Sparkline } from '../../source/console/panes/Sparkline.js';
import { alertList } from '../../source/console/state/selectors.js';
import { HOSTILE, LONG_IPV6, offender, polledState, RAW_DANGER, T0 } from './fixtures.js';

let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

function show(node: Parameters<typeof render>[0]): string {
  const view = render(node);
  unmount = view.unmount;
  for (const frame of view.frames) expect(frame).not.toMatch(RAW_DANGER);
  return view.lastFrame() ?? '';
}

describe('components', () => {
  it('Sparkline squeezes the window into its width', () => {
    const frame = show(<Sparkline values={Array.from({ length: 60 }, (_, index) => index)} width={20} />);
    expect(frame).toMatch(/^▁[▁▂▃▄▅▆▇█]{18}█$/);
  });

  it('OffenderTable: only the rows that fit, the selection kept in view, all lines the same width', () => {
    const rows = Array.from({ length: 40 }, (_, index) =>
      offender(index === 3 ? LONG_IPV6 : `203.0.113.${index}`, 100 - index, {
        topUsers: [{ name: index === 5 ? HOSTILE.long : HOSTILE.wide, count: 1 }],
      }),
    );
    const frame = show(
      <OffenderTable
        rows={rows}
        selected={30}
        focused
        width={90}
        height={8}
        sort={{ column: 'failures', descending: true }}
        flagsOf={(row) => (row.failures >= 80 ? ['over-threshold'] : [])}
        now={T0}
        dim={false}
        empty="none"
      />,
    );
    const lines = frame.split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[0]).toMatch(/^ {3}IP +FAILS↓/);
    expect(lines.at(-1)).toMatch(/^› {2}203\.0\.113\.30 +70 /);
    for (const line of lines.slice(1)) expect(stringWidth(line.trimEnd())).toBeLessThanOrEqual(90);
  });

  it('AlertFeed: title with counts, one line per alert', () => {
    const state = polledState();
    const frame = show(
      <AlertFeed
        rows={[...alertList(state)]}
        total={alertList(state).length}
        selected={-1}
        focused={false}
        width={100}
        height={4}
        sort={{ column: 'time', descending: true }}
        filtered={false}
        now={T0}
        labelOf={(service) => service.toUpperCase()}
        stale={false}
      />,
    );
    const lines = frame.split('\n');
    expect(lines[0]).toMatch(/^ {2}ALERTS +(\d+ CRIT ↓ · )?1\/8 ↓ · 8 · 8 new/);
    expect(lines[1]).toMatch(/SEV +STARTED↓ +RULE +SVC +SOURCE\/ACCOUNT +ATT&CK +STATE +COUNTS/);
    expect(lines).toHaveLength(6);
  });

  it('Footer: whole hints only, help and quit always', () => {
    const narrow = show(<Footer context="offenders" width={40} />);
    expect(narrow).toMatch(/^Tab pane {2}j move.*\? help {2}q quit$/);
    expect(narrow).not.toContain('…');
    expect(show(<Footer context="prompt" width={80} />)).toMatch(/^Enter apply {2}Esc cancel/);
  });

  it('HelpOverlay: keys, flags and states from the tables', () => {
    const frame = show(<HelpOverlay width={100} height={60} />);
    expect(frame).toContain('Keys (Esc or ? closes this help)');
    expect(frame).toContain('edit this service');
    expect(frame).toContain('S password spraying');
    expect(frame).toContain('Alert states');
  });
});

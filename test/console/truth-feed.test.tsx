// Issue 13 A6 and A8 in the feed: a partial poll marks the alerts of its service, and an
// alert whose threshold was raised above its count says "below threshold N", not "quiet".
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertFeed } from '../../source/console/feed/AlertFeed.js';
import { reduce } from '../../source/console/state/reduce.js';
import { alertList } from '../../source/console/state/selectors.js';
import type { AppState } from '../../source/console/state/state.js';
import { reevaluate } from '../../source/detect/detector.js';
import { withThreshold } from '../../source/detect/settings.js';
import { iso, offender, polledState, service, snapshot, T0 } from './fixtures.js';

let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

function feed(state: AppState): string {
  const rows = [...alertList(state)];
  const view = render(
    <AlertFeed
      rows={rows}
      total={rows.length}
      selected={-1}
      focused={false}
      width={140}
      height={10}
      sort={{ column: 'time', descending: true }}
      filtered={false}
      now={state.now}
      labelOf={(name) => name.toUpperCase()}
      stale={false}
    />,
  );
  unmount = view.unmount;
  return view.lastFrame() ?? '';
}

function line(frame: string, text: string): string {
  const found = frame.split('\n').find((row) => row.includes(text));
  if (!found) throw new Error(`no line with ${text} in\n${frame}`);
  return found;
}

describe('feed markers', () => {
  it('A8: raising the threshold above an alert count reads "below threshold 10"', () => {
    let state = polledState(
      snapshot([service('ssh', [offender('192.0.2.200', 6, { lastFailure: iso(T0 - 1000) })])]),
    );
    const settings = withThreshold(state.settings, 'ssh', 10);
    state = { ...state, settings, detector: reevaluate(state.detector, settings, T0 + 1000), now: T0 + 1000 };
    const row = line(feed(state), '192.0.2.200');
    expect(row).toContain('below threshold 10');
    expect(row).not.toMatch(/\bquiet\b/);
  });

  it('A6: while polls of a service are partial its alerts keep their count and say "partial"', () => {
    let state = polledState(
      snapshot([service('ssh', [offender('192.0.2.200', 30, { lastFailure: iso(T0 - 1000) })])]),
    );
    const partial = snapshot(
      [
        service('ssh', [offender('192.0.2.200', 21, { lastFailure: iso(T0 - 1000) })], {
          shards: { total: 3, failed: 1 },
        }),
      ],
      { now: T0 + 5000 },
    );
    state = reduce(state, { type: 'poll', snapshot: partial, slowSnapshot: null, now: T0 + 5000 });
    const row = line(feed(state), '192.0.2.200');
    expect(row).toContain('partial');
    expect(row).toContain('30 fails');
  });
});

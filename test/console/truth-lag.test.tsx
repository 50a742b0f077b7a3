// Issue 13 A3 on screen: each pane says how old its newest event is (event time, from the
// data); a service that had events but none for `silenceAlert` is called out in the header;
// "no events in 7 days" is told apart from silence.
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { Header } from '../../source/console/frame/Header.js';
import { lagText } from '../../source/console/panes/ServicePane.js';
import { ingestLag } from '../../source/console/state/ingest-lag.js';
import { baseState, iso, MINUTE, polledState, service, snapshot, T0 } from './fixtures.js';

let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

function data(sshNewest: string | null, rdpNewest: string | null) {
  const snap = snapshot(
    [
      service('ssh', [], { label: 'SSH', newestEvent: sshNewest }),
      service('rdp', [], { label: 'RDP', newestEvent: rdpNewest }),
    ],
    { now: T0 },
  );
  return { ...snap, fetchedAt: iso(T0) };
}

function header(sshNewest: string | null, rdpNewest: string | null, silenceAlertMs?: number) {
  const state = polledState(
    data(sshNewest, rdpNewest),
    T0,
    baseState(T0, silenceAlertMs === undefined ? {} : { silenceAlertMs }),
  );
  const view = render(<Header state={state} width={120} clock={() => T0} />);
  unmount = view.unmount;
  return { frame: view.lastFrame() ?? '', state };
}

describe('ingest lag (A3)', () => {
  it('the header asks whether the shipper runs when a service went silent (default 10m)', () => {
    const { frame } = header(iso(T0 - 14 * MINUTE), iso(T0 - 5000));
    expect(frame).toContain('SSH: no events for 14m — is the shipper running?');
    expect(frame).not.toContain('RDP: no events');
  });

  it('silenceAlert is configurable; no alert when under it', () => {
    expect(header(iso(T0 - 14 * MINUTE), iso(T0 - 5000), 20 * MINUTE).frame).not.toContain('no events for');
  });

  it('a service with no event in the lookback is not "silent" but "no events in 7d"', () => {
    const { frame, state } = header(null, iso(T0 - 5000));
    expect(frame).not.toContain('no events for');
    const [ssh, rdp] = ingestLag(state.snapshot, state.silenceAlertMs);
    expect(lagText(ssh, ' · ')).toBe(' · no events in 7d');
    expect(lagText(rdp, ' · ')).toBe(' · newest event 5s ago');
  });

  it('a snapshot that did not ask says nothing about lag', () => {
    const snap = snapshot([service('ssh', [], { label: 'SSH' })], { now: T0 });
    expect(lagText(ingestLag(snap)[0], ' · ')).toBe('');
  });
});

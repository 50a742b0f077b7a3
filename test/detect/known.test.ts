// Issue 13 A5: an alert live before a console restart is not `new` again; its time is the
// attack's own first failure. A later attack from the same source (after the known one's
// last failure) is new.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../source/detect/alert.js';
import { createDetectorState, detect } from '../../source/detect/detector.js';
import { decodeKnown, encodeKnown, knownAlerts } from '../../source/detect/known.js';
import { iso, MINUTE, offender, service, settings, snapshot, T0 } from './builders.js';

const IP = '203.0.113.5';
const ID = `brute-force|ssh|${IP}`;

function session(
  now: number,
  firstFailure: number,
  lastFailure: number,
  known = createDetectorState().known,
) {
  const snap = snapshot(
    [service('ssh', [offender(IP, 9, { firstFailure: iso(firstFailure), lastFailure: iso(lastFailure) })])],
    { now },
  );
  const start = known ? { ...createDetectorState(), known } : createDetectorState();
  return detect(start, { snapshot: snap, slowSnapshot: null }, settings(), now);
}

function alert(alerts: readonly Alert[]): Alert {
  const found = alerts.find((entry) => entry.id === ID);
  if (!found) throw new Error('no alert');
  return found;
}

describe('known alerts across a restart (A5)', () => {
  it('without history every alert is new (the bug: a restart made them all new)', () => {
    expect(alert(session(T0, T0 - 10 * MINUTE, T0 - 1000).alerts).state).toBe('new');
  });

  it('an alert live before the restart continues: active, acknowledged as it was, first failure kept', () => {
    const before = session(T0, T0 - 10 * MINUTE, T0 - 1000);
    const acked = before.alerts.map((entry) => ({ ...entry, acknowledged: true }));
    // Through the file's encoding, as the console keeps it.
    const { known, problems } = decodeKnown(JSON.parse(JSON.stringify(encodeKnown(knownAlerts(acked), T0))));
    expect(problems).toEqual([]);
    // Restarted two minutes later; the window slid, so the data's first failure is later now.
    const after = session(T0 + 2 * MINUTE, T0 - 8 * MINUTE, T0 + 2 * MINUTE - 1000, known);
    expect(alert(after.alerts)).toMatchObject({
      state: 'active',
      acknowledged: true,
      firstFailure: iso(T0 - 10 * MINUTE),
    });
  });

  it('a later attack from the same source (starting after the known last failure) is new', () => {
    const before = session(T0, T0 - 10 * MINUTE, T0 - 1000);
    const known = knownAlerts(before.alerts);
    const after = session(T0 + 3 * 60 * MINUTE, T0 + 170 * MINUTE, T0 + 179 * MINUTE, known);
    expect(alert(after.alerts)).toMatchObject({ state: 'new', acknowledged: false });
  });

  it('malformed file entries are left out and counted', () => {
    const decoded = decodeKnown({ version: 1, alerts: { a: { firstFailure: 'x' }, b: null } });
    expect(decoded.known.size).toBe(0);
    expect(decoded.problems).toEqual(['2 malformed alert(s) ignored']);
    expect(decodeKnown([]).problems[0]).toMatch(/not an alert state file/);
  });
});

// Issue 13 A5 in the console: alerts.json beside mutes.json keeps the live alerts, so after a
// restart they read `active` (not `new`) with their acknowledgement; the feed's TIME is the
// attack's own first failure (event time), not the console's start.
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertFilePath, readAlertFile, writeAlertFile } from '../../source/console/alert-file.js';
import { UNICODE_GLYPHS } from '../../source/console/draw/glyphs.js';
import { alertCells } from '../../source/console/feed/alert-columns.js';
import { alertList } from '../../source/console/state/selectors.js';
import { baseState, iso, MINUTE, offender, polledState, service, snapshot, T0 } from './fixtures.js';

const IP = '192.0.2.200';

function data(now: number) {
  return snapshot(
    [
      service('ssh', [
        offender(IP, 12, { firstFailure: iso(T0 - 20 * MINUTE), lastFailure: iso(now - 1000) }),
      ]),
    ],
    { now },
  );
}

function clock(epoch: number): string {
  const date = new Date(epoch);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

describe('alerts.json (A5)', () => {
  it('a restart keeps live alerts active and acknowledged; TIME is the first failure', () => {
    const directory = mkdtempSync(join(tmpdir(), 'soc-watch-alerts-'));
    const path = alertFilePath(directory);
    const first = polledState(data(T0));
    const [raised] = alertList(first);
    expect(raised).toMatchObject({ state: 'new' });
    expect(alertCells(raised!, 'SSH', false, T0, UNICODE_GLYPHS).time).toBe(clock(T0 - 20 * MINUTE));
    writeAlertFile(path, [{ ...raised!, acknowledged: true }], T0);
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const later = T0 + 3 * MINUTE;
    const read = readAlertFile(path);
    expect(read.problems).toEqual([]);
    const restarted = polledState(data(later), later, baseState(later, { known: read.known }));
    expect(alertList(restarted)[0]).toMatchObject({ state: 'active', acknowledged: true });
    expect(alertCells(alertList(restarted)[0]!, 'SSH', false, later, UNICODE_GLYPHS).time).toBe(
      clock(T0 - 20 * MINUTE),
    );
  });

  it('a missing file is no history; a broken one says so and loses nothing else', () => {
    const directory = mkdtempSync(join(tmpdir(), 'soc-watch-alerts-'));
    expect(readAlertFile(alertFilePath(directory))).toEqual({ known: new Map(), problems: [] });
    writeFileSync(alertFilePath(directory), '{not json');
    expect(readAlertFile(alertFilePath(directory)).problems[0]).toMatch(/not valid JSON/);
  });
});

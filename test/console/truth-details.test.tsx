// Issue 13 A4: rows beyond the busiest IPs (no top users / hosts / origin in the snapshot)
// read "…" and "not fetched", never blank or "unknown"; the rows a pane shows are asked for
// (detailRequests, run by the session through source/cluster/row-details.ts) and, once the
// answer is reduced in, show their details.
import { describe, expect, it } from 'vitest';
import { UNICODE_GLYPHS } from '../../source/console/draw/glyphs.js';
import { offenderDetail } from '../../source/console/overlays/detail-lines.js';
import { offenderCells } from '../../source/console/panes/offender-columns.js';
import { reduce } from '../../source/console/state/reduce.js';
import { detailRequests } from '../../source/console/state/row-details.js';
import { offenderRows, selectedOffender } from '../../source/console/state/selectors.js';
import type { AppState } from '../../source/console/state/state.js';
import { offender, polledState, service, snapshot, T0 } from './fixtures.js';

const BUSY = offender('203.0.113.1', 50, { topUsers: [{ name: 'root', count: 50 }], country: 'CN' });
const BEYOND = { ...offender('203.0.113.99', 3), detailed: false as const };

function state(): AppState {
  return polledState(snapshot([service('ssh', [BUSY, BEYOND], { label: 'SSH' }), service('rdp', [])]));
}

function row(s: AppState, ip: string) {
  const found = offenderRows(s, 'ssh').find((entry) => entry.ip === ip);
  if (!found) throw new Error(`no row ${ip}`);
  return found;
}

describe('not fetched is not unknown (A4)', () => {
  it('a row without details shows "…" in TOP USER and COUNTRY/ASN, and its detail view says not fetched', () => {
    const s = state();
    const cells = offenderCells(row(s, BEYOND.ip), [], false, false, T0, UNICODE_GLYPHS);
    expect(cells.topUser).toBe('…');
    expect(cells.geo).toBe('…');
    const detail = offenderDetail({
      offender: row(s, BEYOND.ip),
      serviceLabel: 'SSH',
      flags: [],
      threshold: 5,
      alerts: [],
      window: undefined,
      kibana: null,
      now: T0,
      glyphs: UNICODE_GLYPHS,
    });
    expect(detail.lines.join('\n')).toContain('origin not fetched yet');
    expect(detail.lines.join('\n')).not.toContain('unknown');
    expect(detail.lines.join('\n')).toMatch(/top users, hosts and origin: not fetched yet/);
  });

  it('the shown rows without details are asked for, by IP, over the snapshot window', () => {
    const s = state();
    const requests = detailRequests(
      s,
      (name) => offenderRows(s, name),
      (name) => selectedOffender(s, name),
    );
    expect(requests).toEqual([
      {
        service: 'ssh',
        from: Date.parse(s.snapshot!.window.from),
        to: Date.parse(s.snapshot!.window.to),
        ips: [BEYOND.ip],
      },
    ]);
  });

  it('the answer fills the row in; nothing more is asked for', () => {
    let s = state();
    s = reduce(s, {
      type: 'row-details',
      service: 'ssh',
      details: new Map([
        [
          BEYOND.ip,
          { topUsers: [{ name: 'oracle', count: 3 }], hosts: [], country: 'BR', asn: null, asOrg: null },
        ],
      ]),
      now: T0 + 100,
    });
    const cells = offenderCells(row(s, BEYOND.ip), [], false, false, T0, UNICODE_GLYPHS);
    expect(cells.topUser).toBe('oracle');
    expect(cells.geo).toBe('BR');
    expect(
      detailRequests(
        s,
        (name) => offenderRows(s, name),
        (name) => selectedOffender(s, name),
      ),
    ).toEqual([]);
  });
});

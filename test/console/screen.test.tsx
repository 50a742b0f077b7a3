// The screen at real sizes (80×24, 200×60, resized), with normal and hostile data, in every
// connection state, in ASCII and without colour; plus the overlays.
import './force-color.js';
import stringWidth from 'string-width';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ClusterError } from '../../source/cluster/types.js';
import { ASCII_GLYPHS } from '../../source/console/draw/glyphs.js';
import { MONO_THEME } from '../../source/console/draw/theme.js';
import { handleKey } from '../../source/console/keys/handle-key.js';
import { NO_KEY } from '../../source/console/keys/key-chunks.js';
import { Screen } from '../../source/console/Screen.js';
import { ALERTS_PANE } from '../../source/console/state/panes.js';
import { reduce } from '../../source/console/state/reduce.js';
import { alertList, alertRows, offenderRows } from '../../source/console/state/selectors.js';

const offenderRowsOf = (state: AppState) => offenderRows(state, 'ssh').map((row) => row.ip);

import type { AppState } from '../../source/console/state/state.js';
import { applyAction } from '../../source/detect/detector.js';
import {
  alertFor,
  baseState,
  feedFocused,
  HOSTILE,
  hostileSnapshot,
  LONG_IPV6,
  normalSnapshot,
  offender,
  polledState,
  RAW_DANGER,
  service,
  snapshot,
  T0,
} from './fixtures.js';
import { restoreColorEnv } from './force-color.js';
import { type Rendered, renderAt, settle } from './render.js';

const views: Rendered[] = [];
afterEach(() => {
  for (const view of views.splice(0)) view.unmount();
});
afterAll(restoreColorEnv);

async function show(
  state: AppState,
  columns: number,
  rows: number,
  ui: Parameters<typeof renderAt>[2] = {},
  at = T0 + 3000,
): Promise<Rendered> {
  const view = renderAt(
    <Screen state={state} columns={columns} rows={rows} clock={() => at} />,
    { columns, rows },
    ui,
  );
  views.push(view);
  await settle();
  return view;
}

/** Lines of one pane's table: from its column header to the next blank or title line. */
function tableOf(lines: string[], headerIndex: number): string[] {
  const out: string[] = [];
  for (let index = headerIndex + 1; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (!/^[ ›>][ ▲^] /.test(line)) break;
    out.push(line);
  }
  return out;
}

function expectFits(view: Rendered, columns: number, rows: number) {
  const lines = view.lines();
  expect(lines).toHaveLength(rows);
  for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
}

describe.each([
  [80, 24],
  [200, 60],
])('at %i×%i', (columns, rows) => {
  it('shows header, both services, the feed and the footer, exactly filling the terminal', async () => {
    const view = await show(polledState(), columns, rows);
    expectFits(view, columns, rows);
    const frame = view.frame();
    for (const text of [
      'window 15m',
      'every 5s',
      'Slack: configured',
      'LIVE',
      'updated 3s ago',
      '127.0.0.1:9200',
    ]) {
      expect(frame).toContain(text);
    }
    // C18: at 80 columns the backend name is dropped whole (it is the least needed there).
    if (columns >= 200) {
      expect(frame).toContain('Elasticsearch 8.19.9');
      expect(frame).toMatch(/server took \d+ ms/);
    }
    expect(frame).toMatch(/› SSH +48 failures|› SSH {2}66 failures/);
    expect(frame).toContain('RDP  9 failures · 1 IP · 4 without IP · threshold 5');
    expect(frame).toMatch(
      columns >= 200 ? /ALERTS +8 · 8 new/ : /ALERTS +(\d+ CRIT ↓ · )?1\/8 ↓ · 8 · 8 new/,
    );
    expect(frame).toMatch(/›▲ 203\.0\.113\.10 +42 +7 admin1 +<1m ago CN AS4134/);
    expect(frame).toMatch(/ ▲ 198\.51\.100\.7 +12 +6 user1 +<1m ago +TSE/);
    expect(frame).toMatch(/ {3}192\.0\.2\.55 +3 +1 root +<1m ago/);
    expect(frame).toMatch(/[▁▂▃▄▅▆▇█]{20,}/);
    expect(frame).toMatch(/CRIT +\d\d:\d\d:\d\d +success/);
    expect(view.lines().at(-1)).toMatch(/Tab pane +j move.*\? help +q quit$/);
  });

  it('keeps columns aligned and the terminal safe with hostile names and long IPv6', async () => {
    const view = await show(polledState(hostileSnapshot()), columns, rows);
    expectFits(view, columns, rows);
    for (const chunk of view.stdout.frames) expect(chunk).not.toMatch(RAW_DANGER);
    const frame = view.frame();
    expect(frame).not.toContain('A'.repeat(60));
    expect(frame).not.toContain('pwned');
    expect(frame).not.toContain('evil.example');
    const lines = view.lines();
    const header = lines.findIndex((line) => line.includes('FAILS'));
    const failsEnd = lines[header]!.indexOf('FAILS') + 'FAILS↓'.length;
    const rowsOfSsh = tableOf(lines, header);
    expect(rowsOfSsh.length).toBeGreaterThan(3);
    for (const row of rowsOfSsh) {
      // Same cell boundaries on every row: the failure count ends under the header.
      const prefix = Array.from(row).slice(0, failsEnd).join('');
      expect(prefix).toMatch(/\d$/);
      expect(stringWidth(prefix)).toBe(failsEnd);
    }
    expect(frame).toContain(columns >= 200 ? LONG_IPV6 : '2001:0db8…0370:7334');
  });
});

describe('connection states', () => {
  const error = new ClusterError('unreachable', 'cannot reach 127.0.0.1:9200: connection refused');

  it('connecting before the first poll: waiting rows, no fake numbers', async () => {
    const view = await show(baseState(), 80, 24);
    expect(view.frame()).toContain('connecting…');
    expect(view.frame()).toContain('waiting for the first poll...');
    expect(view.frame()).not.toContain('updated');
  });

  it('reconnecting keeps the data, dimmed and marked STALE, with attempt and countdown', async () => {
    const state = reduce(polledState(), {
      type: 'status',
      status: { kind: 'reconnecting', attempt: 3, nextTryAt: T0 + 7000, error },
      now: T0 + 2000,
    });
    const view = await show(state, 80, 24);
    const frame = view.frame();
    expect(frame).toContain('RECONNECTING #3, next try in 4s STALE');
    expect(frame).toContain('threshold 5 STALE');
    expect(frame).toContain('cannot reach 127.0.0.1:9200: connection refused (showing the last data)');
    expect(frame).toContain('203.0.113.10');
    expect(view.raw()).toMatch(/\u001b\[2m/); // dim
  });

  it('a poll overdue by a refresh says "waiting for the cluster Ns", not LIVE (12.7)', async () => {
    // Before: during a hang the header said "● LIVE · updated 8s ago" until the request timeout.
    const state = polledState(); // last answer at T0, refresh 5s
    expect((await show(state, 120, 40, {}, T0 + 5_500)).frame()).toContain('● LIVE');
    const frame = (await show(state, 120, 40, {}, T0 + 13_000)).frame();
    expect(frame).toContain('waiting for the cluster 8s');
    expect(frame).toContain('updated 13s ago');
    expect(frame).not.toContain('LIVE');
  });

  it('error and paused states say so in words', async () => {
    const failed = reduce(polledState(), {
      type: 'status',
      status: { kind: 'error', error: new ClusterError('auth', 'authentication failed (401)') },
      now: T0,
    });
    expect((await show(failed, 80, 24)).frame()).toContain('ERROR STALE');
    const paused = reduce(polledState(), { type: 'status', status: { kind: 'paused' }, now: T0 });
    const frame = (await show(paused, 80, 24)).frame();
    expect(frame).toContain('|| PAUSED');
    expect(frame).not.toContain('STALE');
  });
});

describe('what the poll covered is said, never shown as all clear (13 A2, A6)', () => {
  const withShards = (shards: { total: number; failed: number }[]) => {
    const data = normalSnapshot();
    return { ...data, services: data.services.map((entry, index) => ({ ...entry, shards: shards[index]! })) };
  };

  it('an index pattern that matches nothing says NO INDICES, not LIVE with no failed logins', async () => {
    // Before: "● LIVE" and "no failed logins in the window" against `--index nosuch-*`.
    const empty = normalSnapshot();
    const data = {
      ...empty,
      services: empty.services.map((entry) => ({
        ...entry,
        failures: 0,
        distinctIps: 0,
        offenders: [],
        timeline: entry.timeline.map(() => 0),
        shards: { total: 0, failed: 0 },
      })),
    };
    const frame = (await show(polledState(data), 120, 40)).frame();
    expect(frame).toContain('NO INDICES');
    expect(frame).toContain('index pattern logs-*,winlogbeat-* matches no indices: nothing is being watched');
    expect(frame).toContain('no indices match the index pattern');
    expect(frame).not.toContain('LIVE');
    expect(frame).not.toContain('no failed logins in the window');
  });

  it('one service without indices is named; the other keeps its numbers', async () => {
    const frame = (
      await show(
        polledState(
          withShards([
            { total: 2, failed: 0 },
            { total: 0, failed: 0 },
          ]),
        ),
        120,
        40,
      )
    ).frame();
    expect(frame).toContain('RDP: the index pattern matches no indices');
    expect(frame).toContain('● LIVE');
  });

  it('partial answers keep saying PARTIAL with the shard count, and mark the pane, for as long as they last', async () => {
    // Before: the warning showed for ~6 s, then "● LIVE · updated 0s ago" with low numbers.
    let state = polledState(
      withShards([
        { total: 3, failed: 1 },
        { total: 2, failed: 0 },
      ]),
    );
    for (let poll = 1; poll <= 5; poll += 1) {
      const now = T0 + poll * 5000;
      const data = {
        ...withShards([
          { total: 3, failed: 1 },
          { total: 2, failed: 0 },
        ]),
        fetchedAt: new Date(now).toISOString(),
      };
      state = reduce(state, { type: 'poll', snapshot: data, slowSnapshot: null, now });
    }
    const frame = (await show(state, 120, 40, {}, T0 + 25_500)).frame();
    expect(frame).toContain('PARTIAL: 1 of 5 shards failed');
    expect(frame).toContain('SSH: 1 of 5 shards failed; numbers may be low');
    expect(frame).toMatch(/threshold 5 PARTIAL/);
    expect(frame).not.toContain('LIVE');
  });
});

describe('nothing critical hidden (13 B11)', () => {
  it('at 80×24 the feed shows its position and a marker for a CRITICAL alert scrolled away', async () => {
    // Before: ALERTS showed 5 of 12 rows, the CRITICAL one scrolled away with no hint.
    const many = Array.from({ length: 11 }, (_, index) =>
      offender(`198.51.100.${index + 1}`, 10 + index, { now: T0 }),
    );
    const critical = offender('203.0.113.10', 42, {
      now: T0,
      successesAfterFailure: 1,
      firstSuccessAfterFailure: new Date(T0 - 20_000).toISOString(),
      successUser: 'admin',
    });
    const data = snapshot(
      [service('ssh', [critical, ...many], { label: 'SSH' }), service('rdp', [], { label: 'RDP' })],
      { now: T0 },
    );
    let state = feedFocused(polledState(data));
    const rows = alertRows(state);
    const at = rows.findIndex((alert) => alert.severity === 'critical');
    expect(at).toBeGreaterThanOrEqual(0);
    const target = at < rows.length / 2 ? rows.length - 1 : 0;
    state = {
      ...state,
      selection: { ...state.selection, [ALERTS_PANE]: { key: rows[target]!.id, index: target } },
    };
    const lines = (await show(state, 80, 24)).lines();
    const title = lines.find((line) => line.includes('ALERTS'))!;
    expect(title).toContain(`1 CRIT ${at < rows.length / 2 ? '↑' : '↓'}`);
    expect(title).toMatch(new RegExp(`${target + 1}/${rows.length} [↑↓]`));
  });
});

describe('mute scope (13 B12)', () => {
  it('an IP-wide mute that would silence a CRITICAL alert says so before Enter', async () => {
    let state = polledState();
    const rows = offenderRowsOf(state);
    state = {
      ...state,
      selection: { ...state.selection, ssh: { key: '203.0.113.10', index: rows.indexOf('203.0.113.10') } },
    };
    const asked = handleKey(state, 'm', NO_KEY, { now: T0 + 1000, page: 5 }).state;
    const frame = (await show(asked, 120, 40)).frame();
    expect(frame).toContain('mute IP 203.0.113.10 (every alert of it) for:');
    expect(frame).toMatch(/also silences .*CRIT/);
  });
});

describe('approximate numbers (13 A7)', () => {
  it('distinct IPs above the cardinality precision threshold are marked ≈; exact ones are not', async () => {
    // Before: "200,982 IPs" for exactly 200,000, shown as if exact.
    const data = normalSnapshot();
    const many = {
      ...data,
      services: data.services.map((entry, index) =>
        index === 0 ? { ...entry, distinctIps: 200_982 } : entry,
      ),
    };
    const frame = (await show(polledState(many), 120, 40)).frame();
    expect(frame).toContain('≈200,982 IPs');
    expect(frame).toContain('RDP  9 failures · 1 IP');
    expect((await show(polledState(many), 120, 40, { glyphs: ASCII_GLYPHS })).frame()).toContain(
      '~200,982 IPs',
    );
  });
});

describe('times (13 A1)', () => {
  it('LAST is the same age in every window: relative to the fetch, not the bucket-rounded window end', async () => {
    // Before: an attacker failing every second read "4m ago" at 6 h, "2h ago" at 30 d.
    for (const [windowMs, roundUp] of [
      [6 * 3_600_000, 5 * 60_000],
      [30 * 86_400_000, 11 * 3_600_000],
    ] as const) {
      const data = snapshot([service('ssh', [offender('203.0.113.10', 42, { now: T0 })], { label: 'SSH' })], {
        now: T0,
        windowMs,
      });
      const rounded = { ...data, window: { ...data.window, to: new Date(T0 + roundUp).toISOString() } };
      const lines = (await show(polledState(rounded), 120, 40)).lines();
      const row = lines.find((line) => line.includes('203.0.113.10'))!;
      expect(row).toContain('<1m ago');
    }
  });
});

describe('small, plain and ASCII terminals', () => {
  it('below 80×24 shows one line saying what is needed', async () => {
    for (const [columns, rows] of [
      [79, 24],
      [80, 23],
      [40, 10],
    ] as const) {
      const view = await show(polledState(), columns, rows);
      expect(view.frame().trim()).toBe('terminal too small (need 80×24); q quits');
    }
  });

  it('--ascii with NO_COLOR: only ASCII on screen, state still readable by symbols and words', async () => {
    const view = await show(polledState(), 80, 24, { glyphs: ASCII_GLYPHS, theme: MONO_THEME });
    expectFits(view, 80, 24);
    const frame = view.frame();
    expect(frame).toMatch(/^[\x20-\x7e\n]*$/);
    expect(frame).toContain('* LIVE');
    expect(frame).toMatch(/>\^ 203\.0\.113\.10 +42/);
    expect(frame).toMatch(/FAILSv/);
    expect(frame).toMatch(/[_.,\-=+*#]{20,}/);
    expect(view.raw()).not.toMatch(/\u001b\[3[0-9]m|\u001b\[9[0-7]m/); // no foreground colour codes
  });
});

describe('overlays and prompts', () => {
  it('help lists the keys, the flags and the alert states, within the screen', async () => {
    const view = await show({ ...polledState(), overlay: { kind: 'help' } }, 80, 24);
    expectFits(view, 80, 24);
    const frame = view.frame();
    for (const text of ['Keys (Esc or ? closes this help)', 'Tab', 'threshold', 'j/k scroll']) {
      expect(frame).toContain(text);
    }
    // Taller than 80×24: the rest is a scroll away (13 B15), not cut off.
    const end = await show({ ...polledState(), overlay: { kind: 'help', offset: 999 } }, 80, 24);
    expectFits(end, 80, 24);
    for (const text of ['Flags', '! login succeeded', 'Alert states']) expect(end.frame()).toContain(text);
    const tall = await show({ ...polledState(), overlay: { kind: 'help' } }, 120, 40);
    // With x (evidence) in the key list, 80×24 has room for one flag row less.
    expect(tall.frame()).toContain('T over the brute-force');
    expect(tall.frame()).toContain('Alert states: new, active');
    expect(tall.frame()).toContain('In prompts: Enter apply');
  });

  it('detail of an IP: all numbers, top users, hosts, times, Kibana link', async () => {
    const state = {
      ...polledState(),
      overlay: { kind: 'detail' as const },
      kibana: { url: 'https://kibana.example:5601', ipField: 'source.ip', userField: 'user.name' },
    };
    const view = await show(state, 120, 40);
    const frame = view.frame();
    expect(frame).toContain('203.0.113.10 · SSH');
    expect(frame).toContain(
      'failures 42 (threshold 5) · distinct users 7 · invalid-user failures 0 · successes after failures 1',
    );
    expect(frame).toMatch(
      /first failure \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(1m ago\) · last failure .*\(1s ago\)/,
    );
    expect(frame).toContain('origin CN AS4134 CHINANET-BACKBONE');
    expect(frame).toContain('login succeeded after failures:');
    expect(frame).toContain('as admin1');
    expect(frame).toMatch(/TOP USERS +HOSTS/);
    expect(frame).toMatch(/admin1 +36 +web1 +42/);
    // The link is one line inside the box, shortened visibly, Y copies it whole (13 C17).
    const link = view.lines().find((line) => line.includes('Kibana '))!;
    expect(link).toMatch(
      /│ Kibana https:\/\/kibana\.example:5601\/app\/discover#\/\?_.*….* \(Y copies the link\) *│$/,
    );
  });

  it('detail of an alert: rule, techniques, counts, escalation', async () => {
    const base = feedFocused(polledState());
    const alert = alertFor(base, 'success-after-failure', '203.0.113.10');
    const state = reduce(
      { ...base, overlay: { kind: 'detail' } },
      {
        type: 'escalation',
        alertId: alert.id,
        status: { kind: 'failed', at: T0, reason: 'HTTP 500' },
        now: T0,
      },
    );
    const frame = (await show(state, 120, 40)).frame();
    expect(frame).toContain('CRIT success after fail · SSH · 203.0.113.10');
    expect(frame).toContain('ATT&CK T1078 Valid Accounts');
    expect(frame).toContain('Slack delivery failed: HTTP 500');
    expect(frame).toContain('state failed ✗');
  });

  it('the threshold editor opens in place in the service title', async () => {
    const state: AppState = {
      ...polledState(),
      overlay: { kind: 'threshold', service: 'ssh', text: '20', error: null },
    };
    const frame = (await show(state, 80, 24)).frame();
    expect(frame).toMatch(/› SSH +threshold: 20▏ +\(now 5; Enter apply, Esc cancel/);
    expect(frame).toContain('RDP  9 failures');
  });

  it('the filter prompt shows in the header and panes say how many rows match', async () => {
    const state: AppState = {
      ...polledState(),
      filter: '198',
      overlay: { kind: 'filter', text: '198', before: '' },
    };
    const frame = (await show(state, 80, 24)).frame();
    expect(frame).toContain('filter: 198▏');
    expect(frame).toContain('1 of 4 shown');
    expect(frame).not.toContain('203.0.113.10');
    expect(frame).toContain('no rows match the filter');
  });

  it('feed states: escalated, sending, failed, by another analyst, ack, muted', async () => {
    let state = feedFocused(polledState());
    const ids = alertList(state).map((alert) => alert.id);
    const statuses = [
      { kind: 'sent', at: T0, by: 'me@host', update: false },
      { kind: 'sending', since: T0 },
      { kind: 'failed', at: T0, reason: 'timeout' },
      { kind: 'already', at: T0 - 120_000, by: 'bob@soc' },
    ] as const;
    statuses.forEach((status, index) => {
      state = reduce(state, { type: 'escalation', alertId: ids[index]!, status, now: T0 });
    });
    const frame = (await show(state, 120, 40)).frame();
    for (const text of ['escalated ✓', 'sending…', 'failed ✗', 'by bob@soc 2m ago', 'new']) {
      expect(frame).toContain(text);
    }
    // A second poll moves the others from new to active; then acknowledge one, mute another.
    const now = T0 + 5000;
    state = reduce(state, { type: 'poll', snapshot: normalSnapshot(now), slowSnapshot: null, now });
    let detector = applyAction(state.detector, { type: 'acknowledge', alertId: ids[4]! }, now);
    const rdp = alertFor(state, 'brute-force', '45.67.89.10');
    detector = applyAction(detector, { type: 'mute', alertId: rdp.id, untilMs: now + 3_600_000 }, now);
    const later = (await show({ ...state, detector }, 120, 40)).frame();
    for (const text of ['active', 'ack', 'muted', 'escalated ✓']) expect(later).toContain(text);
  });
});

describe('hostile text in every place it can appear', () => {
  it('alert keys, summaries, escalation names and flashes are sanitized', async () => {
    let state = feedFocused(polledState(hostileSnapshot()));
    state = reduce(state, {
      type: 'escalation',
      alertId: alertList(state)[0]!.id,
      status: { kind: 'already', at: T0, by: HOSTILE.osc },
      now: T0,
    });
    state = reduce(state, { type: 'flash', text: HOSTILE.ansi, tone: 'error', now: T0 });
    state = { ...state, filter: HOSTILE.bidi };
    for (const overlay of [null, { kind: 'detail' as const }, { kind: 'help' as const }]) {
      const view = await show({ ...state, overlay }, 120, 40);
      for (const chunk of view.stdout.frames) expect(chunk).not.toMatch(RAW_DANGER);
      expectFits(view, 120, 40);
    }
  });
});

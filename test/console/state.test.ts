// The reducer and the key handler: pure functions of state, key and clock.
import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { ClusterError } from '../../source/cluster/types.js';
import { type Effect, handleKey, type KeyResult } from '../../source/console/keys/handle-key.js';
import { NO_KEY } from '../../source/console/keys/key-chunks.js';
import { ALERTS_PANE } from '../../source/console/state/panes.js';
import { FLASH_MS, reduce } from '../../source/console/state/reduce.js';
import {
  alertList,
  alertRows,
  offenderRows,
  selectedAlert,
  selectedOffender,
} from '../../source/console/state/selectors.js';
import { type AppState, isStale } from '../../source/console/state/state.js';
import { offenderFlags } from '../../source/detect/detector.js';
import { thresholdFor } from '../../source/detect/settings.js';
import { escalationStateId } from '../../source/slack/record.js';
import {
  alertFor,
  feedFocused,
  LONG_IPV6,
  MINUTE,
  normalSnapshot,
  offender,
  polledState,
  service,
  snapshot,
  T0,
} from './fixtures.js';

type Press = string | Partial<Key>;

/** Press keys in order; returns the final state and every effect. */
function press(state: AppState, presses: Press[], now = T0 + 1000, page = 5): KeyResult {
  let current = state;
  const effects: Effect[] = [];
  for (const entry of presses) {
    const [input, key] = typeof entry === 'string' ? [entry, NO_KEY] : ['', { ...NO_KEY, ...entry }];
    const result = handleKey(current, input, key, { now, page });
    current = result.state;
    effects.push(...result.effects);
  }
  return { state: current, effects };
}

const flagsOf = (state: AppState, ip: string) => {
  const row = offenderRows(state, 'ssh').find((candidate) => candidate.ip === ip)!;
  return offenderFlags(state.detector, state.settings, 'ssh', row, state.now);
};

describe('reduce', () => {
  it('a poll stores the snapshot, runs the detector and lists alerts newest first', () => {
    const state = polledState();
    expect(state.snapshot?.services).toHaveLength(2);
    expect(state.updatedAt).toBe(T0);
    expect(state.status.kind).toBe('live');
    expect(alertFor(state, 'brute-force', '203.0.113.10').state).toBe('new');
    expect(alertFor(state, 'success-after-failure', '203.0.113.10').severity).toBe('critical');
    const firstSeen = alertList(state).map((alert) => alert.firstSeen);
    expect(firstSeen).toEqual([...firstSeen].sort((a, b) => b - a));
  });

  it('an unchanged status returns the same state object (no render)', () => {
    const state = polledState();
    expect(reduce(state, { type: 'status', status: { kind: 'live' }, now: T0 + 5 })).toBe(state);
  });

  it('marks data stale while reconnecting or in error, never before the first poll', () => {
    const error = new ClusterError('unreachable', 'connection refused');
    const state = polledState();
    const reconnecting = reduce(state, {
      type: 'status',
      status: { kind: 'reconnecting', attempt: 2, nextTryAt: T0 + 4000, error },
      now: T0 + 1,
    });
    expect(isStale(reconnecting)).toBe(true);
    expect(reconnecting.snapshot).toBe(state.snapshot);
    expect(isStale(reduce(state, { type: 'status', status: { kind: 'error', error }, now: T0 }))).toBe(true);
    expect(isStale(reduce(state, { type: 'status', status: { kind: 'paused' }, now: T0 }))).toBe(false);
  });

  it('an escalation result updates the alert; a synced record from someone else shows as "already"', () => {
    const state = polledState();
    const alert = alertFor(state, 'brute-force', '203.0.113.10');
    const other = alertFor(state, 'brute-force', '198.51.100.7');
    const sending = reduce(state, {
      type: 'escalation',
      alertId: alert.id,
      status: { kind: 'sending', since: T0 },
      now: T0 + 1,
    });
    expect(alertFor(sending, 'brute-force', '203.0.113.10').escalation?.kind).toBe('sending');
    const synced = reduce(sending, {
      type: 'escalations-synced',
      records: new Map([
        [alert.id, { by: 'bob@soc', at: T0 - 60_000 }],
        [other.id, { by: 'bob@soc', at: T0 - 60_000 }],
      ]),
      now: T0 + 2,
    });
    // Ours in flight stays ours; the other alert takes bob's record.
    expect(alertFor(synced, 'brute-force', '203.0.113.10').escalation?.kind).toBe('sending');
    expect(alertFor(synced, 'brute-force', '198.51.100.7').escalation).toEqual({
      kind: 'already',
      at: T0 - 60_000,
      by: 'bob@soc',
    });
    // The same records again change nothing: same object, no render.
    const again = reduce(synced, {
      type: 'escalations-synced',
      records: new Map([[other.id, { by: 'bob@soc', at: T0 - 60_000 }]]),
      now: T0 + 3,
    });
    expect(again).toBe(synced);
  });

  it('a flash goes away at the first poll after FLASH_MS', () => {
    let state = reduce(polledState(), { type: 'flash', text: 'hello', tone: 'info', now: T0 });
    state = reduce(state, {
      type: 'poll',
      snapshot: normalSnapshot(T0 + 1000),
      slowSnapshot: null,
      now: T0 + 1000,
    });
    expect(state.flash?.text).toBe('hello');
    state = reduce(state, {
      type: 'poll',
      snapshot: normalSnapshot(T0 + FLASH_MS + 1),
      slowSnapshot: null,
      now: T0 + FLASH_MS + 1,
    });
    expect(state.flash).toBeNull();
  });
});

describe('handleKey: moving', () => {
  it('Tab and Shift+Tab cycle the panes: services in order, then the feed', () => {
    const state = polledState();
    expect(state.focus).toBe('ssh');
    expect(press(state, [{ tab: true }]).state.focus).toBe('rdp');
    expect(press(state, [{ tab: true }, { tab: true }]).state.focus).toBe(ALERTS_PANE);
    expect(press(state, [{ tab: true }, { tab: true }, { tab: true }]).state.focus).toBe('ssh');
    expect(press(state, [{ tab: true, shift: true }]).state.focus).toBe(ALERTS_PANE);
  });

  it('j/k, arrows, g/G and PgUp/PgDn move the selection within bounds', () => {
    const state = polledState();
    const ip = (result: KeyResult) => selectedOffender(result.state, 'ssh')?.ip;
    expect(ip(press(state, []))).toBe('203.0.113.10');
    expect(ip(press(state, ['j']))).toBe('198.51.100.7');
    expect(ip(press(state, [{ downArrow: true }, { downArrow: true }]))).toBe(LONG_IPV6);
    expect(ip(press(state, ['G']))).toBe('192.0.2.55');
    expect(ip(press(state, ['G', 'j', 'j']))).toBe('192.0.2.55');
    expect(ip(press(state, ['G', 'g']))).toBe('203.0.113.10');
    expect(ip(press(state, ['k', { upArrow: true }]))).toBe('203.0.113.10');
    expect(ip(press(state, [{ pageDown: true }], T0, 2))).toBe(LONG_IPV6);
    expect(ip(press(state, [{ pageDown: true }, { pageUp: true }], T0, 2))).toBe('203.0.113.10');
  });

  it('the selection stays on the same IP when a poll re-sorts the rows', () => {
    let state = press(polledState(), ['j']).state; // 198.51.100.7, second
    const next = snapshot(
      [
        service('ssh', [
          offender('198.51.100.7', 80),
          offender('203.0.113.10', 42),
          offender('192.0.2.55', 3),
        ]),
        service('rdp', []),
      ],
      { now: T0 + 5000 },
    );
    state = reduce(state, { type: 'poll', snapshot: next, slowSnapshot: null, now: T0 + 5000 });
    expect(selectedOffender(state, 'ssh')?.ip).toBe('198.51.100.7');
    expect(offenderRows(state, 'ssh')[0]?.ip).toBe('198.51.100.7');
    // When it disappears, the selection keeps its position.
    const gone = snapshot(
      [service('ssh', [offender('203.0.113.10', 42), offender('192.0.2.55', 3)]), service('rdp', [])],
      {
        now: T0 + 10_000,
      },
    );
    state = reduce(state, { type: 'poll', snapshot: gone, slowSnapshot: null, now: T0 + 10_000 });
    expect(selectedOffender(state, 'ssh')?.ip).toBe('203.0.113.10');
  });
});

describe('handleKey: threshold', () => {
  it('t, digits, Enter: applies at once (flags re-evaluated) and asks to persist', () => {
    const state = polledState();
    expect(flagsOf(state, '198.51.100.7')).toContain('over-threshold');
    const result = press(state, ['t', '2', '0', { return: true }]);
    expect(thresholdFor(result.state.settings, 'ssh')).toBe(20);
    expect(result.state.overlay).toBeNull();
    expect(result.effects).toEqual([{ kind: 'persist-threshold', service: 'ssh', value: 20 }]);
    expect(flagsOf(result.state, '198.51.100.7')).not.toContain('over-threshold');
    expect(flagsOf(result.state, '203.0.113.10')).toContain('over-threshold');
    expect(result.state.flash?.text).toBe('SSH threshold 5 -> 20');
    // The brute-force alert of the IP now under the threshold is no longer firing.
    expect(result.state.detector.firing.has(alertFor(state, 'brute-force', '198.51.100.7').id)).toBe(false);
  });

  it('the editor accepts digits only, Backspace edits, Esc cancels without effect', () => {
    const state = polledState();
    const typing = press(state, ['t', '1', 'x']);
    expect(typing.state.overlay).toMatchObject({ kind: 'threshold', text: '1', error: 'digits only' });
    const erased = press(typing.state, [{ backspace: true }, '7']);
    expect(erased.state.overlay).toMatchObject({ text: '7', error: null });
    const cancelled = press(erased.state, [{ escape: true }]);
    expect(cancelled.state.overlay).toBeNull();
    expect(thresholdFor(cancelled.state.settings, 'ssh')).toBe(5);
    expect([...typing.effects, ...erased.effects, ...cancelled.effects]).toEqual([]);
  });

  it('rejects 0 and keeps the editor open with a reason; q is text there, not quit', () => {
    const zero = press(polledState(), ['t', '0', { return: true }]);
    expect(zero.state.overlay).toMatchObject({
      kind: 'threshold',
      error: 'a whole number from 1 to 1000000',
    });
    expect(zero.effects).toEqual([]);
    const q = press(polledState(), ['t', 'q']);
    expect(q.effects).toEqual([]);
    expect(q.state.overlay?.kind).toBe('threshold');
  });

  it('+ and - nudge the focused service threshold, never below 1', () => {
    const up = press(polledState(), ['+', '+']);
    expect(thresholdFor(up.state.settings, 'ssh')).toBe(7);
    expect(up.effects).toEqual([
      { kind: 'persist-threshold', service: 'ssh', value: 6 },
      { kind: 'persist-threshold', service: 'ssh', value: 7 },
    ]);
    const rdp = press(polledState(), [{ tab: true }, '-', '-', '-', '-', '-']);
    expect(thresholdFor(rdp.state.settings, 'rdp')).toBe(1);
    expect(rdp.effects).toHaveLength(4);
    expect(rdp.state.flash?.text).toBe('threshold is already 1');
  });
});

describe('handleKey: window, filter, sort', () => {
  it('w: presets with arrows, or typed; Enter applies and asks to move the poller', () => {
    const state = polledState();
    const preset = press(state, ['w', { rightArrow: true }, { return: true }]);
    expect(preset.state.windowMs).toBe(60 * MINUTE);
    expect(preset.effects).toEqual([{ kind: 'set-window', ms: 60 * MINUTE }]);
    const back = press(state, ['w', { leftArrow: true }]);
    expect(back.state.overlay).toMatchObject({ kind: 'window', text: '5m' });
    const typed = press(state, [
      'w',
      { backspace: true },
      { backspace: true },
      { backspace: true },
      '3',
      '0',
      'm',
      {
        return: true,
      },
    ]);
    expect(typed.effects).toEqual([{ kind: 'set-window', ms: 30 * MINUTE }]);
    const bad = press(state, ['w', 'x', { return: true }]);
    expect(bad.state.overlay).toMatchObject({
      kind: 'window',
      error: 'a duration from 1m to 30d, e.g. 30m or 2h',
    });
    expect(bad.effects).toEqual([]);
  });

  it('/ filters live by IP substring, CIDR or user; Esc restores; Esc in a pane clears', () => {
    const state = polledState();
    const ips = (result: KeyResult, pane = 'ssh') => offenderRows(result.state, pane).map((row) => row.ip);
    expect(ips(press(state, ['/', '1', '9', '8']))).toEqual(['198.51.100.7']);
    expect(ips(press(state, ['/', ...'2001:db8::/32'.split('')]))).toEqual([LONG_IPV6]);
    expect(ips(press(state, ['/', ...'admin3'.split('')]))).toEqual(['203.0.113.10']);
    const kept = press(state, ['/', '1', '9', '2', { return: true }]);
    expect(kept.state.filter).toBe('192');
    expect(kept.state.overlay).toBeNull();
    expect(alertRows(kept.state).every((alert) => alert.key.includes('192'))).toBe(true);
    expect(press(kept.state, ['/', '.', { escape: true }]).state.filter).toBe('192');
    expect(press(kept.state, [{ escape: true }]).state.filter).toBe('');
  });

  it('s cycles the sort column, S reverses', () => {
    const state = polledState();
    const byUsers = press(state, ['s']);
    expect(byUsers.state.sort.ssh).toEqual({ column: 'users', descending: true });
    expect(offenderRows(byUsers.state, 'ssh').map((row) => row.distinctUsers)).toEqual([7, 6, 1, 1]);
    const reversed = press(state, ['S']);
    expect(offenderRows(reversed.state, 'ssh').map((row) => row.failures)).toEqual([3, 9, 12, 42]);
    const byIp = press(state, ['s', 's', 's']);
    expect(byIp.state.sort.ssh).toEqual({ column: 'ip', descending: false });
    expect(press(state, ['s', 's', 's', 's']).state.sort.ssh?.column).toBe('failures');
  });
});

describe('handleKey: alerts', () => {
  it('a acknowledges the selected alert; on an offender row, the alerts of that IP', () => {
    const feed = feedFocused(polledState());
    const first = selectedAlert(feed)!;
    const acked = press(feed, ['a']);
    expect(alertList(acked.state).find((alert) => alert.id === first.id)?.acknowledged).toBe(true);
    expect(press(acked.state, ['a']).state.flash?.text).toBe('already acknowledged');
    const row = press(polledState(), ['a']);
    const ofIp = alertList(row.state).filter(
      (alert) => alert.key === '203.0.113.10' && alert.service === 'ssh',
    );
    expect(ofIp.length).toBeGreaterThan(1);
    expect(ofIp.every((alert) => alert.acknowledged)).toBe(true);
    expect(row.state.flash?.text).toBe(`acknowledged ${ofIp.length} alerts`);
  });

  it('m asks how long, mutes the IP (flag M, alerts muted); m again unmutes', () => {
    const state = polledState();
    const asked = press(state, ['m']);
    expect(asked.state.overlay).toMatchObject({ kind: 'mute', text: '1h' });
    // It has a CRITICAL alert: Enter asks y/n first (13 B12); y mutes.
    const muted = press(asked.state, [{ return: true }, 'y']);
    expect(flagsOf(muted.state, '203.0.113.10')).toContain('muted');
    expect(alertFor(muted.state, 'brute-force', '203.0.113.10').mutedUntil).toBe(T0 + 1000 + 60 * MINUTE);
    expect(muted.state.flash?.text).toBe('muted 203.0.113.10 for 1h');
    const unmuted = press(muted.state, ['m']);
    expect(flagsOf(unmuted.state, '203.0.113.10')).not.toContain('muted');
    expect(unmuted.state.overlay).toBeNull();
    const bad = press(state, ['m', { backspace: true }, { backspace: true }, 'x', { return: true }]);
    expect(bad.state.overlay).toMatchObject({ kind: 'mute', error: 'a duration, e.g. 30m, 1h, 1d' });
  });

  it('e asks for a one-key confirmation: y sends, n adds a note first, Esc cancels', () => {
    const feed = feedFocused(polledState());
    const alert = selectedAlert(feed)!;
    const asked = press(feed, ['e']);
    expect(asked.state.overlay).toEqual({ kind: 'escalate', alertId: alert.id, stage: 'confirm', note: '' });
    expect(press(asked.state, ['y']).effects).toEqual([
      { kind: 'escalate', alertId: alert.id, note: undefined },
    ]);
    expect(press(asked.state, [{ escape: true }]).effects).toEqual([]);
    const noted = press(asked.state, ['n', ...'on it'.split(''), { return: true }]);
    expect(noted.effects).toEqual([{ kind: 'escalate', alertId: alert.id, note: 'on it' }]);
    expect(noted.state.overlay).toBeNull();
  });

  it('m in the feed mutes that alert only, not every alert of its IP (13 B12)', () => {
    // Before: m, Enter on "MED brute force SSH <ip>" muted the IP, its CRITICAL alert included.
    const feed = feedFocused(polledState());
    const ofIp = alertList(feed).filter((alert) => alert.key === '203.0.113.10');
    expect(ofIp.length).toBeGreaterThan(1);
    const target = ofIp[0]!;
    const rows = alertRows(feed);
    const selected = {
      ...feed,
      selection: { ...feed.selection, [ALERTS_PANE]: { key: target.id, index: rows.indexOf(target) } },
    };
    const muted = press(selected, ['m', { return: true }]);
    const after = alertList(muted.state).filter((alert) => alert.key === '203.0.113.10');
    expect(after.filter((alert) => alert.mutedUntil !== null).map((alert) => alert.id)).toEqual([target.id]);
  });

  it('Slack did not answer: asks "Send again? y/n"; y resends with force, n does not (12.2)', () => {
    const feed = feedFocused(polledState());
    const alert = selectedAlert(feed)!;
    const reason = 'no answer from Slack within 2s';
    const asked = reduce(feed, { type: 'ask-resend', alertId: alert.id, reason, now: T0 + 1000 });
    expect(asked.overlay).toEqual({
      kind: 'escalate',
      alertId: alert.id,
      stage: 'confirm',
      note: '',
      resend: reason,
    });
    expect(press(asked, ['y']).effects).toEqual([
      { kind: 'escalate', alertId: alert.id, note: undefined, force: true },
    ]);
    const declined = press(asked, ['n']);
    expect(declined.effects).toEqual([]);
    expect(declined.state.overlay).toBeNull();
    expect(declined.state.flash?.text).toBe('not sent again');
    // Another prompt open: the question does not take its keys; it is said instead.
    const typing = press(feed, ['/']).state;
    const told = reduce(typing, { type: 'ask-resend', alertId: alert.id, reason, now: T0 + 1000 });
    expect(told.overlay?.kind).toBe('filter');
    expect(told.flash?.text).toMatch(/^Slack did not answer: it may have been posted .*press e/);
  });

  it('e explains itself when Slack is not configured or the alert is being sent', () => {
    const unconfigured = feedFocused({
      ...polledState(),
      escalation: { configured: false, hint: 'Slack: not configured — set SLACK_WEBHOOK_URL' },
    });
    const result = press(unconfigured, ['e']);
    expect(result.state.overlay).toBeNull();
    expect(result.state.flash).toMatchObject({
      tone: 'warn',
      text: 'Slack: not configured — set SLACK_WEBHOOK_URL',
    });
    // On an offender row, e takes the IP's most severe alert.
    const row = press(polledState(), ['e']);
    expect(row.state.overlay).toMatchObject({
      kind: 'escalate',
      alertId: alertFor(polledState(), 'success-after-failure', '203.0.113.10').id,
    });
    expect(press(polledState(), ['G', 'e']).state.flash?.text).toBe('no alert to escalate here');
    const feed = feedFocused(polledState());
    const sending = reduce(feed, {
      type: 'escalation',
      alertId: selectedAlert(feed)!.id,
      status: { kind: 'sending', since: T0 },
      now: T0,
    });
    expect(press(sending, ['e']).state.flash?.text).toBe('already being sent to Slack');
  });

  it('e on an alert already escalated at this state says so instead of offering to send', () => {
    const feed = feedFocused(polledState());
    const alert = selectedAlert(feed)!;
    const sent = reduce(feed, {
      type: 'escalation',
      alertId: alert.id,
      status: { kind: 'sent', at: T0 - 3 * MINUTE, by: 'alice@jump1', update: false },
      now: T0,
      stateId: escalationStateId(alert),
    });
    const again = press(sent, ['e']);
    expect(again.state.overlay).toBeNull();
    expect(again.effects).toEqual([]);
    expect(again.state.flash?.text).toMatch(/^already escalated by alice@jump1 3m ago/);
    // A colleague's record of an older state (the alert has grown since) still offers an update.
    const older = reduce(feed, {
      type: 'escalations-synced',
      records: new Map([[alert.id, { by: 'bob@jump2', at: T0, stateId: 'v1-some-older-state' }]]),
      now: T0,
    });
    expect(press(older, ['e']).state.overlay).toMatchObject({ kind: 'escalate', alertId: alert.id });
    const same = reduce(feed, {
      type: 'escalations-synced',
      records: new Map([[alert.id, { by: 'bob@jump2', at: T0 - MINUTE, stateId: escalationStateId(alert) }]]),
      now: T0,
    });
    expect(press(same, ['e']).state.flash?.text).toMatch(/^already escalated by bob@jump2 1m ago/);
  });
});

describe('handleKey: overlays and lifecycle', () => {
  it('Enter opens the detail of the selection; Esc closes; ? toggles help', () => {
    const state = polledState();
    expect(press(state, [{ return: true }]).state.overlay).toEqual({ kind: 'detail' });
    expect(press(state, [{ return: true }, { escape: true }]).state.overlay).toBeNull();
    expect(press(state, ['?']).state.overlay).toEqual({ kind: 'help' });
    expect(press(state, ['?', '?']).state.overlay).toBeNull();
    const empty = reduce(polledState(), {
      type: 'poll',
      snapshot: snapshot([service('ssh', []), service('rdp', [])]),
      slowSnapshot: null,
      now: T0,
    });
    expect(press(empty, [{ return: true }]).state.flash?.text).toBe('nothing selected');
  });

  it('q and Ctrl+C quit; Ctrl+C even inside a prompt', () => {
    expect(press(polledState(), ['q']).effects).toEqual([{ kind: 'quit' }]);
    expect(press(polledState(), [{ ctrl: true }]).effects).toEqual([]);
    const ctrlC = handleKey(
      press(polledState(), ['/']).state,
      'c',
      { ...NO_KEY, ctrl: true },
      { now: T0, page: 1 },
    );
    expect(ctrlC.effects).toEqual([{ kind: 'quit', code: 130 }]);
  });

  it('q in the help or the detail closes it, it does not quit (13 B13)', () => {
    // Before: q in help quit the whole app (and in the demo stopped the cluster).
    for (const open of [['?'], [{ return: true }]] as Press[][]) {
      const shown = press(polledState(), open);
      expect(shown.state.overlay).not.toBeNull();
      const closed = press(shown.state, ['q']);
      expect(closed.effects).toEqual([]);
      expect(closed.state.overlay).toBeNull();
      expect(press(closed.state, ['q']).effects).toEqual([{ kind: 'quit' }]);
      expect(press(shown.state, [{ ctrl: true }]).effects).toEqual([]);
    }
    const ctrlC = handleKey(
      press(polledState(), ['?']).state,
      'c',
      { ...NO_KEY, ctrl: true },
      { now: T0, page: 1 },
    );
    expect(ctrlC.effects).toEqual([{ kind: 'quit', code: 130 }]);
  });

  it('p pauses and resumes by the current status; r refreshes', () => {
    const live = polledState();
    expect(press(live, ['p']).effects).toEqual([{ kind: 'pause' }]);
    const paused = reduce(live, { type: 'status', status: { kind: 'paused' }, now: T0 });
    expect(press(paused, ['p']).effects).toEqual([{ kind: 'resume' }]);
    expect(press(live, ['r']).effects).toEqual([{ kind: 'refresh' }]);
  });

  it('an unbound key changes nothing', () => {
    const state = polledState();
    expect(press(state, ['z']).state).toBe(state);
  });
});

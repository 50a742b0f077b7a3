// Issue 13 B12–B16, C17, D: what the analyst sees, at real terminal sizes, through the real
// reducer, key handler and screen (issue items named in each test).
import './force-color.js';
import type { Key } from 'ink';
import stringWidth from 'string-width';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ClusterError } from '../../source/cluster/types.js';
import { App } from '../../source/console/App.js';
import { ASCII_GLYPHS } from '../../source/console/draw/glyphs.js';
import { clipboardSequence, hyperlink, osc52, supportsHyperlinks } from '../../source/console/draw/osc.js';
import { MONO_THEME } from '../../source/console/draw/theme.js';
import { handleKey, type KeyResult } from '../../source/console/keys/handle-key.js';
import { NO_KEY } from '../../source/console/keys/key-chunks.js';
import { LOG_SIZE } from '../../source/console/messages/log.js';
import { filterProblem } from '../../source/console/prompts/filter.js';
import { Screen } from '../../source/console/Screen.js';
import { ALERTS_PANE } from '../../source/console/state/panes.js';
import { reduce } from '../../source/console/state/reduce.js';
import { alertList, alertRows } from '../../source/console/state/selectors.js';
import type { AppState } from '../../source/console/state/state.js';
import { createStore } from '../../source/console/state/store.js';
import { whatIfThreshold } from '../../source/console/state/what-if.js';
import { alertFor, feedFocused, polledState, T0 } from './fixtures.js';
import { restoreColorEnv } from './force-color.js';
import { KEYS, type Rendered, renderAt, settle } from './render.js';

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

describe('B12 IP-wide mutes and quiet alerts', () => {
  it('m, Enter on an IP with a CRITICAL alert does not mute: it names the alert and asks y/n', async () => {
    const asked = press(polledState(), ['m', { return: true }]);
    expect(asked.state.overlay).toMatchObject({ kind: 'mute', confirm: true });
    expect(alertFor(asked.state, 'success-after-failure', '203.0.113.10').mutedUntil).toBeNull();
    const view = await show(asked.state, 80, 24);
    expect(view.frame()).toMatch(
      /Mute 203\.0\.113\.10 for 1h\? y\/n It also silences CRIT success after fail \(SSH\)/,
    );
    expect(view.lines().at(-1)).toMatch(/^y yes {2}n\/Esc no/);
    // n (or Esc) keeps it live; y mutes.
    const no = press(asked.state, ['n']).state;
    expect(no.overlay).toBeNull();
    expect(alertFor(no, 'success-after-failure', '203.0.113.10').mutedUntil).toBeNull();
    const yes = press(asked.state, ['y']).state;
    expect(alertFor(yes, 'success-after-failure', '203.0.113.10').mutedUntil).toBeGreaterThan(T0);
  });

  it('an IP with only MEDIUM/LOW alerts mutes on Enter, no question', () => {
    const state = {
      ...polledState(),
      selection: { ...polledState().selection, ssh: { key: '192.0.2.55', index: 3 } },
    };
    const done = press(state, ['m', { return: true }]).state;
    expect(done.overlay).toBeNull();
    expect(done.flash?.text).toBe('muted 192.0.2.55 for 1h');
  });

  it('acked and muted alerts are dimmed and marked (also without colour, in ASCII); H hides and shows them', async () => {
    let state = feedFocused(polledState());
    const critical = alertFor(state, 'success-after-failure', '203.0.113.10');
    state = { ...state, selection: { ...state.selection, [ALERTS_PANE]: { key: critical.id, index: 0 } } };
    state = press(state, ['a']).state; // acknowledge the selected alert
    const rdp = alertFor(state, 'brute-force', '45.67.89.10');
    state = { ...state, selection: { ...state.selection, [ALERTS_PANE]: { key: rdp.id, index: 0 } } };
    state = press(state, ['m', { return: true }]).state; // mute that alert only
    const view = await show(state, 120, 40);
    const row = (key: string, rule: string) =>
      view.lines().find((line) => line.includes(key) && line.includes(rule)) ?? '';
    // Dimmed (SGR 2) in colour.
    const rawRow = view
      .raw()
      .split('\n')
      .find((line) => line.includes('success after fail'))!;
    expect(rawRow).toContain('\u001b[2m');
    expect(row('203.0.113.10', 'success after fail')).toMatch(/^· CRIT/);
    // No colour, ASCII: the mark and the word carry it.
    const plain = await show(state, 120, 40, { glyphs: ASCII_GLYPHS, theme: MONO_THEME });
    const plainRow = plain.lines().find((line) => line.includes('success after fail'))!;
    expect(plainRow).toMatch(/^- CRIT .* ack/);
    const hidden = press(state, ['H']).state;
    expect(alertRows(hidden).map((alert) => alert.id)).not.toContain(critical.id);
    expect(alertRows(hidden).map((alert) => alert.id)).not.toContain(rdp.id);
    const hiddenView = await show(hidden, 120, 40);
    expect(hiddenView.frame()).toContain('2 acked/muted hidden (H)');
    expect(hiddenView.frame()).not.toContain('success after fail');
    const shown = press(hidden, ['H']).state;
    expect(alertRows(shown)).toHaveLength(alertList(shown).length);
  });
});

const LONG_TLS =
  "127.0.0.1:9200: TLS: self-signed certificate in certificate chain — the cluster certificate is signed by a CA this machine does not trust: set caFile to the CA's PEM file (if it is in the system trust store: /etc/ssl/certs/ca-certificates.crt), or caFingerprint to its SHA-256 fingerprint, or use --insecure";

describe('B14 the message log (and #12 §6: the TLS hint is not cut at the terminal width)', () => {
  it('a message goes to the footer line, not over the cluster line; the log keeps it with the console time', async () => {
    const state = reduce(polledState(), {
      type: 'flash',
      text: 'muted 192.0.2.55 for 1h',
      tone: 'info',
      now: T0 + 2000,
    });
    const view = await show(state, 80, 24);
    expect(view.lines()[1]).toContain('127.0.0.1:9200 · logs-*,winlogbeat-*');
    expect(view.lines().at(-1)).toMatch(/^muted 192\.0\.2\.55 for 1h +\? help {2}q quit$/);
    const log = press(state, ['L']).state;
    expect(log.overlay).toEqual({ kind: 'log' });
    const logView = await show(log, 80, 24);
    expect(logView.frame()).toContain("times are this console's clock");
    const stamp = new Date(T0 + 2000);
    const hhmmss = [stamp.getHours(), stamp.getMinutes(), stamp.getSeconds()]
      .map((part) => String(part).padStart(2, '0'))
      .join(':');
    expect(logView.frame()).toContain(`${hhmmss}  muted 192.0.2.55 for 1h`);
    expect(press(log, ['q']).state.overlay).toBeNull();
  });

  it('a long warning is never cut silently: a short form with "(L for log)", and whole, wrapped, in the log', async () => {
    const warning = `warning: ${LONG_TLS}`;
    const state = reduce(polledState(), { type: 'flash', text: warning, tone: 'warn', now: T0 + 2000 });
    const view = await show(state, 80, 24);
    expect(view.lines().at(-1)).toMatch(/^warning: 127\.0\.0\.1:9200: TLS: .*… \(L for log\)/);
    expectFits(view, 80, 24);
    const logView = await show(press(state, ['L']).state, 80, 24);
    const text = logView
      .lines()
      .map((line) => line.replace(/^│ ?/, '').replace(/ *│$/, '').trim())
      .join(' ');
    expect(text).toContain('caFingerprint to its SHA-256 fingerprint, or use --insecure');
    expectFits(logView, 80, 24);
  });

  it('a connection error (the TLS hint of #12 §6) is logged whole; the header line says (L for log)', async () => {
    const error = new ClusterError('tls', LONG_TLS);
    const state = reduce(polledState(), {
      type: 'status',
      status: { kind: 'reconnecting', attempt: 1, nextTryAt: T0 + 5000, error },
      now: T0 + 1000,
    });
    expect(state.messages.at(-1)).toMatchObject({ text: LONG_TLS, tone: 'error' });
    const view = await show(state, 80, 24);
    expect(view.lines()[1]).toMatch(/TLS: .*… \(L for log\)$/);
    const logged = (await show(press(state, ['L']).state, 120, 40)).frame();
    expect(logged.replace(/\s*│\s*/g, ' ')).toContain('or use --insecure');
  });

  it('keeps the last LOG_SIZE messages', () => {
    let state = polledState();
    for (let index = 0; index < LOG_SIZE + 20; index += 1) {
      state = reduce(state, { type: 'flash', text: `message ${index}`, tone: 'info', now: T0 + index });
    }
    expect(state.messages).toHaveLength(LOG_SIZE);
    expect(state.messages[0]!.text).toBe('message 20');
  });
});

describe('B15 the help fits the terminal', () => {
  it.each([
    [80, 24],
    [120, 40],
  ])(
    'at %i×%i: no line cut, no empty rows inside the box, Left once, scrolls when taller',
    async (columns, rows) => {
      const state: AppState = { ...polledState(), overlay: { kind: 'help' } };
      const pages: string[] = [];
      let current = state;
      for (let page = 0; page < 6; page += 1) {
        const view = await show(current, columns, rows);
        expectFits(view, columns, rows);
        const lines = view.lines();
        const inside = lines.slice(2, -1).filter((line) => line.startsWith('│'));
        expect(inside.filter((line) => /^│ *│$/.test(line))).toEqual([]);
        pages.push(...inside.map((line) => line.replace(/^│ ?/, '').replace(/ *│$/, '')));
        if (!view.frame().includes('j/k scroll')) break;
        current = handleKey(
          current,
          '',
          { ...NO_KEY, pageDown: true },
          { now: T0, page: 5, size: { columns, rows } },
        ).state;
      }
      const all = pages.join('\n');
      // Every help text is there whole (wrapped lines joined back; at 120 columns the keys
      // and flags stand in two columns: read column by column).
      const width = Math.floor((columns - 4 - 2) / 2);
      const joined = (
        columns >= 94
          ? [...pages.map((line) => line.slice(0, width)), ...pages.map((line) => line.slice(width + 2))]
          : pages
      )
        .join(' ')
        .replace(/\s+/g, ' ');
      for (const text of [
        'escalate the selected alert (or the worst alert of the IP) to Slack; asks y / n / Esc',
        'message log: the last messages in full, with the console time of each',
        'hide / show acknowledged and muted alerts in the feed',
        'L low-and-slow (long window)',
      ]) {
        expect(joined).toContain(text);
      }
      expect(all).toContain('Alert states: new, active');
      expect(pages.filter((line) => line.trimEnd().endsWith('…'))).toEqual([]);
      // Pages overlap by a line or two: count each line once.
      expect([...new Set(pages)].join('\n').match(/\bLeft\b/g)).toHaveLength(1);
      // 120×40 holds it all on one page.
      if (columns === 120) expect(pages.join('\n')).not.toContain('j/k scroll');
    },
  );
});

describe('C17 links and the clipboard over SSH', () => {
  it('OSC 52 carries sanitized text; inside tmux also through its DCS passthrough', () => {
    const hostile = 'root\u001b]0;pwned\u0007';
    const plain = osc52(hostile);
    const payload = plain.slice('\u001b]52;c;'.length, -1);
    expect(Buffer.from(payload, 'base64').toString('utf8')).not.toMatch(/\u001b|\u0007/);
    expect(osc52('192.0.2.7')).toBe(`\u001b]52;c;${Buffer.from('192.0.2.7').toString('base64')}\u0007`);
    expect(clipboardSequence('192.0.2.7', {})).toBe(osc52('192.0.2.7'));
    expect(clipboardSequence('192.0.2.7', { TMUX: '/tmp/tmux-0/default,1,0' })).toBe(
      `\u001bPtmux;\u001b\u001b]52;c;${Buffer.from('192.0.2.7').toString('base64')}\u0007\u001b\\${osc52('192.0.2.7')}`,
    );
  });

  it('y copies the selected IP / alert summary, Y the Discover link, with a message', () => {
    const kibana = { url: 'https://kibana.example:5601', ipField: 'source.ip', userField: 'user.name' };
    const state = { ...polledState(), kibana };
    const ip = press(state, ['y']);
    expect(ip.effects).toEqual([{ kind: 'copy', text: '203.0.113.10', what: 'IP 203.0.113.10' }]);
    expect(ip.state.flash?.text).toMatch(/^copied IP 203\.0\.113\.10 to your clipboard \(OSC 52/);
    const link = press(state, ['Y']).effects[0] as { text: string };
    expect(link.text).toMatch(/^https:\/\/kibana\.example:5601\/app\/discover#/);
    const summary = press(feedFocused(state), ['y']).effects[0] as { text: string };
    expect(summary.text).toMatch(/^(CRIT|HIGH|MED|LOW) .* (SSH|RDP) /);
    const none = press(polledState(), ['Y']);
    expect(none.effects).toEqual([]);
    expect(none.state.flash?.text).toBe('set kibanaUrl to get a Discover link');
  });

  it('the detail view: OSC 8 link where supported, never wrapped inside the box; says when kibanaUrl is unset', async () => {
    const kibana = { url: 'https://kibana.example:5601', ipField: 'source.ip', userField: 'user.name' };
    const detail: AppState = { ...polledState(), kibana, overlay: { kind: 'detail' } };
    const linked = renderAt(<Screen state={detail} columns={80} rows={24} clock={() => T0 + 3000} />, {
      columns: 80,
      rows: 24,
    });
    views.push(linked);
    await settle();
    // Without hyperlinks (the default context): one line, shortened visibly.
    const line = linked.lines().find((text) => text.includes('Kibana '))!;
    expect(line).toMatch(/^│ Kibana https:.*….*\(Y copies the link\) *│$/);
    const at = linked.lines().indexOf(line);
    expect(linked.lines()[at + 1]).toMatch(/^│ TOP USERS/);
    const osc = await show(detail, 80, 24, { hyperlinks: true });
    expect(osc.raw()).toMatch(
      /\u001b]8;;https:\/\/kibana\.example:5601\/app\/discover#[^\u0007]*\u0007open in Discover\u001b]8;;\u0007/,
    );
    expectFits(osc, 80, 24);
    const unset = await show({ ...detail, kibana: null }, 80, 24);
    expect(unset.frame()).toContain('Kibana: set kibanaUrl to get a Discover link');
  });

  it('hyperlinks only where known to work, never under tmux, screen or TERM=dumb; the env decides when set', () => {
    expect(supportsHyperlinks({ TERM: 'xterm-256color', TERM_PROGRAM: 'iTerm.app' })).toBe(true);
    expect(supportsHyperlinks({ TERM: 'xterm-256color', VTE_VERSION: '7600' })).toBe(true);
    expect(supportsHyperlinks({ TERM: 'xterm-256color' })).toBe(false);
    expect(supportsHyperlinks({ TERM: 'dumb', TERM_PROGRAM: 'iTerm.app' })).toBe(false);
    expect(supportsHyperlinks({ TERM: 'tmux-256color', TMUX: 'x', TERM_PROGRAM: 'iTerm.app' })).toBe(false);
    expect(supportsHyperlinks({ TERM: 'screen', SOC_WATCH_HYPERLINKS: '1' })).toBe(true);
    expect(supportsHyperlinks({ TERM: 'xterm-kitty', SOC_WATCH_HYPERLINKS: '0' })).toBe(false);
    expect(hyperlink('javascript:alert(1)', 'x')).toBe('x');
  });
});

describe('D what-if while the threshold is typed', () => {
  it('per keystroke: IPs over the typed value and the alerts it would open or close, no query', async () => {
    const store = createStore(polledState());
    const effects: unknown[] = [];
    const view = renderAt(
      <App store={store} onEffect={(effect) => effects.push(effect)} clock={() => T0 + 3000} />,
      { columns: 120, rows: 40 },
    );
    views.push(view);
    await settle();
    await view.press('t', '2');
    // 2: 192.0.2.55 (3 failures) joins: 4 IPs over, its brute-force alert would open.
    expect(view.lines()[1]).toMatch(
      /^what if SSH threshold 2: 4 IPs over \(now 3 at 5\), alerts \+1 -0 \(no query\): \+\w+ brute force 192\.0\.2\.55/,
    );
    await view.press('0');
    // 20: only 203.0.113.10 (42) stays over; the brute-force alerts of the 12- and 9-failure IPs close.
    const line = view.lines()[1]!;
    expect(line).toMatch(/^what if SSH threshold 20: 1 IP over \(now 3 at 5\), alerts \+0 -\d+ /);
    expect(line).toContain('(no query): -');
    const closing = whatIfThreshold(store.getState(), 'ssh', 20)!.closes;
    expect(closing.length).toBeGreaterThan(0);
    expect(line).toContain(`${closing[0]!.key}`.slice(0, 9));
    // Nothing was applied or asked of the cluster while typing.
    expect(effects).toEqual([]);
    await view.press(KEYS.enter);
    expect(effects).toEqual([{ kind: 'persist-threshold', service: 'ssh', value: 20 }]);
  });

  it('the selector agrees with what Enter then does', () => {
    const state = polledState();
    const whatIf = whatIfThreshold(state, 'ssh', 20)!;
    const applied = press(state, ['t', '2', '0', { return: true }]).state;
    const live = (s: AppState) => new Set(s.detector.firing);
    const closed = [...live(state)].filter((id) => !live(applied).has(id));
    expect(whatIf.closes.map((alert) => alert.id).sort()).toEqual(closed.sort());
    expect(whatIf.opens).toEqual([]);
  });
});

describe('footer at 80 columns', () => {
  it('keeps e escalate, a ack and m mute before the tuning keys (the help lists those)', async () => {
    const view = await show(polledState(), 80, 24);
    const footer = view.lines().at(-1)!;
    for (const hint of ['Tab pane', 'Enter details', 'e escalate', 'a ack', 'm mute', '? help', 'q quit']) {
      expect(footer).toContain(hint);
    }
  });
});

// End to end through a real pseudo-terminal: tmux (its own server socket, so nothing of the
// user's is touched) runs `node bin/soc-watch.js` against the real Elasticsearch, seeded
// with the known SSH/RDP attack set. We type like an analyst and read the screen back with
// capture-pane: find the offenders, raise the SSH threshold, see the flags change and the
// value persisted, open the help, quit, and check the terminal is restored.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSeed, deleteIndices, seedIndex } from '../support/seed.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/soc-watch.js');
const SOCKET = `soc-watch-e2e-${randomUUID().slice(0, 8)}`;
const SESSION = 'console';
const prefix = `test-ui-e2e-${randomUUID().slice(0, 8)}`;
const indices = [`${prefix}-ssh`, `${prefix}-rdp`];

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', SESSION);
const paneFlag = (name: string) => tmux('display-message', '-p', '-t', SESSION, `#{${name}}`).trim();
const keys = (...names: string[]) => {
  for (const name of names) tmux('send-keys', '-t', SESSION, name);
};

async function waitFor(what: string, test: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = screen();
    if (test(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}; the screen was:\n${text}`);
}

const line = (text: string, needle: string | RegExp) =>
  text.split('\n').find((row) => (typeof needle === 'string' ? row.includes(needle) : needle.test(row))) ??
  '';
/** The title line of a service pane, e.g. `› SSH  27 failures · … · threshold 5`. */
const title = (label: string) => new RegExp(`^. ${label} {2}`);

let configDir = '';
let esUrl = '';

beforeAll(async () => {
  esUrl = inject('esUrl');
  if (!existsSync(path.join(ROOT, 'dist/commands/console.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it in pretest)');
  }
  const seed = buildSeed(Date.now());
  await seedIndex(esUrl, 'elasticsearch', indices[0]!, seed.docs.ssh);
  await seedIndex(esUrl, 'elasticsearch', indices[1]!, seed.docs.rdp);
  configDir = mkdtempSync(path.join(tmpdir(), 'soc-watch-e2e-'));
  const env: Record<string, string> = {
    LANG: 'C.UTF-8',
    ELASTICSEARCH_URL: esUrl,
    SOC_WATCH_INDEX_PATTERN: `${prefix}-*`,
    SOC_WATCH_REFRESH: '1s',
    SOC_WATCH_CONFIG_DIR: configDir,
    XDG_CONFIG_HOME: configDir,
  };
  // dash, not bash: it leaves the terminal modes exactly as the console left them.
  tmux(
    'new-session',
    '-d',
    '-s',
    SESSION,
    '-x',
    '120',
    '-y',
    '40',
    ...Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`]),
    '/bin/sh',
  );
  tmux('set-option', '-t', SESSION, 'remain-on-exit', 'on');
}, 60_000);

afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
  if (configDir) rmSync(configDir, { recursive: true, force: true });
  if (esUrl) await deleteIndices(esUrl, indices);
});

describe('the console in a real terminal', () => {
  it('finds offenders, raises a threshold live, persists it, shows help, quits cleanly', async () => {
    await waitFor('the shell prompt', (text) => /[$#]/.test(text));
    tmux(
      'send-keys',
      '-t',
      SESSION,
      `unset SLACK_WEBHOOK_URL NO_COLOR; ${process.execPath} ${BIN}; echo EXIT=$?`,
      'Enter',
    );

    let text = await waitFor(
      'offender rows',
      (screenText) => screenText.includes('203.0.113.10') && screenText.includes('LIVE'),
    );
    expect(paneFlag('alternate_on')).toBe('1');
    expect(line(text, title('SSH'))).toContain('threshold 5');
    // 198.51.100.7: 7 failures, 7 accounts, all invalid → over threshold, spraying, enumeration.
    expect(line(text, '198.51.100.7')).toMatch(/▲ 198\.51\.100\.7 .* TSE\s*$/);
    expect(line(text, '203.0.113.10')).toMatch(/▲ 203\.0\.113\.10 /);

    keys('t');
    await waitFor('the threshold editor', (screenText) => screenText.includes('threshold: '));
    // What-if (13 D): each keystroke says what the typed value would do, from the loaded
    // snapshot. 1: D (3 failures) joins A, B, C: 4 IPs over, D's brute-force alert would open.
    keys('1');
    text = await waitFor('the what-if for 1', (screenText) =>
      screenText.includes('what if SSH threshold 1: 4 IPs over (now 3 at 5), alerts +1 -0 (no query)'),
    );
    expect(line(text, 'what if SSH')).toMatch(/\(no query\): \+\w+ brute force 192\.0\.2\.55/);
    // 10: only A (12) stays over; B's and C's brute-force alerts would close.
    keys('0');
    text = await waitFor('the what-if for 10', (screenText) =>
      /what if SSH threshold 10: 1 IP over \(now 3 at 5\), alerts \+0 -2 \(no query\): -/.test(screenText),
    );
    // Only typed: nothing applied yet, the pane still says 5.
    expect(line(text, title('SSH'))).toContain('threshold: 10');
    keys('BSpace', 'BSpace', '5', '0', 'Enter');
    text = await waitFor('the new threshold', (screenText) =>
      line(screenText, title('SSH')).includes('threshold 50'),
    );
    expect(line(text, '198.51.100.7')).toMatch(/ {2}198\.51\.100\.7 .* SE\s*$/);
    expect(line(text, '203.0.113.10')).not.toContain('▲');
    expect(text).toContain('SSH threshold 5 -> 50');
    // RDP keeps its own threshold.
    expect(line(text, title('RDP'))).toContain('threshold 5');

    // alerts.json (the live alerts, issue 13 A5) sits beside the config file.
    const files = readdirSync(configDir).filter((name) => name.endsWith('.json') && name !== 'alerts.json');
    expect(files).toHaveLength(1);
    const saved = JSON.parse(readFileSync(path.join(configDir, files[0]!), 'utf8')) as {
      thresholds?: { ssh?: unknown };
    };
    expect(saved.thresholds?.ssh).toBe(50);

    keys('?');
    await waitFor('the help', (screenText) => screenText.includes('Keys (Esc or ? closes this help)'));
    keys('Escape');
    await waitFor(
      'the panes again',
      (screenText) => !screenText.includes('Keys (Esc') && screenText.includes('203.0.113.10'),
    );

    const quitAt = Date.now();
    keys('q');
    text = await waitFor('the exit', (screenText) => screenText.includes('EXIT=0'), 10_000);
    const exitMs = Date.now() - quitAt;
    expect(exitMs).toBeLessThan(5000);
    console.info(`console e2e: q to shell prompt in ${exitMs} ms`);

    // The terminal is the shell's again: main screen, cursor visible, cooked mode with echo.
    expect(paneFlag('alternate_on')).toBe('0');
    expect(paneFlag('cursor_flag')).toBe('1');
    // The marker is computed, so the echoed command line itself does not match it.
    tmux('send-keys', '-t', SESSION, 'stty -a; echo STTY-$((20+22))', 'Enter');
    text = await waitFor('stty', (screenText) => screenText.includes('STTY-42'));
    const modes = text.split(/\s+/);
    expect(modes).toContain('icanon');
    expect(modes).toContain('echo');
    expect(modes).not.toContain('-icanon');
    expect(modes).not.toContain('-echo');
  });

  it('keeps a mute through a dropped session (SIGHUP) and a restart', async () => {
    const start = () =>
      tmux('send-keys', '-t', SESSION, `clear; ${process.execPath} ${BIN}; echo EXIT=$?`, 'Enter');
    const filterTo = async (ip: string) => {
      keys('/');
      await waitFor('the filter prompt', (screenText) => /filter/i.test(screenText));
      tmux('send-keys', '-t', SESSION, '-l', ip);
      keys('Enter');
      return waitFor(
        `only ${ip}`,
        (screenText) =>
          line(screenText, title('SSH')) !== '' &&
          !screenText.includes('198.51.100.7') &&
          screenText.includes(ip),
      );
    };
    start();
    await waitFor(
      'offender rows',
      (screenText) => screenText.includes('203.0.113.10') && screenText.includes('LIVE'),
    );
    await filterTo('203.0.113.10');
    keys('m');
    await waitFor('the mute prompt', (screenText) => /mute/i.test(screenText) && screenText.includes('1h'));
    keys('Enter');
    // 203.0.113.10 has a CRITICAL success-after-failure alert: an IP-wide mute asks first (13 B12).
    await waitFor('the y/n question', (screenText) =>
      /Mute 203\.0\.113\.10 for 1h\? y\/n It also silences CRIT success after fail \(SSH\)/.test(screenText),
    );
    keys('y');
    const text = await waitFor('the muted row', (screenText) => /203\.0\.113\.10 .*M\s*$/m.test(screenText));
    expect(text).toContain('muted 203.0.113.10 for 1h');

    const file = path.join(configDir, 'mutes.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { mutes: { cidr: string; untilMs: number }[] };
    expect(saved.mutes).toEqual([{ cidr: '203.0.113.10/32', alertId: null, untilMs: expect.any(Number) }]);
    expect(saved.mutes[0]!.untilMs).toBeGreaterThan(Date.now() + 3_500_000);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // The SSH link drops: the console gets SIGHUP.
    const shell = paneFlag('pane_pid');
    const consolePid = execFileSync('pgrep', ['-P', shell], { encoding: 'utf8' }).trim().split('\n')[0]!;
    process.kill(Number(consolePid), 'SIGHUP');
    await waitFor('the exit', (screenText) => screenText.includes('EXIT=129'), 10_000);

    start();
    await waitFor(
      'offender rows',
      (screenText) => screenText.includes('203.0.113.10') && screenText.includes('LIVE'),
    );
    await filterTo('203.0.113.10');
    // The row's flags end in M (muted) in the new session too.
    await waitFor('the row still muted', (screenText) => /203\.0\.113\.10 .*M\s*$/m.test(screenText), 5_000);
    keys('q');
    await waitFor('the exit', (screenText) => screenText.includes('EXIT=0'), 10_000);
  });

  it('without a terminal it says so, points to `soc-watch once`, and exits 2', () => {
    const run = spawnSync(process.execPath, [BIN], {
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ELASTICSEARCH_URL: esUrl, SOC_WATCH_CONFIG_DIR: configDir },
      timeout: 20_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('the live console needs an interactive terminal');
    expect(run.stderr).toContain('soc-watch once');
    expect(run.stderr).not.toContain('Raw mode');
    expect(run.stdout).toBe('');
  });
});

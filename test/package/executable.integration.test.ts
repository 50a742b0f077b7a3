// The single executable (npm run package) where Node is absent: every run has a PATH with
// nothing on it. It must print its version, keep the launcher's memory settings (node flags
// and MALLOC_ARENA_MAX, read inside the running executable), answer `once --json` exactly as
// the npm command does on the same data, pass `doctor`, and draw the console in a real
// terminal (tmux) that `q` gives back intact.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launcherCommand } from '../../scripts/launcher-command.js';
import { buildSeed, deleteIndices, seedIndex } from '../support/seed.js';
import {
  BARE,
  comparable,
  emptyPath,
  ensureExecutable,
  LAUNCHER,
  NODE24_BIN,
  onceByBoth,
  run,
  VERSION,
} from './support.js';

const prefix = `test-package-sea-${randomUUID().slice(0, 8)}`;
const indices = [`${prefix}-ssh`, `${prefix}-rdp`];
const SOCKET = `soc-watch-sea-${randomUUID().slice(0, 8)}`;
const SESSION = 'sea';

let executable = '';
let noNode = '';
let configDir = '';
let esUrl = '';

/** The environment of every run: no node on PATH, a config directory of its own. */
const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  PATH: noNode,
  HOME: configDir,
  SOC_WATCH_CONFIG_DIR: configDir,
  ELASTICSEARCH_URL: esUrl,
  SOC_WATCH_INDEX_PATTERN: `${prefix}-*`,
  ...extra,
});

beforeAll(async () => {
  esUrl = inject('esUrl');
  executable = ensureExecutable();
  noNode = emptyPath();
  configDir = mkdtempSync(path.join(tmpdir(), 'soc-watch-sea-config-'));
  const seed = buildSeed(Date.now());
  await seedIndex(esUrl, 'elasticsearch', indices[0]!, seed.docs.ssh);
  await seedIndex(esUrl, 'elasticsearch', indices[1]!, seed.docs.rdp);
}, 180_000);

afterAll(async () => {
  try {
    execFileSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore' });
  } catch {
    // no server
  }
  for (const dir of [noNode, configDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  if (esUrl) await deleteIndices(esUrl, indices);
});

describe('the single executable, with no node on PATH', () => {
  it('prints its version', async () => {
    expect(() => execFileSync('sh', ['-c', 'command -v node'], { env: env() })).toThrow();
    const result = await run(executable, ['--version'], env());
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.trim()).toBe(VERSION);
  });

  it('runs with the node flags and environment of the launcher', async () => {
    // A preload (NODE_OPTIONS, which the executable honours as node does) reports from inside
    // the running executable. It runs twice: before and after the executable restarts itself
    // with the launcher's environment (MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_), in the same process.
    const probe = path.join(configDir, 'probe.cjs');
    writeFileSync(
      probe,
      `const v8 = require('node:v8');
const newSpace = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
process.stderr.write('PROBE ' + JSON.stringify({ pid: process.pid, sea: require('node:sea').isSea(),
  node: process.version, execArgv: process.execArgv, arena: process.env.MALLOC_ARENA_MAX ?? null,
  mmapThreshold: process.env.MALLOC_MMAP_THRESHOLD_ ?? null,
  newSpace: newSpace.space_size }) + '\\n');\n`,
    );
    const result = await run(executable, ['--version'], env({ NODE_OPTIONS: `--require ${probe}` }));
    expect(result.code).toBe(0);
    const probes = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('PROBE '))
      .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);
    const launcher = launcherCommand(LAUNCHER);
    expect(launcher.env).toEqual({ MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '32768' });
    expect(probes).toHaveLength(2);
    expect(probes[0]).toMatchObject({
      sea: true,
      execArgv: launcher.flags,
      arena: null,
      mmapThreshold: null,
    });
    expect(probes[1]).toMatchObject({
      sea: true,
      execArgv: launcher.flags,
      arena: '2',
      mmapThreshold: '32768',
      pid: probes[0]!.pid,
    });
    expect(probes[1]!.node).toMatch(/^v24\./);
    // --max-semi-space-size=1: a young generation of 1 MB semi-spaces (node's default is 16+).
    expect(probes[1]!.newSpace).toBeLessThanOrEqual(1024 * 1024);
    // Values the user set are kept; with both set there is no restart.
    const own = await run(
      executable,
      ['--version'],
      env({ NODE_OPTIONS: `--require ${probe}`, MALLOC_ARENA_MAX: '4', MALLOC_MMAP_THRESHOLD_: '65536' }),
    );
    expect(
      own.stderr.split('\n').filter((line) => line.includes('"arena":"4","mmapThreshold":"65536"')),
    ).toHaveLength(1);
    expect(own.stderr.split('\n').filter((line) => line.startsWith('PROBE '))).toHaveLength(1);
  });

  it('answers once --json exactly as the npm command does on the same data', async () => {
    const { a, b } = await onceByBoth(
      () => run(executable, ['once', '--json', ...BARE], env()),
      () => run(LAUNCHER, ['once', '--json', ...BARE], env({ PATH: `${NODE24_BIN}:/usr/bin:/bin` })),
    );
    const fromExecutable = comparable(a.stdout);
    expect(fromExecutable).toEqual(comparable(b.stdout));
    // …and it is the seeded attack, not an empty answer that happens to match.
    const ssh = (
      fromExecutable.services as { service: string; failures: number; offenders: { ip: string }[] }[]
    ).find((service) => service.service === 'ssh');
    expect(ssh?.failures).toBeGreaterThan(20);
    expect(ssh?.offenders.map((offender) => offender.ip)).toContain('203.0.113.10');
  });

  it('passes doctor against the test cluster', async () => {
    const result = await run(executable, ['doctor'], env());
    expect(result.stdout).toMatch(/✓ backend\s+Elasticsearch/);
    expect(result.stdout).toMatch(/✓ failures\s+SSH: \d+ in the last/);
    expect(result.code, result.stdout).toBe(0);
  });

  it('draws the console in a terminal and gives it back on q', async () => {
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
    const screen = () => tmux('capture-pane', '-p', '-t', SESSION);
    const paneFlag = (name: string) => tmux('display-message', '-p', '-t', SESSION, `#{${name}}`).trim();
    const waitFor = async (what: string, test: (text: string) => boolean, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      let text = '';
      while (Date.now() < deadline) {
        text = screen();
        if (test(text)) return text;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`timed out waiting for ${what}; the screen was:\n${text}`);
    };
    const sessionEnv = { ...env({ SOC_WATCH_REFRESH: '1s' }), LANG: 'C.UTF-8', PATH: '/usr/bin:/bin' };
    tmux(
      'new-session',
      '-d',
      '-s',
      SESSION,
      '-x',
      '120',
      '-y',
      '40',
      ...Object.entries(sessionEnv).flatMap(([name, value]) => ['-e', `${name}=${value}`]),
      '/bin/sh',
    );
    await waitFor('the shell prompt', (text) => /[$#]/.test(text));
    // PATH for the executable only: the shell keeps its tools, the console has no node.
    tmux('send-keys', '-t', SESSION, `PATH=${noNode} ${executable}; echo EXIT=$?`, 'Enter');
    await waitFor('offender rows', (text) => text.includes('203.0.113.10') && text.includes('LIVE'));
    expect(paneFlag('alternate_on')).toBe('1');
    tmux('send-keys', '-t', SESSION, 'q');
    await waitFor('the exit', (text) => text.includes('EXIT=0'), 10_000);
    expect(paneFlag('alternate_on')).toBe('0');
    expect(paneFlag('cursor_flag')).toBe('1');
    tmux('send-keys', '-t', SESSION, 'stty -a; echo STTY-$((20+22))', 'Enter');
    const modes = (await waitFor('stty', (text) => text.includes('STTY-42'))).split(/\s+/);
    expect(modes).toContain('icanon');
    expect(modes).toContain('echo');
  });
});

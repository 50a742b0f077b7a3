// The CLI as a user runs it: the real launcher and compiled CLI in a child process
// (npm test builds dist/ first), with an isolated config directory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../../bin/soc-watch.js');

function run(args: string[], options: { env?: Record<string, string>; nodeArgs?: string[] } = {}) {
  const configDir = options.env?.SOC_WATCH_CONFIG_DIR ?? mkdtempSync(join(tmpdir(), 'soc-watch-cli-'));
  const result = spawnSync(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], {
    encoding: 'utf8',
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), SOC_WATCH_CONFIG_DIR: configDir, ...options.env },
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, configDir };
}

describe('soc-watch CLI', () => {
  it('prints help and version with exit code 0', () => {
    const help = run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage/);
    expect(help.stdout).toMatch(/once\s+One snapshot/);
    for (const command of ['once', 'doctor', 'ingest', 'config']) {
      const sub = run([command, '--help']);
      expect(sub.code, command).toBe(0);
      expect(sub.stdout).toMatch(new RegExp(`soc-watch ${command}`));
    }
    const version = run(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(
      JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).version,
    );
  });

  it('sets, gets and lists config; rejects bad values with exit code 2', () => {
    const set = run(['config', 'set', 'window', '30m']);
    expect(set.code).toBe(0);
    const env = { SOC_WATCH_CONFIG_DIR: set.configDir };
    const get = run(['config', 'get', 'window'], { env });
    expect(get.stdout.trim()).toBe('30m');
    const path = run(['config', 'path'], { env }).stdout.trim();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const bad = run(['config', 'set', 'refresh', 'soon'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/refresh: "soon" — expected a duration/);
    const list = run(['config', 'list'], {
      env: {
        ...env,
        ELASTICSEARCH_PASSWORD: 'hunter2-secret',
        SLACK_WEBHOOK_URL: 'https://hooks.example/T0/B0/secret',
      },
    });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/window\s+30m\s+\(file\)/);
    expect(list.stdout).toMatch(/ELASTICSEARCH_PASSWORD\s+•+ \(set, redacted\)/);
    expect(list.stdout + list.stderr).not.toMatch(/hunter2|hooks\.example/);
  });

  it('exits 2 on unknown commands and flags', () => {
    const command = run(['frobnicate']);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/unknown command "frobnicate"/);
    const flag = run(['once', '--no-such-flag']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Unknown flag/);
  });

  it('refuses an old Node in one line', () => {
    // Pretend to be Node 20 (what the machines ship) before the launcher runs.
    const fake = `data:text/javascript,Object.defineProperty(process,'versions',{value:{...process.versions,node:'20.20.2'}});Object.defineProperty(process,'version',{value:'v20.20.2'})`;
    const old = run(['--version'], { nodeArgs: ['--import', fake] });
    expect(old.code).toBe(1);
    expect(old.stderr.trim().split('\n')).toHaveLength(1);
    expect(old.stderr).toMatch(/needs Node\.js >= 22 \(this is v20\.20\.2\)/);
  });

  it('stops a dry run quietly when its reader goes away (`| head`)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-watch-pipe-'));
    const log = join(dir, 'auth.log');
    // Far more than a pipe buffer holds, so the writer is still going when head exits.
    const lines = Array.from(
      { length: 20_000 },
      (_, i) =>
        `Nov 26 10:00:${String(i % 60).padStart(2, '0')} web1 sshd[${i}]: Failed password for root from 198.51.100.${i % 250} port 22 ssh2`,
    );
    writeFileSync(log, `${lines.join('\n')}\n`);
    const result = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${bin}" ingest --dry-run "${log}" | head -n 1; echo "status=\${PIPESTATUS[0]}" >&2`,
      ],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), SOC_WATCH_CONFIG_DIR: dir },
        timeout: 20_000,
      },
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ source: { ip: '198.51.100.0' } });
    expect(result.stderr).toMatch(
      /the output was closed after writing [\d,]+ document\(s\); stopped reading/,
    );
    expect(result.stderr).not.toMatch(/EPIPE|at /);
    expect(result.stderr).toMatch(/status=0/);
  });
});

// The npm package as a user gets it: `npm pack` of a copy of this checkout, then
// `npm install -g` of the tarball into a temporary prefix, with npm on the system's Node as
// on a jump host. The tarball holds the compiled dist/ and no install script; the installed
// command works on Node 24, answers `once --json` as the checkout does, and on an older Node
// says in one line what it needs. Also: `npx soc-watch` in a checkout prints nothing but
// soc-watch's own output (no EBADENGINE lines from npm running on the older Node).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSeed, deleteIndices, seedIndex } from '../support/seed.js';
import { BARE, comparable, LAUNCHER, NODE24_BIN, onceByBoth, ROOT, run, VERSION } from './support.js';

const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';
const prefix = `test-package-npm-${randomUUID().slice(0, 8)}`;
const indices = [`${prefix}-ssh`, `${prefix}-rdp`];

let work = '';
let checkout = '';
let installed = '';
let tarball = '';
let installLog = '';
let esUrl = '';

const systemNode = () => {
  const found = spawnSync('sh', ['-c', 'command -v node && node --version'], {
    env: { PATH: SYSTEM_PATH },
    encoding: 'utf8',
  });
  const [where, version] = found.stdout.trim().split('\n');
  return where && version ? { where, version, major: Number(version.slice(1).split('.')[0]) } : undefined;
};

/**
 * A copy of the checkout's packaging inputs, sharing node_modules by links (packing rebuilds
 * dist/ and rewrites package.json for a moment, which must not happen under other tests).
 */
function copyCheckout(into: string): void {
  for (const name of [
    'package.json',
    'package-lock.json',
    '.npmrc',
    'README.md',
    'LICENSE',
    'tsconfig.json',
    'tsconfig.build.json',
    'bin',
    'source',
    'scripts',
  ]) {
    cpSync(path.join(ROOT, name), path.join(into, name), { recursive: true });
  }
  const modules = path.join(into, 'node_modules');
  mkdirSync(path.join(modules, '.bin'), { recursive: true });
  for (const name of readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name === '.bin' || name === '.cache') continue;
    symlinkSync(path.join(ROOT, 'node_modules', name), path.join(modules, name));
  }
  for (const name of readdirSync(path.join(ROOT, 'node_modules/.bin'))) {
    if (name === 'soc-watch') continue;
    symlinkSync(realpathSync(path.join(ROOT, 'node_modules/.bin', name)), path.join(modules, '.bin', name));
  }
}

/**
 * npm as a jump host runs it: on the system's Node, from a clean environment, with the
 * user's npm cache (downloads come from there when it has them).
 */
function npm(args: string[], cwd: string, env: Record<string, string> = {}) {
  return spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: SYSTEM_PATH,
      HOME: work,
      npm_config_cache: process.env.npm_config_cache ?? path.join(homedir(), '.npm'),
      ...env,
    },
    timeout: 300_000,
  });
}

beforeAll(async () => {
  esUrl = inject('esUrl');
  work = mkdtempSync(path.join(tmpdir(), 'soc-watch-npm-'));
  checkout = path.join(work, 'checkout');
  mkdirSync(checkout);
  copyCheckout(checkout);
  const pack = npm(['pack', '--pack-destination', work], checkout);
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stdout}${pack.stderr}`);
  tarball = path.join(work, `soc-watch-${VERSION}.tgz`);
  installed = path.join(work, 'prefix');
  // A stalled registry request is given up after 60 s and retried (npm's default waits 5 min,
  // as long as this spawn's timeout: a CI run was killed that way with no output at all).
  const install = npm(
    [
      'install',
      '-g',
      '--prefix',
      installed,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--fetch-timeout=60000',
      '--fetch-retries=4',
      tarball,
    ],
    work,
  );
  installLog = `${install.stdout}${install.stderr}`;
  if (install.status !== 0)
    throw new Error(
      `npm install -g failed (status ${install.status}, signal ${install.signal}):\n${installLog}`,
    );
  const seed = buildSeed(Date.now());
  await seedIndex(esUrl, 'elasticsearch', indices[0]!, seed.docs.ssh);
  await seedIndex(esUrl, 'elasticsearch', indices[1]!, seed.docs.rdp);
}, 600_000);

afterAll(async () => {
  if (work) rmSync(work, { recursive: true, force: true });
  if (esUrl) await deleteIndices(esUrl, indices);
});

describe('npm pack + npm install -g', () => {
  it('packs the compiled dist/ with no install script, and leaves package.json as it was', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    expect(files).toContain('package/bin/soc-watch.js');
    expect(files).toContain('package/dist/cli.js');
    expect(files).toContain('package/dist/commands/console.js');
    expect(files.filter((file) => /^package\/(source|test|scripts|bench|demo)\//.test(file))).toEqual([]);
    const manifest = JSON.parse(
      execFileSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
    ) as { scripts: Record<string, string> };
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) {
      expect(manifest.scripts[script], script).toBeUndefined();
    }
    expect(readFileSync(path.join(checkout, 'package.json'), 'utf8')).toBe(
      readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
    );
  });

  it('installs without asking to run install scripts', () => {
    expect(installLog).not.toMatch(/install-scripts|prepare/);
  });

  it('prints its version and answers once --json as the checkout does, on Node >= 22', async () => {
    const env = {
      PATH: `${NODE24_BIN}:${SYSTEM_PATH}`,
      HOME: work,
      SOC_WATCH_CONFIG_DIR: work,
      ELASTICSEARCH_URL: esUrl,
      SOC_WATCH_INDEX_PATTERN: `${prefix}-*`,
    };
    const command = path.join(installed, 'bin/soc-watch');
    const version = await run(command, ['--version'], env);
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout.trim()).toBe(VERSION);
    const { a, b } = await onceByBoth(
      () => run(command, ['once', '--json', ...BARE], env),
      () => run(LAUNCHER, ['once', '--json', ...BARE], env),
    );
    const answer = comparable(a.stdout);
    expect(answer).toEqual(comparable(b.stdout));
    expect(JSON.stringify(answer)).toContain('203.0.113.10');
  });

  const old = systemNode();
  it.skipIf(!old || old.major >= 22)(
    `on an older Node (${old?.version ?? 'none found'}) says in one line what it needs and where the single executable is`,
    async () => {
      const result = await run(path.join(installed, 'bin/soc-watch'), ['--version'], {
        PATH: SYSTEM_PATH,
        HOME: work,
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`needs Node.js >= 22 (this is ${old!.version})`);
      expect(result.stderr).toContain('single executable soc-watch-linux-x64');
      expect(result.stderr).toContain('npm run package');
    },
  );
});

describe('npx soc-watch in a checkout', () => {
  it.skipIf(!systemNode() || systemNode()!.major >= 22)(
    'prints only what soc-watch prints when npm runs on an older Node (no EBADENGINE lines)',
    () => {
      // A fresh npx cache: the first run installs the checkout into it, where npm checks engines.
      const result = npm(['exec', '--', 'soc-watch', '--version'], checkout, {
        npm_config_cache: path.join(work, 'npx-cache'),
      });
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe(VERSION);
      expect(result.status).toBe(0);
    },
    300_000,
  );
});

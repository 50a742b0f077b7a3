// What the packaging tests share: the single executable (built here when missing or older
// than what goes into it), the npm command of this checkout, a seeded index, and `once --json`
// compared across two ways of running soc-watch on the same data.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const VERSION = (
  JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
export const EXECUTABLE = path.join(ROOT, `build/soc-watch-linux-${arch()}`);
export const LAUNCHER = path.join(ROOT, 'bin/soc-watch.js');
/** Node 24 of the `node` devDependency. */
export const NODE24_BIN = path.join(ROOT, 'node_modules/.bin');

/** A directory with nothing in it, to be the whole PATH: no `node` anywhere. */
export function emptyPath(): string {
  return mkdtempSync(path.join(tmpdir(), 'soc-watch-no-node-'));
}

function newestMtime(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(target).map((name) => newestMtime(path.join(target, name))));
}

/** Build the executable unless it is newer than every input (CI builds it in a step of its own). */
export function ensureExecutable(): string {
  const inputs = ['source', 'bin', 'scripts', 'package.json', 'package-lock.json'].map((name) =>
    newestMtime(path.join(ROOT, name)),
  );
  let built = 0;
  try {
    built = statSync(EXECUTABLE).mtimeMs;
  } catch {
    // not built yet
  }
  if (built < Math.max(...inputs)) {
    execFileSync(path.join(NODE24_BIN, 'tsx'), ['scripts/package.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, PATH: `${NODE24_BIN}:${process.env.PATH}` },
    });
  }
  return EXECUTABLE;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a command to its end (asynchronously, so two can run at the same moment). */
export function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 90_000,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

type Json = { [key: string]: unknown };

/** What differs between two runs on the same data: when each asked, and how long it took. */
const RUN_FIELDS = new Set(['took', 'fetchMs', 'fetchedAt']);

/** When the detector of a run first and last saw an alert: that run's own clock. */
const ALERT_RUN_FIELDS = ['firstSeen', 'lastSeen'];

/** A `once --json` answer without the fields of the run itself. */
export function comparable(text: string): Json {
  const answer = JSON.parse(text, (key, value) => (RUN_FIELDS.has(key) ? undefined : value)) as Json;
  for (const alert of (answer.alerts as Json[] | undefined) ?? []) {
    for (const field of ALERT_RUN_FIELDS) delete alert[field];
  }
  return answer;
}

/**
 * One evaluation, without the 6 h replay for alert states (127 polls per run): two runs side by
 * side took over 90 s on a loaded machine, and the package, not the replay, is under test here.
 */
export const BARE = ['--lookback', '0'];

/**
 * `once --json` by two commands at the same moment on the same data. The window ends at the
 * next 15 s bucket boundary of each run's own clock, so when the two straddle a boundary
 * they see different windows; then run both again.
 */
export async function onceByBoth(
  a: () => Promise<Run>,
  b: () => Promise<Run>,
): Promise<{ a: Run; b: Run; windowTo: string }> {
  for (let attempt = 1; ; attempt += 1) {
    const [first, second] = await Promise.all([a(), b()]);
    for (const result of [first, second]) {
      if (result.code !== 0)
        throw new Error(`once --json exited ${result.code} (null: killed after 90 s): ${result.stderr}`);
    }
    const toA = (comparable(first.stdout).window as { to: string }).to;
    const toB = (comparable(second.stdout).window as { to: string }).to;
    if (toA === toB) return { a: first, b: second, windowTo: toA };
    if (attempt === 3) throw new Error(`three runs straddled a bucket boundary: ${toA} vs ${toB}`);
  }
}

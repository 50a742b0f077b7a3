// `soc-watch ingest --follow` when the cluster goes away, and when the log is rotated twice
// before the follower has caught up. Real faults on the run's fault-drill Elasticsearch
// (test/support/fault-engine.ts): frozen with SIGSTOP (requests hang), killed with SIGKILL
// (connections refused), started again. The follower is the built CLI (`npm run build`) in a
// child process; `--status` is read by a second process, as an operator would.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultEngine, leaseFaultEngine } from '../support/fault-engine.js';
import { deleteIndex, expectedIds, indexIds, LogWriter } from './follow-support.js';

const bin = join(import.meta.dirname, '../../bin/soc-watch.js');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Run {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

function env(configDir: string) {
  return { PATH: process.env.PATH ?? '', HOME: configDir, SOC_WATCH_CONFIG_DIR: configDir };
}

function startFollower(url: string, index: string, path: string, configDir: string): Run {
  const child = spawn(process.execPath, [bin, 'ingest', '--follow', path, '--url', url, '--to', index], {
    env: env(configDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** `soc-watch ingest --follow FILE --to INDEX --status` from another process. */
function status(url: string, index: string, path: string, configDir: string): string {
  const result = spawnSync(
    process.execPath,
    [bin, 'ingest', '--follow', path, '--url', url, '--to', index, '--status'],
    { env: env(configDir), encoding: 'utf8' },
  );
  return `${result.stdout}${result.stderr}`;
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached in time: ${what}`);
    await sleep(250);
  }
}

async function count(url: string, index: string): Promise<number> {
  try {
    const body = (await (await fetch(`${url}/${index}/_count`)).json()) as { count?: number };
    return body.count ?? 0;
  } catch {
    return 0;
  }
}

/** Wait for every expected document, stop the follower (SIGTERM: exit 0), compare ids. */
async function expectExactly(url: string, index: string, writer: LogWriter, run: Run): Promise<void> {
  const expected = expectedIds(writer.written);
  let ids: string[] = [];
  await until(
    `${expected.size} documents in ${index}`,
    async () => {
      ids = await indexIds(url, index);
      return ids.length >= expected.size;
    },
    180_000,
  );
  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(0);
  ids = await indexIds(url, index);
  const found = new Set(ids);
  expect([...expected].filter((id) => !found.has(id))).toEqual([]);
  expect(ids.filter((id) => !expected.has(id))).toEqual([]);
  expect(ids).toHaveLength(expected.size);
  expect(run.output()).not.toMatch(/lost|stopped:/);
}

describe('ingest --follow with the cluster going away (fault-drill Elasticsearch)', () => {
  let engine: FaultEngine;
  beforeAll(async () => {
    engine = await leaseFaultEngine('plain');
  });
  afterAll(async () => {
    await engine?.release();
  });

  it('pauses while the cluster is frozen or down, shows lag, lines waiting and the last error, then resumes with nothing lost or doubled', async () => {
    const index = `test-follow-away-${randomUUID().slice(0, 8)}`;
    const dir = mkdtempSync(join(tmpdir(), 'soc-watch-follow-away-'));
    const configDir = join(dir, 'config');
    const path = join(dir, 'auth.log');
    const writer = new LogWriter(path);
    const timer = setInterval(() => writer.tick(5), 50);
    const run = startFollower(engine.url, index, path, configDir);
    try {
      await until('the first documents', async () => (await count(engine.url, index)) > 0);

      // Frozen: requests hang (no error yet), lines pile up, the lag grows.
      await engine.pause();
      await sleep(3000);
      const frozen = status(engine.url, index, path, configDir);
      expect(frozen).toMatch(/running/);
      expect(frozen).toMatch(/lag [1-9]\d*\.\d s \(console clock\)/);
      expect(frozen).not.toMatch(/ 0 lines waiting/);
      await engine.resume();

      // Down: connections refused, the follower says so and keeps the lines.
      await engine.kill();
      await until('the follower to see the cluster gone', () =>
        /WAITING FOR CLUSTER/.test(status(engine.url, index, path, configDir)),
      );
      await sleep(2000);
      const down = status(engine.url, index, path, configDir);
      expect(down).toMatch(/WAITING FOR CLUSTER \(reading paused\)/);
      expect(down).toMatch(/last error [\d.]+ s ago: /);
      expect(down).toMatch(/[1-9][\d,]* bytes unread/);
      await engine.start();
      await sleep(2000);
    } finally {
      clearInterval(timer);
    }
    writer.flush();
    writer.close();
    try {
      await expectExactly(engine.url, index, writer, run);
    } finally {
      run.child.kill('SIGKILL');
      await deleteIndex(engine.url, index);
    }
  }, 420_000);

  it('reads every file when the log is rotated twice before it catches up: while waiting for the cluster, and while stopped (restored checkpoint)', async () => {
    const index = `test-follow-rotate2-${randomUUID().slice(0, 8)}`;
    const dir = mkdtempSync(join(tmpdir(), 'soc-watch-follow-rotate2-'));
    const configDir = join(dir, 'config');
    const path = join(dir, 'auth.log');
    const writer = new LogWriter(path);
    // logrotate's numbering (keeping 4): .3 → .4, .2 → .3, .1 → .2, the log → .1 (the daemon
    // writes a little more to it), then a new log.
    const rotateTwice = () => {
      for (let i = 0; i < 2; i += 1) {
        for (let n = 3; n >= 1; n -= 1) {
          try {
            renameSync(`${path}.${n}`, `${path}.${n + 1}`);
          } catch {
            // Not there yet.
          }
        }
        writer.rotateByRename(renameSync, `${path}.1`, 5);
        writer.tick(20);
      }
    };
    let run = startFollower(engine.url, index, path, configDir);
    try {
      writer.tick(20);
      await until('the first documents', async () => (await count(engine.url, index)) > 0);
      // Running, but the cluster frozen: reading stops once two bulks hang; meanwhile the log
      // is rotated twice, so the file in between is never at the path when the follower looks.
      await engine.pause();
      for (let i = 0; i < 40; i += 1) {
        writer.tick(10);
        await sleep(50);
      }
      rotateTwice();
      await engine.resume();
      writer.tick(20);
      await until('the frozen lines', async () => (await count(engine.url, index)) > 0);
      await sleep(1500);
      // Killed, rotated twice while stopped, started again from its checkpoint.
      run.child.kill('SIGKILL');
      await run.exited;
      writer.tick(20);
      rotateTwice();
      run = startFollower(engine.url, index, path, configDir);
      writer.tick(20);
      writer.flush();
      writer.close();
      await expectExactly(engine.url, index, writer, run);
    } finally {
      run.child.kill('SIGKILL');
      await deleteIndex(engine.url, index);
    }
  }, 420_000);
});

// One directory per started server (config copy, data, logs, temp, console output), owned by the
// server user, deleted on stop. Each records the process that owns it, so a later start can
// sweep away servers whose owner died without cleaning up (kill -9, OOM killer, power loss).
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { instancesRoot } from './locations.js';
import { isProcessAlive, pidsWithArgument, processStartTime, signalProcess, sleepSync } from './processes.js';
import type { ServerUser } from './server-user.js';
import { type EngineKind, type InstancePaths, instancePaths, rewriteJvmOptions } from './settings.js';
import { startWatchdog, type Watchdog } from './watchdog.js';

const run = promisify(execFile);

const OWNER_FILE = 'owner.json';

interface OwnerRecord {
  ownerPid: number;
  ownerStartTime: number | undefined;
}

function parseOwner(text: string): OwnerRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || !('ownerPid' in value)) return undefined;
  const { ownerPid } = value;
  if (typeof ownerPid !== 'number') return undefined;
  const ownerStartTime =
    'ownerStartTime' in value && typeof value.ownerStartTime === 'number' ? value.ownerStartTime : undefined;
  return { ownerPid, ownerStartTime };
}

export interface Instance {
  paths: InstancePaths;
  /** Guards the directory from creation until the owner deletes it. */
  watchdog: Watchdog;
}

/** Makes a fresh instance directory for `distribution`, ready for the server user. */
export async function createInstance(
  kind: EngineKind,
  version: string,
  distribution: string,
  user: ServerUser,
): Promise<Instance> {
  const root = instancesRoot();
  await mkdir(root, { recursive: true, mode: 0o755 });
  const paths = instancePaths(await mkdtemp(join(root, `${kind}-${version}-`)));
  const watchdog = startWatchdog(paths.dir);
  try {
    // Written first: from here on a sweep can tell whose directory this is.
    const owner: OwnerRecord = { ownerPid: process.pid, ownerStartTime: processStartTime(process.pid) };
    await writeFile(join(paths.dir, OWNER_FILE), `${JSON.stringify({ ...owner, kind, version })}\n`);
    await cp(join(distribution, 'config'), paths.config, { recursive: true });
    const jvmOptions = join(paths.config, 'jvm.options');
    await writeFile(jvmOptions, rewriteJvmOptions(await readFile(jvmOptions, 'utf8'), paths));
    await Promise.all([paths.data, paths.logs, paths.tmp].map((dir) => mkdir(dir)));
    if (user.switched) await run('chown', ['-R', `${user.uid}:${user.gid}`, paths.dir]);
  } catch (error) {
    removeInstance(paths.dir);
    watchdog.dismiss();
    throw error;
  }
  return { paths, watchdog };
}

/** Deletes an instance directory; retries because a just-killed JVM may still be unlinking files. */
export function removeInstance(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

/** Kills every process started for an instance (found by its path on their command line). */
export function killInstanceProcesses(dir: string): void {
  const deadline = Date.now() + 5000;
  let pids = pidsWithArgument(dir);
  while (pids.length > 0 && Date.now() < deadline) {
    for (const pid of pids) signalProcess(pid, 'SIGKILL');
    sleepSync(50);
    pids = pidsWithArgument(dir).filter((pid) => isProcessAlive(pid));
  }
}

const GRACE_WITHOUT_OWNER_FILE_MS = 10 * 60 * 1000;

/** Removes instances whose owning process is gone, killing their servers. Returns how many. */
export function sweepOrphans(log: (line: string) => void = () => {}): number {
  const root = instancesRoot();
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return 0; // nothing started yet on this machine
  }
  let swept = 0;
  for (const name of names) {
    const dir = join(root, name);
    let owner: OwnerRecord | undefined;
    try {
      owner = parseOwner(readFileSync(join(dir, OWNER_FILE), 'utf8'));
    } catch {
      owner = undefined;
    }
    if (owner) {
      if (isProcessAlive(owner.ownerPid, owner.ownerStartTime)) continue;
    } else {
      // No record yet: maybe another process is creating it right now. Leave young ones alone.
      try {
        if (Date.now() - statSync(dir).mtimeMs < GRACE_WITHOUT_OWNER_FILE_MS) continue;
      } catch {
        continue;
      }
    }
    killInstanceProcesses(dir);
    removeInstance(dir);
    log(`removed leftover server instance ${name} (its owner process is gone)`);
    swept += 1;
  }
  return swept;
}

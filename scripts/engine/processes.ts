// Process bookkeeping through /proc (Linux), synchronous on purpose: it also runs inside
// process.on('exit'), where nothing asynchronous completes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgid: number;
  /** Clock ticks since boot; with the pid it identifies a process across pid reuse. */
  startTime: number;
}

/** Parses /proc/PID/stat. Field 2 (the command) may hold spaces and ')', so split after the last ')'. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  const state = fields[0];
  const ppid = Number(fields[1]);
  const pgid = Number(fields[2]);
  const startTime = Number(fields[19]);
  if (!state || ![pid, ppid, pgid, startTime].every(Number.isInteger)) return undefined;
  return { pid, state, ppid, pgid, startTime };
}

const hasProc = existsSync('/proc/self/stat');

function readStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function processStartTime(pid: number): number | undefined {
  return readStat(pid)?.startTime;
}

/** Alive and not a zombie; with `startTime`, also the same process (not a reused pid). */
export function isProcessAlive(pid: number, startTime?: number): boolean {
  if (!hasProc) return signalProcess(pid, 0);
  const stat = readStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
  return startTime === undefined || stat.startTime === startTime;
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): number[] {
  if (!hasProc) return signalProcess(-pgid, 0) ? [pgid] : [];
  return allPids().filter((pid) => {
    const stat = readStat(pid);
    return stat !== undefined && stat.pgid === pgid && stat.state !== 'Z' && stat.state !== 'X';
  });
}

/** Processes whose command line contains `fragment` as one whole argument or part of one. */
export function pidsWithArgument(fragment: string): number[] {
  if (!hasProc) return [];
  return allPids().filter((pid) => {
    if (pid === process.pid) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(fragment);
    } catch {
      return false;
    }
  });
}

/** process.kill that treats "no such process" as done. Negative pid = process group. */
export function signalProcess(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ESRCH') return false;
    throw error;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread; only for the exit hook, where timers never fire. */
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** SIGKILL a group and block until its members are gone (or `timeoutMs` passed). */
export function killGroupSync(pgid: number, timeoutMs = 5000): void {
  signalProcess(-pgid, 'SIGKILL');
  const deadline = Date.now() + timeoutMs;
  while (groupMembers(pgid).length > 0 && Date.now() < deadline) sleepSync(20);
}

/** SIGTERM a group, wait up to `graceMs` for it to empty, then SIGKILL whatever is left. */
export async function terminateGroup(pgid: number, graceMs: number): Promise<void> {
  if (groupMembers(pgid).length === 0) return;
  signalProcess(-pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupMembers(pgid).length > 0) {
    if (Date.now() >= deadline) {
      signalProcess(-pgid, 'SIGKILL');
      break;
    }
    await sleep(100);
  }
  const hardDeadline = Date.now() + 5000;
  while (groupMembers(pgid).length > 0 && Date.now() < hardDeadline) await sleep(50);
}

// Hang and resume a server this test started (startEngine), the way `kill -STOP` / `kill -CONT`
// does by hand: the whole process group of its launcher. Found by its own instance directory,
// which no other server shares, so the shared test servers are never touched.
import { readdirSync, readFileSync } from 'node:fs';
import type { EngineHandle } from '../../../scripts/engine.js';

function processGroupOf(instanceDir: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes(instanceDir)) continue;
      // /proc/PID/stat: "pid (comm) state ppid pgrp …"; comm may contain spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const group = Number(fields[2]);
      if (Number.isInteger(group) && group > 1) return group;
    } catch {
      // the process ended while we looked
    }
  }
  throw new Error(`no process found for ${instanceDir}`);
}

export function hangEngine(engine: Pick<EngineHandle, 'instanceDir'>): () => void {
  const group = processGroupOf(engine.instanceDir);
  process.kill(-group, 'SIGSTOP');
  let resumed = false;
  return () => {
    if (resumed) return;
    resumed = true;
    process.kill(-group, 'SIGCONT');
  };
}

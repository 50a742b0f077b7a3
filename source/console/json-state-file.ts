// The console's state files beside the config (mutes.json, alerts.json): read with one line
// per problem for the footer (a missing file is no state, not a problem), and replaced
// atomically (a temporary file renamed over, mode 0600), so a crash mid-write leaves the old one.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type JsonStateRead =
  | { kind: 'missing' }
  | { kind: 'problem'; problem: string }
  | { kind: 'read'; value: unknown };

/** `otherwise`: what an unreadable JSON text means for the console, e.g. "its mutes are ignored". */
export function readJsonState(path: string, otherwise: string): JsonStateRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'problem', problem: `cannot read ${path}: ${(error as Error).message}` };
  }
  try {
    return { kind: 'read', value: JSON.parse(text) };
  } catch {
    return { kind: 'problem', problem: `${path} is not valid JSON; ${otherwise}` };
  }
}

/** Replace the file with `value` as JSON (write a temporary file, then rename over). Throws. */
export function writeJsonState(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

// The analyst's mutes survive the console: a dropped SSH session or a restart must not bring
// back the scanner someone silenced for a day. They live next to the config file (not in it:
// they are state, not settings) in mutes.json, mode 0600, replaced atomically on each change.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sanitize } from '../core/sanitize.js';
import { decodeMutes, encodeMutes, type Mute } from '../detect/mutes.js';
import type { Say, Store } from './state/store.js';

export const MUTE_FILE_NAME = 'mutes.json';

export function muteFilePath(configDirectory: string): string {
  return join(configDirectory, MUTE_FILE_NAME);
}

/** The live mutes in the file; a missing file is no mutes. Problems are for one warning line. */
export function readMuteFile(path: string, now: number): { mutes: Mute[]; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { mutes: [], problems: [] };
    return { mutes: [], problems: [`cannot read ${path}: ${(error as Error).message}`] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { mutes: [], problems: [`${path} is not valid JSON; its mutes are ignored`] };
  }
  const decoded = decodeMutes(value, now);
  return { mutes: decoded.mutes, problems: decoded.problems.map((problem) => `${path}: ${problem}`) };
}

/** Replace the file with the live mutes (write a temporary file, then rename over). Throws. */
export function writeMuteFile(path: string, mutes: readonly Mute[], now: number): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(encodeMutes(mutes, now), null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Keeps the file in step with the store: rewritten whenever the set changes, which only analyst
 * keys and expiries do (a dropped SSH link must not un-silence a scanner).
 */
export function keepMuteFile(store: Store, path: string, say: Say): void {
  let saved = store.getState().detector.mutes;
  store.subscribe(() => {
    const { mutes } = store.getState().detector;
    if (mutes === saved) return;
    saved = mutes;
    try {
      writeMuteFile(path, mutes, Date.now());
    } catch (error) {
      say(`mute applied but not saved: ${sanitize((error as Error).message)}`, 'error');
    }
  });
}

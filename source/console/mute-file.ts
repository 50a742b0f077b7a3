// The analyst's mutes survive the console: a dropped SSH session or a restart must not bring
// back the scanner someone silenced for a day. They live next to the config file (not in it:
// they are state, not settings) in mutes.json, mode 0600, replaced atomically on each change.
import { join } from 'node:path';
import { sanitize } from '../core/sanitize.js';
import { decodeMutes, encodeMutes, type Mute } from '../detect/mutes.js';
import { readJsonState, writeJsonState } from './json-state-file.js';
import type { Say, Store } from './state/store.js';

export const MUTE_FILE_NAME = 'mutes.json';

export function muteFilePath(configDirectory: string): string {
  return join(configDirectory, MUTE_FILE_NAME);
}

/** The live mutes in the file; a missing file is no mutes. Problems are for one warning line. */
export function readMuteFile(path: string, now: number): { mutes: Mute[]; problems: string[] } {
  const read = readJsonState(path, 'its mutes are ignored');
  if (read.kind !== 'read') return { mutes: [], problems: read.kind === 'problem' ? [read.problem] : [] };
  const decoded = decodeMutes(read.value, now);
  return { mutes: decoded.mutes, problems: decoded.problems.map((problem) => `${path}: ${problem}`) };
}

/** Replace the file with the live mutes (write a temporary file, then rename over). Throws. */
export function writeMuteFile(path: string, mutes: readonly Mute[], now: number): void {
  writeJsonState(path, encodeMutes(mutes, now));
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

// Ink hands a run of plain characters that arrive in one read (fast typing over SSH, tmux
// send-keys, a paste) to useInput as ONE string: `t50\r` instead of t, 5, 0, Enter. The
// console acts per key, so such a run is split back into single key presses here.
import type { Key } from 'ink';

/** A key with nothing pressed: the base for synthesised key presses (and for tests). */
export const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/** One key press per character of a multi-character input; a single key passes through. */
export function splitKeys(input: string, key: Key): [string, Key][] {
  const chars = Array.from(input);
  if (chars.length <= 1 || key.ctrl || key.meta || key.escape) return [[input, key]];
  return chars.map((char): [string, Key] => {
    if (char === '\r' || char === '\n') return ['', { ...NO_KEY, return: true }];
    if (char === '\t') return ['', { ...NO_KEY, tab: true }];
    return [char, { ...NO_KEY, shift: char !== char.toLowerCase() }];
  });
}

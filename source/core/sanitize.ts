// Attacker-controlled strings (usernames, hostnames, workstation names, log text) must never
// reach the terminal raw: an ESC sequence in a username could move the cursor, retitle the
// window or hide rows. strip-ansi removes CSI/OSC sequences; we then drop every remaining
// C0/C1 control and the Unicode bidi/invisible formatting characters (Trojan Source tricks).
import stripAnsi from 'strip-ansi';

// C0 controls (incl. lone ESC, BEL, CR, LF, TAB), DEL, C1 controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
// Bidi embeddings/overrides/isolates, zero-width and other invisible format characters.
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

/** Make an untrusted string safe to display: no escapes, no controls, no bidi tricks. */
export function sanitize(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : String(value);
  return stripAnsi(text).replace(CONTROL, '\uFFFD').replace(INVISIBLE, '');
}

/**
 * Sanitize, then cut to at most `max` characters (code points), ending with an ellipsis
 * when cut. Terminal-width-aware fitting is the UI's job; this bounds memory and message size.
 */
export function sanitizeAndTruncate(value: unknown, max: number, ellipsis = '…'): string {
  const clean = sanitize(value);
  const chars = Array.from(clean);
  if (chars.length <= max) return clean;
  if (max <= ellipsis.length) return ellipsis.slice(0, max);
  return chars.slice(0, max - Array.from(ellipsis).length).join('') + ellipsis;
}

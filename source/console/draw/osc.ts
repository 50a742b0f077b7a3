// Terminal sequences for getting things out of the screen over SSH (13 C17):
// - OSC 8 hyperlinks, drawn only where the terminal is known to support them (an unknown
//   terminal may print the sequence as text), or when SOC_WATCH_HYPERLINKS says so;
// - OSC 52 "set clipboard", which the analyst's own terminal carries out, so it works over
//   SSH; inside tmux it also goes through tmux's DCS passthrough (tmux ≥ 3.3 with
//   `allow-passthrough on`), besides the plain form tmux takes itself with `set-clipboard on`.
// What goes into either is sanitized first: no escape or control character reaches the
// terminal or the clipboard.
import { sanitize } from '../../core/sanitize.js';

type Env = Record<string, string | undefined>;

const ESC = '\u001b';
const BEL = '\u0007';
const ST = `${ESC}\\`;

/**
 * Whether to draw OSC 8 links. SOC_WATCH_HYPERLINKS=1/0 decides when set; else only known
 * terminals (and not inside tmux or screen, which may drop or mangle them, nor TERM=dumb).
 */
export function supportsHyperlinks(env: Env): boolean {
  const override = env.SOC_WATCH_HYPERLINKS;
  if (override === '1' || override === 'true') return true;
  if (override === '0' || override === 'false') return false;
  const term = env.TERM ?? '';
  if (term === '' || term === 'dumb' || term.startsWith('screen') || term.startsWith('tmux')) return false;
  if (env.TMUX || env.STY) return false;
  if (env.WT_SESSION || env.KITTY_WINDOW_ID || env.WEZTERM_PANE || env.KONSOLE_VERSION) return true;
  if (term === 'xterm-kitty' || term === 'foot' || term === 'xterm-ghostty' || term === 'alacritty')
    return true;
  const program = env.TERM_PROGRAM ?? '';
  if (['iTerm.app', 'WezTerm', 'vscode', 'ghostty', 'Hyper'].includes(program)) return true;
  // GNOME Terminal, Tilix and other VTE terminals since VTE 0.50.
  const vte = Number(env.VTE_VERSION ?? '');
  return Number.isFinite(vte) && vte >= 5000;
}

/** `label` as a link to `url` (OSC 8). The URL must be http(s): anything else is not linked. */
export function hyperlink(url: string, label: string): string {
  const clean = sanitize(url);
  if (!/^https?:\/\//i.test(clean) || /[\s]/.test(clean)) return sanitize(label);
  return `${ESC}]8;;${clean}${BEL}${sanitize(label)}${ESC}]8;;${BEL}`;
}

/** OSC 52: put `text` (sanitized) on the clipboard of the terminal the analyst sits at. */
export function osc52(text: string): string {
  return `${ESC}]52;c;${Buffer.from(sanitize(text), 'utf8').toString('base64')}${BEL}`;
}

/** tmux's passthrough: DCS tmux; <sequence with every ESC doubled> ST. */
export function tmuxPassthrough(sequence: string): string {
  return `${ESC}Ptmux;${sequence.replaceAll(ESC, ESC + ESC)}${ST}`;
}

/** What to write for a copy: inside tmux both the passthrough and the plain form. */
export function clipboardSequence(text: string, env: Env): string {
  const sequence = osc52(text);
  return env.TMUX ? tmuxPassthrough(sequence) + sequence : sequence;
}

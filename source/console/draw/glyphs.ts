// The characters the console draws with. Two sets: Unicode for UTF-8 terminals, and plain
// ASCII for `--ascii`, `ascii: true` in the config, or a non-UTF-8 locale (a serial
// console, an old PuTTY profile, LANG=C over SSH), where block characters turn to mojibake.

export interface Glyphs {
  ascii: boolean;
  /** Marks the selected row (colour and inverse vanish under NO_COLOR; this does not). */
  selected: string;
  /** Marks a row over its threshold. */
  over: string;
  /** Cut-off marker for truncated cells. */
  ellipsis: string;
  /** Horizontal rule in pane titles. */
  rule: string;
  /** Separator between header fields. */
  dot: string;
  check: string;
  cross: string;
  up: string;
  down: string;
  /** Live-state bullet. */
  bullet: string;
  /** Sparkline ticks, lowest first (8 levels). */
  ticks: readonly string[];
  /** Ink borderStyle for overlay boxes. */
  border: 'round' | 'classic';
}

export const UNICODE_GLYPHS: Glyphs = {
  ascii: false,
  selected: '›',
  over: '▲',
  ellipsis: '…',
  rule: '─',
  dot: '·',
  check: '✓',
  cross: '✗',
  up: '↑',
  down: '↓',
  bullet: '●',
  ticks: ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
  border: 'round',
};

export const ASCII_GLYPHS: Glyphs = {
  ascii: true,
  selected: '>',
  over: '^',
  ellipsis: '~',
  rule: '-',
  dot: '|',
  check: 'ok',
  cross: 'x',
  up: '^',
  down: 'v',
  bullet: '*',
  ticks: ['_', '.', ',', '-', '=', '+', '*', '#'],
  border: 'classic',
};

type Env = Record<string, string | undefined>;

/**
 * Whether the locale promises UTF-8. POSIX precedence: LC_ALL, then LC_CTYPE, then LANG;
 * the first one set decides. None set means the C locale, which is ASCII. Windows
 * terminals have no locale variables and render UTF-8.
 */
export function isUtf8Locale(env: Env, platform: NodeJS.Platform = process.platform): boolean {
  const locale = [env.LC_ALL, env.LC_CTYPE, env.LANG].find((value) => value !== undefined && value !== '');
  if (locale === undefined) return platform === 'win32';
  return /utf-?8/i.test(locale);
}

export function chooseGlyphs(options: { asciiFlag?: boolean; configAscii?: boolean; env: Env }): Glyphs {
  if (options.asciiFlag || options.configAscii || !isUtf8Locale(options.env)) return ASCII_GLYPHS;
  return UNICODE_GLYPHS;
}

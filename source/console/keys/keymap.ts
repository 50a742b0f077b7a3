// The one key table. Input handling looks keys up here, the `?` overlay lists it and the
// footer takes its hints from it, so what the screen says and what the keys do cannot drift.
// Each binding says in which contexts it applies; the first match in table order wins.
// Plain ASCII only, so the help reads the same on any terminal.
import type { Key } from 'ink';

/** What a key press is handled with besides the state: the console's time, page, terminal. */
export interface KeyEnvironment {
  now: number;
  /** Rows the focused pane shows (PgUp/PgDn step). */
  page: number;
  /** The terminal, for scrolling the help and the message log (their lines depend on it). */
  size?: { columns: number; rows: number };
}

/** Where the keyboard is: a pane with rows, an overlay, or a one-line prompt. */
export type KeyContext =
  | 'offenders' // a service pane is focused
  | 'alerts' // the alert feed is focused
  | 'help'
  | 'detail'
  | 'log' // the message log overlay
  | 'prompt' // a text prompt: threshold, filter, mute duration, escalation note
  | 'window' // the window prompt (a text prompt with presets)
  | 'confirm' // the escalation confirmation
  | 'ask'; // a yes/no question (an IP-wide mute that silences a HIGH/CRITICAL alert)

export type CommandId =
  | 'quit'
  | 'interrupt'
  | 'help'
  | 'focus-next'
  | 'focus-prev'
  | 'down'
  | 'up'
  | 'page-down'
  | 'page-up'
  | 'top'
  | 'bottom'
  | 'open'
  | 'close'
  | 'threshold'
  | 'nudge-up'
  | 'nudge-down'
  | 'window'
  | 'filter'
  | 'sort'
  | 'reverse'
  | 'escalate'
  | 'acknowledge'
  | 'evidence'
  | 'mute'
  | 'pause'
  | 'refresh'
  | 'submit'
  | 'cancel'
  | 'erase'
  | 'type'
  | 'preset-next'
  | 'preset-prev'
  | 'confirm'
  | 'add-note'
  | 'log'
  | 'hide-quiet'
  | 'copy'
  | 'copy-link'
  | 'time-back'
  | 'time-forward'
  | 'window-back'
  | 'window-forward'
  | 'play'
  | 'faster'
  | 'slower'
  | 'next-alert';

export interface Binding {
  command: CommandId;
  /** The keys as the help overlay shows them. */
  keys: string;
  help: string;
  /** Footer label; bindings without one appear in the help overlay only. */
  hint?: string;
  /** The keys as the footer shows them, when shorter than `keys`. */
  hintKeys?: string;
  contexts: readonly KeyContext[];
  match: (input: string, key: Key) => boolean;
}

const PANES: readonly KeyContext[] = ['offenders', 'alerts'];
const BROWSING: readonly KeyContext[] = ['offenders', 'alerts', 'detail'];
/** Where j/k and the page keys act: rows, or the lines of a tall overlay. */
const SCROLLING: readonly KeyContext[] = [...BROWSING, 'help', 'log'];
const TEXT: readonly KeyContext[] = ['prompt', 'window'];
const ALL: readonly KeyContext[] = [
  'offenders',
  'alerts',
  'help',
  'detail',
  'log',
  'prompt',
  'window',
  'confirm',
  'ask',
];

const plain = (key: Key) => !key.ctrl && !key.meta;
const char =
  (...chars: string[]) =>
  (input: string, key: Key) =>
    plain(key) && chars.includes(input);

/** A printable character (or a paste of them) for a text prompt. */
export function isPrintable(input: string, key: Key): boolean {
  return (
    plain(key) &&
    !key.return &&
    !key.escape &&
    !key.tab &&
    input.length > 0 &&
    !/[\u0000-\u001f\u007f]/.test(input)
  );
}

export const KEYMAP: readonly Binding[] = [
  {
    command: 'interrupt',
    keys: 'Ctrl+C',
    help: 'quit from anywhere (exit code 130)',
    contexts: ALL,
    match: (input, key) => key.ctrl && input === 'c',
  },
  // Prompts first, so that letters typed into them are text, not commands.
  {
    command: 'submit',
    keys: 'Enter',
    help: 'apply',
    hint: 'apply',
    contexts: TEXT,
    match: (_, key) => key.return,
  },
  {
    command: 'cancel',
    keys: 'Esc',
    help: 'cancel',
    hint: 'cancel',
    contexts: TEXT,
    match: (_, key) => key.escape,
  },
  {
    command: 'erase',
    keys: 'Backspace',
    help: 'delete the last character',
    contexts: TEXT,
    match: (_, key) => key.backspace || key.delete,
  },
  {
    command: 'preset-next',
    keys: 'Right / Left',
    help: 'next / previous preset window (5m 15m 1h 6h 24h)',
    hint: 'presets',
    hintKeys: '<- ->',
    contexts: ['window'],
    match: (_, key) => key.rightArrow || key.downArrow || (key.tab && !key.shift),
  },
  {
    command: 'preset-prev',
    keys: 'Left',
    help: 'previous preset window',
    contexts: ['window'],
    match: (_, key) => key.leftArrow || key.upArrow || (key.tab && key.shift),
  },
  {
    command: 'type',
    keys: 'text',
    help: 'type the value (threshold: digits; window: e.g. 30m; filter: IP, CIDR or user)',
    contexts: TEXT,
    match: isPrintable,
  },
  {
    command: 'confirm',
    keys: 'y',
    help: 'send to Slack',
    hint: 'send',
    contexts: ['confirm'],
    match: char('y', 'Y'),
  },
  {
    command: 'add-note',
    keys: 'n',
    help: 'add a note to the Slack message first',
    hint: 'add note',
    contexts: ['confirm'],
    match: char('n', 'N'),
  },
  {
    command: 'cancel',
    keys: 'Esc',
    help: 'cancel',
    hint: 'cancel',
    contexts: ['confirm'],
    match: (input, key) => key.escape || (plain(key) && input === 'q'),
  },
  {
    command: 'confirm',
    keys: 'y',
    help: 'yes',
    hint: 'yes',
    contexts: ['ask'],
    match: char('y', 'Y'),
  },
  {
    command: 'cancel',
    keys: 'n / Esc',
    help: 'no',
    hint: 'no',
    hintKeys: 'n/Esc',
    contexts: ['ask'],
    match: (input, key) => key.escape || (plain(key) && ['n', 'N', 'q'].includes(input)),
  },
  // Browsing.
  {
    command: 'close',
    keys: 'Esc',
    help: 'close the overlay (q too: in an overlay q closes it, it does not quit)',
    hint: 'close',
    contexts: ['help', 'detail', 'log'],
    match: (input, key) => key.escape || key.return || (plain(key) && input === 'q'),
  },
  {
    command: 'help',
    keys: '?',
    help: 'this help',
    hint: 'help',
    contexts: [...PANES, 'help', 'detail', 'log'],
    match: char('?'),
  },
  {
    command: 'focus-next',
    keys: 'Tab',
    help: 'next pane',
    hint: 'pane',
    contexts: PANES,
    match: (_, key) => key.tab && !key.shift,
  },
  {
    command: 'focus-prev',
    keys: 'Shift+Tab',
    help: 'previous pane',
    contexts: PANES,
    match: (_, key) => key.tab && key.shift,
  },
  {
    command: 'down',
    keys: 'j / Down',
    help: 'move down',
    hint: 'move',
    contexts: SCROLLING,
    match: (input, key) => key.downArrow || (plain(key) && input === 'j'),
  },
  {
    command: 'up',
    keys: 'k / Up',
    help: 'move up',
    contexts: SCROLLING,
    match: (input, key) => key.upArrow || (plain(key) && input === 'k'),
  },
  {
    command: 'page-down',
    keys: 'PgDn',
    help: 'page down',
    contexts: SCROLLING,
    match: (_, key) => key.pageDown,
  },
  { command: 'page-up', keys: 'PgUp', help: 'page up', contexts: SCROLLING, match: (_, key) => key.pageUp },
  {
    command: 'top',
    keys: 'g / Home',
    help: 'first row',
    contexts: SCROLLING,
    match: (input, key) => key.home || (plain(key) && input === 'g'),
  },
  {
    command: 'bottom',
    keys: 'G / End',
    help: 'last row',
    contexts: SCROLLING,
    match: (input, key) => key.end || (plain(key) && input === 'G'),
  },
  {
    command: 'open',
    keys: 'Enter',
    help: 'details of the selected IP or alert (numbers, users, hosts, Kibana link)',
    hint: 'details',
    contexts: PANES,
    match: (_, key) => key.return,
  },
  {
    command: 'threshold',
    keys: 't',
    help: "edit this service's brute-force threshold (saved to the config)",
    hint: 'threshold',
    contexts: ['offenders'],
    match: char('t'),
  },
  {
    command: 'nudge-up',
    keys: '+',
    help: 'threshold +1 (saved)',
    hint: 'nudge',
    hintKeys: '+/-',
    contexts: ['offenders'],
    match: char('+', '='),
  },
  {
    command: 'nudge-down',
    keys: '-',
    help: 'threshold -1 (saved)',
    contexts: ['offenders'],
    match: char('-', '_'),
  },
  {
    command: 'window',
    keys: 'w',
    help: 'change the time window (5m 15m 1h 6h 24h or typed; saved)',
    hint: 'window',
    contexts: PANES,
    match: char('w'),
  },
  {
    command: 'filter',
    keys: '/',
    help: 'filter rows by IP, CIDR or user (Esc clears)',
    hint: 'filter',
    contexts: PANES,
    match: char('/'),
  },
  {
    command: 'sort',
    keys: 's',
    help: 'sort by the next column',
    hint: 'sort',
    contexts: PANES,
    match: char('s'),
  },
  { command: 'reverse', keys: 'S', help: 'reverse the sort order', contexts: PANES, match: char('S') },
  {
    command: 'escalate',
    keys: 'e',
    help: 'escalate the selected alert (or the worst alert of the IP) to Slack; asks y / n / Esc',
    hint: 'escalate',
    contexts: [...PANES, 'detail'],
    match: char('e'),
  },
  {
    command: 'acknowledge',
    keys: 'a',
    help: 'acknowledge the selected alert (or the alerts of the selected IP)',
    hint: 'ack',
    contexts: [...PANES, 'detail'],
    match: char('a'),
  },
  {
    command: 'evidence',
    keys: 'x',
    help: 'export an evidence bundle of the selected alert (Markdown + JSON, to evidenceDir)',
    contexts: [...PANES, 'detail'],
    match: char('x'),
  },
  {
    command: 'mute',
    keys: 'm',
    help: 'mute the selected alert or IP for a while (asks how long; again to unmute)',
    hint: 'mute',
    contexts: [...PANES, 'detail'],
    match: char('m'),
  },
  {
    command: 'hide-quiet',
    keys: 'H',
    help: 'hide / show acknowledged and muted alerts in the feed (they are dimmed when shown)',
    hint: 'hide acked',
    contexts: PANES,
    match: char('H'),
  },
  {
    command: 'copy',
    keys: 'y',
    help: 'copy the selected IP (service pane) or alert summary (feed) to your clipboard (OSC 52, works over SSH)',
    hint: 'copy',
    contexts: [...PANES, 'detail'],
    match: char('y'),
  },
  {
    command: 'copy-link',
    keys: 'Y',
    help: 'copy the Kibana Discover link of the selection (needs kibanaUrl)',
    contexts: [...PANES, 'detail'],
    match: char('Y'),
  },
  {
    command: 'log',
    keys: 'L',
    help: 'message log: the last messages in full, with the console time of each',
    hint: 'log',
    contexts: [...PANES, 'help', 'detail', 'log'],
    match: char('L'),
  },
  {
    command: 'pause',
    keys: 'p',
    help: 'pause / resume polling',
    hint: 'pause',
    contexts: [...PANES, 'detail'],
    match: char('p'),
  },
  {
    command: 'refresh',
    keys: 'r',
    help: 'refresh now',
    contexts: [...PANES, 'detail'],
    match: char('r'),
  },
  {
    command: 'quit',
    keys: 'q',
    help: 'quit',
    hint: 'quit',
    contexts: PANES,
    match: char('q'),
  },
  // Time travel (soc-watch --at TIME, soc-watch --replay T1..T2); in the live console they say
  // so. One help line for all of them (the same keys and help text are listed once).
  ...(
    [
      ['time-back', ['[']],
      ['time-forward', [']']],
      ['window-back', ['{']],
      ['window-forward', ['}']],
      ['play', [' ']],
      ['slower', ['<', ',']],
      ['faster', ['>', '.']],
      ['next-alert', ['n']],
    ] as const
  ).map(
    ([command, inputs]): Binding => ({
      command,
      keys: '[ ] { }',
      help: 'not live (--at, --replay): [ ] step one refresh, { } one window; replay: Space play/pause, < > speed x1..x600, n next alert',
      contexts: [...PANES, 'detail'],
      match: char(...inputs),
    }),
  ),
  // Esc in a pane clears an active filter (and is otherwise harmless).
  {
    command: 'cancel',
    keys: 'Esc',
    help: 'clear the filter',
    contexts: PANES,
    match: (_, key) => key.escape,
  },
];

export function findBinding(context: KeyContext, input: string, key: Key): Binding | undefined {
  return KEYMAP.find((binding) => binding.contexts.includes(context) && binding.match(input, key));
}

/** Footer hints for a context: `Tab pane  j/↓ move …`, from the table. */
export function hintsFor(context: KeyContext): { keys: string; hint: string }[] {
  const seen = new Set<string>();
  const hints: { keys: string; hint: string }[] = [];
  for (const binding of KEYMAP) {
    if (!binding.hint || !binding.contexts.includes(context) || seen.has(binding.hint)) continue;
    seen.add(binding.hint);
    hints.push({
      keys: binding.hintKeys ?? binding.keys.split(' / ')[0] ?? binding.keys,
      hint: binding.hint,
    });
  }
  return hints;
}

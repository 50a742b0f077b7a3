// `soc-watch completion bash|zsh|fish`: a completion script for commands, flags, config keys
// and their allowed values. Nothing is listed here: commands and flags come from the CLI's
// own tables (passed in by cli.tsx, a room above this one), config keys and their values from
// the key table, and the values of a connection flag from the key it sets (FLAG_KEYS).
import { KEYS, keySpec } from '../config/keys.js';
import { FLAG_KEYS } from '../config/load.js';
import { CONFIG_ACTIONS } from './config.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface FlagSpec {
  readonly type: string;
  readonly choices?: readonly string[];
}

export interface CliTables {
  /** Commands after `soc-watch`; the console is the absence of one. */
  commands: readonly string[];
  /** meow's flag table per command, by camelCase name; `console` holds the console's. */
  flags: Readonly<Record<string, Readonly<Record<string, FlagSpec>>>>;
}

/** The executables the script completes: the npm command and the single executables. */
const PROGRAMS = ['soc-watch', 'soc-watch-linux-x64', 'soc-watch-linux-arm64'];
/** Config actions that take a key. */
const KEYED_ACTIONS = ['get', 'set', 'unset'];

const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** Allowed values of a config key (enum values, or true/false), or none for free text. */
function keyValues(path: string): readonly string[] {
  const spec = keySpec(path);
  if (spec?.type === 'enum') return spec.values ?? [];
  if (spec?.type === 'bool') return ['true', 'false'];
  return [];
}

/** Allowed values of a flag: its own choices, else those of the config key it sets. */
function flagValues(name: string, spec: FlagSpec): readonly string[] {
  if (spec.type === 'boolean') return [];
  if (spec.choices) return spec.choices;
  const key = FLAG_KEYS[name];
  return key ? keyValues(key) : [];
}

interface Flag {
  long: string;
  takesValue: boolean;
  values: readonly string[];
}

function flagsOf(tables: CliTables, command: string): Flag[] {
  return Object.entries(tables.flags[command] ?? {}).map(([name, spec]) => ({
    long: `--${kebab(name)}`,
    takesValue: spec.type !== 'boolean',
    values: flagValues(name, spec),
  }));
}

/** Every flag that takes one of a fixed set of values, once, with those values. */
function valueFlags(tables: CliTables): Map<string, readonly string[]> {
  const found = new Map<string, readonly string[]>();
  for (const command of Object.keys(tables.flags)) {
    for (const flag of flagsOf(tables, command)) {
      if (flag.values.length > 0) found.set(flag.long, flag.values);
    }
  }
  return found;
}

/** What meow adds: --help everywhere, --version without a command. */
const meowFlags = (command: string) => (command === 'console' ? ['--help', '--version'] : ['--help']);
const words = (list: readonly string[]) => list.join(' ');
/** Config keys as the scripts show them; `thresholds.<service>` also takes custom services. */
const keyPaths = () => KEYS.map((spec) => spec.path);

function bash(tables: CliTables): string {
  const name = '_soc_watch';
  const flagCases = [...valueFlags(tables)]
    .map(([flag, values]) => `    ${flag}) COMPREPLY=($(compgen -W "${words(values)}" -- "$cur")); return ;;`)
    .join('\n');
  const takesValue = [
    ...new Set(
      Object.keys(tables.flags).flatMap((command) =>
        flagsOf(tables, command)
          .filter((flag) => flag.takesValue && flag.values.length === 0)
          .map((flag) => flag.long),
      ),
    ),
  ];
  const commandFlags = Object.keys(tables.flags)
    .map(
      (command) =>
        `    ${command}) flags="${words([...flagsOf(tables, command).map((flag) => flag.long), ...meowFlags(command)])}" ;;`,
    )
    .join('\n');
  const keyValueCases = KEYS.filter((spec) => keyValues(spec.path).length > 0)
    .map(
      (spec) =>
        `        ${spec.path}) COMPREPLY=($(compgen -W "${words(keyValues(spec.path))}" -- "$cur")) ;;`,
    )
    .join('\n');
  return `# soc-watch completion for bash. Load it in ~/.bashrc with:
#   eval "$(soc-watch completion bash)"
${name}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local command=console
  if ((COMP_CWORD > 1)) && [[ \${COMP_WORDS[1]} != -* ]]; then command=\${COMP_WORDS[1]}; fi
  case "$prev" in
${flagCases}
    ${takesValue.join('|')}) return ;;
  esac
  if [[ $cur == -* ]]; then
    local flags=""
    case "$command" in
${commandFlags}
    esac
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    return
  fi
  if ((COMP_CWORD == 1)); then
    COMPREPLY=($(compgen -W "${words(tables.commands)}" -- "$cur"))
    return
  fi
  case "$command" in
    config)
      if ((COMP_CWORD == 2)); then
        COMPREPLY=($(compgen -W "${words(CONFIG_ACTIONS)}" -- "$cur"))
      elif ((COMP_CWORD == 3)) && [[ " ${words(KEYED_ACTIONS)} " == *" \${COMP_WORDS[2]} "* ]]; then
        COMPREPLY=($(compgen -W "${words(keyPaths())}" -- "$cur"))
      elif ((COMP_CWORD == 4)) && [[ \${COMP_WORDS[2]} == set ]]; then
        case "\${COMP_WORDS[3]}" in
${keyValueCases}
        esac
      fi
      ;;
    completion)
      ((COMP_CWORD == 2)) && COMPREPLY=($(compgen -W "${words(SHELLS)}" -- "$cur"))
      ;;
    ingest) COMPREPLY=($(compgen -f -- "$cur")) ;;
  esac
}
complete -o default -F ${name} ${words(PROGRAMS)}
`;
}

function zsh(tables: CliTables): string {
  // zsh runs the bash script through its own bash-completion layer: one script, one behaviour.
  return `# soc-watch completion for zsh. Load it in ~/.zshrc (after compinit) with:
#   eval "$(soc-watch completion zsh)"
autoload -U +X bashcompinit && bashcompinit
${bash(tables).replace(/^# soc-watch completion for bash[^\n]*\n#[^\n]*\n/, '')}`;
}

const fishQuote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fish(tables: CliTables): string {
  const lines = [
    '# soc-watch completion for fish. Install it with:',
    '#   soc-watch completion fish > ~/.config/fish/completions/soc-watch.fish',
  ];
  for (const program of PROGRAMS) {
    const c = `complete -c ${program}`;
    const none = `not __fish_seen_subcommand_from ${words(tables.commands)}`;
    lines.push(`${c} -f`);
    lines.push(`${c} -n ${fishQuote('__fish_use_subcommand')} -a ${fishQuote(words(tables.commands))}`);
    for (const command of Object.keys(tables.flags)) {
      const when = command === 'console' ? none : `__fish_seen_subcommand_from ${command}`;
      for (const flag of flagsOf(tables, command)) {
        const value =
          flag.values.length > 0 ? ` -x -a ${fishQuote(words(flag.values))}` : flag.takesValue ? ' -r' : '';
        lines.push(`${c} -n ${fishQuote(when)} -l ${flag.long.slice(2)}${value}`);
      }
      for (const flag of meowFlags(command)) lines.push(`${c} -n ${fishQuote(when)} -l ${flag.slice(2)}`);
    }
    const inConfig = '__fish_seen_subcommand_from config';
    lines.push(
      `${c} -n ${fishQuote(`${inConfig}; and not __fish_seen_subcommand_from ${words(CONFIG_ACTIONS)}`)} -a ${fishQuote(words(CONFIG_ACTIONS))}`,
    );
    for (const spec of KEYS) {
      lines.push(
        `${c} -n ${fishQuote(`${inConfig}; and __fish_seen_subcommand_from ${words(KEYED_ACTIONS)}; and not __fish_seen_subcommand_from ${words(keyPaths())}`)} -a ${fishQuote(spec.path)} -d ${fishQuote(spec.description)}`,
      );
      const values = keyValues(spec.path);
      if (values.length > 0) {
        lines.push(
          `${c} -n ${fishQuote(`${inConfig}; and __fish_seen_subcommand_from set; and __fish_seen_subcommand_from ${spec.path}`)} -a ${fishQuote(words(values))}`,
        );
      }
    }
    lines.push(
      `${c} -n ${fishQuote('__fish_seen_subcommand_from completion')} -a ${fishQuote(words(SHELLS))}`,
    );
    lines.push(`${c} -n ${fishQuote('__fish_seen_subcommand_from ingest')} -F`);
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell, tables: CliTables): string {
  switch (shell) {
    case 'bash':
      return bash(tables);
    case 'zsh':
      return zsh(tables);
    case 'fish':
      return fish(tables);
  }
}

export function completionCommand(
  args: readonly string[],
  tables: CliTables,
  out: (text: string) => void,
  err: (line: string) => void,
): number {
  const [shell, ...rest] = args;
  if (!(SHELLS as readonly string[]).includes(shell ?? '') || rest.length > 0) {
    err(`soc-watch: completion needs one shell: ${SHELLS.join(', ')} (e.g. soc-watch completion bash)`);
    return 2;
  }
  out(completionScript(shell as Shell, tables));
  return 0;
}

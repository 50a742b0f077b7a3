// How bin/soc-watch.js starts node, read from its shebang rather than copied, for the scripts
// that run the console or measure it with node directly (demo, bench:render), so they cannot
// drift from what ships. The shebang is `#!/usr/bin/env -S [NAME=value …] node [flag …]`.
import { readFileSync } from 'node:fs';

export interface LauncherCommand {
  /** Environment the shebang sets before running node (e.g. MALLOC_ARENA_MAX). */
  env: Record<string, string>;
  /** Node and V8 flags, in order. */
  flags: string[];
  /** The command as the shebang writes it, for display. */
  text: string;
}

/**
 * Parse the launcher's shebang. Quotes, escapes and variables (which `env -S` would
 * interpret) are refused rather than guessed at; so is a command other than `node`.
 */
export function launcherCommand(launcherPath: string | URL): LauncherCommand {
  const shebang = readFileSync(launcherPath, 'utf8').split('\n', 1)[0] ?? '';
  const command = /^#!\/usr\/bin\/env -S (.+)$/.exec(shebang)?.[1]?.trim();
  if (!command || /["'\\$]/.test(command)) {
    throw new Error(`cannot read the launcher's shebang: ${shebang}`);
  }
  const words = command.split(/\s+/);
  const env: Record<string, string> = {};
  for (let word = words[0]; word && /^[A-Za-z_][A-Za-z0-9_]*=/.test(word); word = words[0]) {
    words.shift();
    const equals = word.indexOf('=');
    env[word.slice(0, equals)] = word.slice(equals + 1);
  }
  if (words.shift() !== 'node') throw new Error(`the launcher's shebang does not run node: ${shebang}`);
  return { env, flags: words, text: command };
}

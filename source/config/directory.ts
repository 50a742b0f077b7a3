// The config directory and the shape of the file in it, checked before conf opens them.
// conf creates a missing directory with Node's recursive mkdir, which gets modes from the
// umask (seen 0755, and 0777 under umask 000) and never returns for a path under /proc
// (mkdir answers ENOENT with the parent present, and Node retries forever at 100 % CPU,
// deaf to SIGTERM). Here each missing level is made one at a time, 0700, and a level that
// cannot be made is reported at once.
import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from './validate.js';

export const CONFIG_FILE_NAME = 'config.json';

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? (error as Error)?.message ?? String(error);
}

const HINT = 'set SOC_WATCH_CONFIG_DIR to a writable directory';

/** Make `directory` (and any missing parents) with mode 0700, or say why it cannot be. */
export function prepareConfigDirectory(directory: string): void {
  const target = resolve(directory);
  const missing: string[] = [];
  let level = target;
  for (;;) {
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(level, { throwIfNoEntry: false });
    } catch (error) {
      throw new ConfigError(
        `cannot use the config directory ${target}: ${level}: ${codeOf(error)} — ${HINT}`,
      );
    }
    if (stats) {
      if (!stats.isDirectory()) {
        throw new ConfigError(
          `cannot use the config directory ${target}: ${level} exists and is not a directory — ${HINT}`,
        );
      }
      break;
    }
    missing.unshift(level);
    const parent = dirname(level);
    if (parent === level) break;
    level = parent;
  }
  for (const path of missing) {
    try {
      mkdirSync(path, { mode: 0o700 });
      // The umask may have taken bits away (or, at 0400, the owner's own read bit).
      chmodSync(path, 0o700);
    } catch (error) {
      const code = codeOf(error);
      if (code === 'EEXIST' && statSync(path, { throwIfNoEntry: false })?.isDirectory()) continue;
      const why =
        code === 'ENOENT'
          ? `${dirname(path)} does not take new directories (mkdir answered ENOENT: a kernel file system?)`
          : `mkdir ${path}: ${code}`;
      throw new ConfigError(`cannot create the config directory ${target}: ${why} — ${HINT}`);
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** The config file, when present, must hold one JSON object (conf takes `[]` and `null` silently). */
export function readConfigFileShape(directory: string): void {
  const path = join(resolve(directory), CONFIG_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOENT') return;
    throw new ConfigError(`cannot read the config file ${path}: ${code}`);
  }
  if (text.trim() === '') return;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `the config file ${path} is not valid JSON (${(error as Error).message}) — fix it or remove it`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(
      `the config file ${path} holds ${describe(value)} where an object ({ "key": value, … }) is expected — fix it or remove it`,
    );
  }
}

// What every command receives from the CLI shell (source/cli.tsx), and what the console a
// command opens runs with. Commands return an exit code instead of calling process.exit, so
// they are testable and cleanup always runs. Its home is this floor (below the commands and
// the console) so the console need not import from the commands room.
import type { Config, Secrets } from './types.js';

export interface ConfigPersistence {
  /**
   * Validate and write one config key (dot path, e.g. `thresholds.ssh`, `window`) to the
   * config file. Throws an Error whose message names the key, the value and what is allowed.
   */
  set(key: string, value: unknown): void;
}

export interface CommandContext {
  config: Config;
  secrets: Secrets;
  /** Positional arguments after the command name. */
  input: string[];
  /** Parsed flags of this command (camelCase, as meow gives them). */
  flags: Record<string, unknown>;
  /** Warnings from loading the config (e.g. --insecure), already printed to stderr once. */
  warnings: string[];
  persist: ConfigPersistence;
  /** The config file's directory: state that outlives a run (the console's mutes) goes there. */
  configDirectory?: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Aborted on SIGINT/SIGTERM/SIGHUP: long-running commands stop and clean up. */
  signal: AbortSignal;
}

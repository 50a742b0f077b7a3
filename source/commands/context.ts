// What every command receives (CommandContext: config/command-context.ts) and returns: an exit
// code instead of calling process.exit, so commands are testable and cleanup always runs.
import type { CommandContext } from '../config/command-context.js';

export type { CommandContext, ConfigPersistence } from '../config/command-context.js';

export type Command = (context: CommandContext) => Promise<number>;

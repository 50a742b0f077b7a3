// `soc-watch` (no command): the live console. The command only checks that it has a
// terminal at both ends; the session itself lives in source/console/session.tsx.
import { runSession } from '../console/session.js';
import type { Command } from './context.js';

export const NOT_A_TTY =
  'soc-watch: the live console needs an interactive terminal (stdin and stdout must be a TTY).\n' +
  'For a one-shot report use `soc-watch once`, or `soc-watch once --json` for scripts.\n';

export const consoleCommand: Command = async (ctx) => {
  // Ink would throw "Raw mode is not supported" on a pipe; say what to do instead.
  if (!ctx.stdin.isTTY || !ctx.stdout.isTTY) {
    ctx.stderr.write(NOT_A_TTY);
    return 2;
  }
  return runSession(ctx);
};

// `soc-watch` (no command): the live console. The command only checks that it has a
// terminal at both ends; the session itself lives in source/console/session.tsx.
// `--at TIME` opens it "as of" a past time, `--replay T1..T2` plays a past period (not live;
// source/console/travel.ts); their times read like `once --at` (source/core/time-spec.ts).
import { runSession } from '../console/session.js';
import { PLAYER_STEPS, playerStepMs, type TravelSpec } from '../console/travel.js';
import { sanitizeAndTruncate } from '../core/sanitize.js';
import { parseTimeSpec, TIME_SPEC_HELP } from '../core/time-spec.js';
import type { Command } from './context.js';

export const NOT_A_TTY =
  'soc-watch: the live console needs an interactive terminal (stdin and stdout must be a TTY).\n' +
  'For a one-shot report use `soc-watch once`, or `soc-watch once --json` for scripts.\n';

/** The console's time travel from its flags: a spec, an error line, or null (live). */
export function travelFromFlags(
  flags: Record<string, unknown>,
  now: number,
  refreshMs: number,
): TravelSpec | string | null {
  const { at, replay } = flags;
  if (typeof at === 'string' && typeof replay === 'string') return '--at and --replay: one or the other';
  if (typeof at === 'string') {
    const time = parseTimeSpec(at, now);
    if (time === undefined) return `--at ${sanitizeAndTruncate(at, 60)}: ${TIME_SPEC_HELP}`;
    if (time > now) return `--at ${sanitizeAndTruncate(at, 60)}: that is in the future`;
    return { kind: 'as-of', at: time };
  }
  if (typeof replay === 'string') {
    const parts = replay.split('..');
    if (parts.length !== 2)
      return `--replay ${sanitizeAndTruncate(replay, 80)}: expected FROM..TO, e.g. --replay "yesterday 02:00..yesterday 04:00"`;
    const [from, to] = parts.map((part) => parseTimeSpec(part, now));
    if (from === undefined || to === undefined)
      return `--replay ${sanitizeAndTruncate(replay, 80)}: each end is ${TIME_SPEC_HELP}`;
    if (to <= from) return `--replay ${sanitizeAndTruncate(replay, 80)}: the end must be after the start`;
    if (to > now) return `--replay ${sanitizeAndTruncate(replay, 80)}: the end is in the future`;
    // Refuse what would be a typo (a month of replay), not what is merely long.
    if (playerStepMs(from, to, refreshMs) > 3_600_000)
      return `--replay: at most ${PLAYER_STEPS} hours (the console shows at most ${PLAYER_STEPS} steps)`;
    return { kind: 'replay', from, to };
  }
  return null;
}

export const consoleCommand: Command = async (ctx) => {
  const travel = travelFromFlags(ctx.flags, Date.now(), ctx.config.refreshMs);
  if (typeof travel === 'string') {
    ctx.stderr.write(`soc-watch: ${travel}\n`);
    return 2;
  }
  // Ink would throw "Raw mode is not supported" on a pipe; say what to do instead.
  if (!ctx.stdin.isTTY || !ctx.stdout.isTTY) {
    ctx.stderr.write(NOT_A_TTY);
    return 2;
  }
  return runSession(ctx, travel ?? undefined);
};

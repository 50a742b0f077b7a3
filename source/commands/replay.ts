// `soc-watch replay --from T1 --to T2 [--step 30s] [--window 15m] [--json]`: the live detector
// run poll by poll over a past period (source/replay/engine.ts, stepping the incremental
// snapshots of source/replay/incremental.ts), printing the alert timeline:
// one row per alert episode (opened, last grew, quiet, closed, peaks), or with --json one
// NDJSON event per change. Deterministic: the same data gives the same output on every run
// (nothing in it comes from the wall clock).
// Exit codes: 0 printed; 1 the cluster failed; 2 a bad flag value.
import { createClusterClient } from '../cluster/client.js';
import { type ClusterClient, ClusterError } from '../cluster/types.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { safeJson } from '../core/json.js';
import { sanitize, sanitizeAndTruncate } from '../core/sanitize.js';
import { parseTimeSpec, TIME_SPEC_HELP } from '../core/time-spec.js';
import { detectionSettings } from '../detect/settings.js';
import { runSteppedReplay } from '../replay/engine.js';
import { incrementalStepper } from '../replay/incremental.js';
import { detectionWindows, replaySteps } from '../replay/steps.js';
import { formatEpisodesTable } from '../replay/tables.js';
import { episodes, type TimelineEvent } from '../replay/timeline.js';
import type { Command } from './context.js';

export const DEFAULT_STEP = '30s';
/** 30 days at 30 s: more is a typo, not a question. */
export const MAX_STEPS = 86_400;

function eventJson(event: TimelineEvent): string {
  return safeJson({ ...event, at: new Date(event.at).toISOString() });
}

export const replayCommand: Command = async (context) => {
  const { config, secrets, flags, stdout, stderr, signal } = context;
  const now = Date.now();
  const bad = (message: string) => {
    stderr.write(`soc-watch: ${message}\n`);
    return 2;
  };
  const time = (name: 'from' | 'to'): number | string => {
    const value = flags[name];
    if (typeof value !== 'string') return `replay needs --${name} (${TIME_SPEC_HELP})`;
    const parsed = parseTimeSpec(value, now);
    return parsed === undefined ? `--${name} ${sanitizeAndTruncate(value, 60)}: ${TIME_SPEC_HELP}` : parsed;
  };
  const from = time('from');
  if (typeof from === 'string') return bad(from);
  const to = time('to');
  if (typeof to === 'string') return bad(to);
  if (to <= from) return bad('--to must be after --from');
  const stepText = typeof flags.step === 'string' ? flags.step : DEFAULT_STEP;
  const stepMs = parseDuration(stepText);
  if (stepMs === undefined || stepMs < 1000)
    return bad(`--step ${sanitizeAndTruncate(stepText, 30)}: expected a duration of at least 1s, e.g. 30s`);
  const windows = detectionWindows(config);
  const steps = replaySteps(from, to, stepMs, windows);
  if (steps.length > MAX_STEPS)
    return bad(
      `${steps.length} steps of ${formatDuration(stepMs)}: at most ${MAX_STEPS}; use a longer --step`,
    );

  let client: ClusterClient | undefined;
  try {
    client = await createClusterClient(config, secrets, { signal });
    const cluster = client;
    const result = await runSteppedReplay({
      steps,
      windows,
      settings: detectionSettings(config),
      lane: (laneSteps) => incrementalStepper(cluster, config, windows, laneSteps).answer,
      signal,
      ...(flags.json === true
        ? {
            onStep: (_step, _state, events) => {
              for (const event of events) stdout.write(`${eventJson(event)}\n`);
            },
          }
        : {}),
    });
    // No indices or failed shards must not pass for "no attacks".
    for (const warning of result.warnings)
      stderr.write(
        `soc-watch: warning: ${sanitize(warning.text)} (${warning.steps} of ${result.steps} steps)\n`,
      );
    if (flags.json !== true) {
      stdout.write(
        formatEpisodesTable(
          episodes(result.events, result.state),
          { from, to, stepMs, windowMs: windows.windowMs, steps: result.steps, warnings: result.warnings },
          { ascii: config.ascii },
        ),
      );
    }
    return 0;
  } catch (error) {
    if (!(error instanceof ClusterError)) throw error;
    stderr.write(`soc-watch: ${error.message}\n`);
    return 1;
  } finally {
    await client?.close().catch(() => undefined);
  }
};

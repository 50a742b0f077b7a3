// `soc-watch ingest FILE… | -`: parse sshd / journald / Windows logon logs into ECS and index
// them with deterministic ids (a second run over the same file adds nothing). The shell around
// the pure parser (source/ingest/parser.ts) and the bulk sender (source/ingest/bulk.ts):
// opening inputs, the progress line, the summary, the exit code (1 when the cluster rejected
// anything, an input could not be read, or the cluster failed after the retries; 130 when
// interrupted — both print what was done so far; 2 for usage errors).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createClusterClient } from '../cluster/client.js';
import { toClusterError } from '../cluster/errors.js';
import { type ClusterClient, ClusterError } from '../cluster/types.js';
import { sanitize } from '../core/sanitize.js';
import {
  type BulkCounts,
  type BulkOptions,
  type BulkOutcome,
  type BulkRun,
  bulkClientConfig,
  startBulk,
} from '../ingest/bulk.js';
import type { IngestItem } from '../ingest/doc-id.js';
import { readInput } from '../ingest/input.js';
import { mappingProblems, mappingRefusal } from '../ingest/mapping-check.js';
import { addStats, LogParser, type ParseIssue, type ParseStats } from '../ingest/parser.js';
import { formatProgress, formatSummary, safeJsonLine } from '../ingest/report.js';
import { ensureAuthTemplate, existingMappings } from '../ingest/template.js';
import type { Command, CommandContext } from './context.js';
import { type IngestOptions, ingestOptions } from './ingest-options.js';

interface Totals {
  stats: ParseStats;
  issues: ParseIssue[];
  inputErrors: string[];
  inputNotes: string[];
  notes: Map<string, number>;
}

const INPUT_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory; name the files in it (e.g. DIR/auth.log*)',
  EACCES: 'permission denied; run as a user that can read it (e.g. in the adm or systemd-journal group)',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links',
  ENOTDIR: 'a part of the path is not a directory',
};

function inputError(input: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) return `${input}: ${(error as Error).message}`;
  return `${input}: ${code}${INPUT_ERRORS[code] ? ` (${INPUT_ERRORS[code]})` : ''}`;
}

/**
 * Look at every file before connecting: a missing file or a directory is named as such (not
 * as whatever the cluster says about an index that was never created), an empty file is noted.
 * Returns the inputs worth reading.
 */
async function checkInputs(inputs: readonly string[], totals: Totals): Promise<string[]> {
  const readable: string[] = [];
  for (const input of inputs) {
    if (input === '-') {
      readable.push(input);
      continue;
    }
    try {
      const info = await stat(input);
      if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      if (info.isFile() && info.size === 0) {
        totals.inputNotes.push(`${input}: empty file (0 bytes), nothing to index`);
        continue;
      }
      readable.push(input);
    } catch (error) {
      totals.inputErrors.push(inputError(input, error));
    }
  }
  return readable;
}

const MAX_ISSUES = 1000;

/** Parse every input in turn, yielding documents as they are produced. */
async function* documents(
  inputs: readonly string[],
  options: IngestOptions,
  context: Pick<CommandContext, 'stdin' | 'signal'>,
  totals: Totals,
  live: { parser: LogParser | undefined },
  now: () => number,
): AsyncGenerator<IngestItem> {
  for (const input of inputs) {
    if (context.signal.aborted) return;
    let stream: AsyncIterable<Buffer | string>;
    let reference = now();
    if (input === '-') {
      stream = context.stdin as AsyncIterable<Buffer | string>;
    } else {
      try {
        const info = await stat(input);
        if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
        reference = info.mtimeMs;
        stream = createReadStream(input);
      } catch (error) {
        totals.inputErrors.push(inputError(input, error));
        continue;
      }
    }
    const parser = new LogParser({
      format: options.format,
      file: input,
      now: now(),
      reference,
      ...(options.year !== undefined ? { year: options.year } : {}),
      zone: options.zone,
      maxIssues: Math.max(0, MAX_ISSUES - totals.issues.length),
    });
    live.parser = parser;
    const out: IngestItem[] = [];
    // Stop waiting on a quiet pipe (`tail -f … | soc-watch ingest -`) when interrupted.
    const destroy = () => (stream as { destroy?: () => void }).destroy?.();
    context.signal.addEventListener('abort', destroy, { once: true });
    try {
      for await (const chunk of readInput(stream)) {
        if (chunk.kind === 'lines') {
          chunk.lines.forEach((line, i) => {
            parser.push(line, chunk.firstLineNumber + i, out);
          });
        } else {
          chunk.records.forEach((record, i) => {
            parser.pushRecord(record, i + 1, out);
          });
        }
        for (const item of out) yield item;
        out.length = 0;
        if (context.signal.aborted) break;
      }
    } catch (error) {
      if (!context.signal.aborted)
        totals.inputErrors.push(inputError(input === '-' ? 'stdin' : input, error));
    } finally {
      context.signal.removeEventListener('abort', destroy);
    }
    parser.finish(out);
    for (const item of out) yield item;
    totals.stats = addStats(totals.stats, parser.stats);
    totals.issues.push(...parser.issues);
    for (const [note, count] of parser.notes) totals.notes.set(note, (totals.notes.get(note) ?? 0) + count);
    live.parser = undefined;
  }
}

function currentStats(totals: Totals, live: { parser: LogParser | undefined }): ParseStats {
  return live.parser ? addStats(totals.stats, live.parser.stats) : totals.stats;
}

/** A single status line on a terminal, redrawn in place; nothing when not a terminal. */
function progressLine(stream: NodeJS.WritableStream & { isTTY?: boolean }) {
  let shown = false;
  return {
    show(text: string) {
      if (!stream.isTTY) return;
      stream.write(`\r\u001b[2K${text}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\u001b[2K');
      shown = false;
    },
  };
}

export interface IngestDependencies {
  now?: () => number;
  /** The cluster client (tests pass one; default: from the config). */
  connect?: (context: CommandContext) => Promise<ClusterClient>;
  /** Bulk settings (tests shorten the timeout and the backoff). */
  bulk?: Pick<BulkOptions, 'requestTimeoutMs' | 'maxRetries' | 'backoffMs' | 'maxBackoffMs' | 'flushBytes'>;
}

export function createIngestCommand(dependencies: IngestDependencies = {}): Command {
  const now = dependencies.now ?? Date.now;
  return async (context) => {
    const { flags } = context;
    if (flags.follow === true || flags.status === true || flags.cursorFile !== undefined) {
      const { createIngestFollowCommand } = await import('./ingest-follow.js');
      return createIngestFollowCommand(dependencies)(context);
    }
    const options = ingestOptions(context);
    if (typeof options === 'string') {
      context.stderr.write(`soc-watch ingest: ${options}\n`);
      return 2;
    }
    const totals: Totals = {
      stats: { lines: 0, events: 0, merged: 0, skipped: 0, unparsed: 0 },
      issues: [],
      inputErrors: [],
      inputNotes: [],
      notes: new Map(),
    };
    const live: { parser: LogParser | undefined } = { parser: undefined };
    const readable = await checkInputs(options.inputs, totals);
    // The clock for lines/s starts when reading starts: connecting and installing the template
    // (a second or more on a fresh cluster) are not reading speed.
    let started = now();
    const stderr = context.stderr as NodeJS.WritableStream & { isTTY?: boolean };
    const progress = progressLine(stderr);
    let run: BulkRun | undefined;
    const counts = (): BulkCounts | undefined => run?.counts;
    const summarize = (
      outcome: BulkCounts | undefined,
      rejections: BulkOutcome['rejections'],
      unsent?: number,
    ) =>
      formatSummary({
        stats: totals.stats,
        counts: outcome,
        elapsedMs: now() - started,
        index: options.dryRun ? undefined : options.index,
        issues: totals.issues,
        rejections,
        inputErrors: totals.inputErrors,
        inputNotes: totals.inputNotes,
        skipNotes: totals.notes,
        ...(unsent !== undefined ? { unsent } : {}),
      });
    // In a dry run stdout carries the documents; the summary goes to stderr.
    const out = options.dryRun ? context.stderr : context.stdout;
    const print = (lines: string[]) => {
      for (const line of lines) out.write(`${line}\n`);
    };

    if (readable.length === 0 && totals.inputErrors.length > 0) {
      // Nothing can be read: say why, without touching the cluster.
      print(summarize(undefined, []));
      return 1;
    }

    let timer: NodeJS.Timeout | undefined;
    const startProgress = () => {
      started = now();
      timer = setInterval(() => {
        progress.show(
          formatProgress({ stats: currentStats(totals, live), counts: counts(), elapsedMs: now() - started }),
        );
      }, 250);
    };

    let outcome: BulkOutcome | undefined;
    let client: ClusterClient | undefined;
    try {
      if (options.dryRun) {
        startProgress();
        const source = documents(readable, options, context, totals, live, now);
        const output = watchReader(context.stdout);
        let written = 0;
        try {
          for await (const item of source) {
            if (output.gone()) break;
            // Respect backpressure: a large log piped into a slow reader must not pile up in memory.
            if (!context.stdout.write(`${safeJsonLine(item.doc)}\n`)) await output.drained();
            written += 1;
          }
        } finally {
          output.dispose();
        }
        if (output.gone()) {
          // `… --dry-run | head`: the reader has what it wanted. Stop reading, say so once.
          context.stderr.write(
            `soc-watch ingest: the output was closed after writing ${written.toLocaleString('en')} document(s); stopped reading (a dry run indexes nothing)\n`,
          );
          return 0;
        }
      } else {
        client = await (
          dependencies.connect ??
          ((ctx) => createClusterClient(bulkClientConfig(ctx.config), ctx.secrets, { signal: ctx.signal }))
        )(context);
        try {
          await ensureAuthTemplate(client, options.index, { signal: context.signal });
        } catch (error) {
          // An account allowed to write documents but not templates: the index (or an
          // administrator's template) decides the types. Say so, and go on.
          if (!(error instanceof ClusterError && error.kind === 'forbidden')) throw error;
          context.stderr.write(
            `soc-watch ingest: warning: cannot install the index template (${sanitize(error.message)}); the index's existing mapping applies\n`,
          );
        }
        const problems = await targetProblems(client, options.index, context.signal);
        if (problems.length > 0) {
          context.stderr.write(`soc-watch ingest: ${sanitize(mappingRefusal(options.index, problems))}\n`);
          return 1;
        }
        startProgress();
        run = startBulk(client, options.index, documents(readable, options, context, totals, live, now), {
          ...dependencies.bulk,
          signal: context.signal,
          refresh: true,
        });
        outcome = await run.done;
      }
    } catch (error) {
      clearInterval(timer);
      progress.clear();
      if (error instanceof ClusterError) {
        if (run) {
          // The cluster failed mid-run (retries spent): what was done, and what is left.
          const stats = currentStats(totals, live);
          totals.stats = stats;
          const partial = run.counts;
          print(summarize(partial, [], unsentEvents(stats, partial)));
        }
        context.stderr.write(`soc-watch ingest: ${sanitize(error.message)}\n`);
        if (run)
          context.stderr.write(
            'soc-watch ingest: stopped; run the same command again to finish (nothing is duplicated)\n',
          );
        return 1;
      }
      throw error;
    } finally {
      clearInterval(timer);
      progress.clear();
      await client?.close();
    }

    const interrupted = Boolean(outcome?.aborted || context.signal.aborted);
    if (interrupted) totals.stats = currentStats(totals, live);
    print(
      summarize(
        outcome,
        outcome?.rejections ?? [],
        interrupted && outcome ? unsentEvents(totals.stats, outcome) : undefined,
      ),
    );
    if (interrupted) {
      context.stderr.write(
        'soc-watch ingest: interrupted; documents sent so far are indexed, run again to finish (nothing is duplicated)\n',
      );
      return 130;
    }
    return (outcome?.rejected ?? 0) > 0 || totals.inputErrors.length > 0 ? 1 : 0;
  };
}

/** Events read but not answered by the cluster (created, duplicate or rejected). */
function unsentEvents(stats: ParseStats, counts: BulkCounts): number {
  return Math.max(0, stats.events - counts.created - counts.duplicates - counts.rejected);
}

/** What is wrong with the target's existing mapping (nothing when it does not exist yet). */
async function targetProblems(client: ClusterClient, index: string, signal: AbortSignal): Promise<string[]> {
  let mappings: Record<string, unknown>[];
  try {
    mappings = await existingMappings(client, index, { signal });
  } catch (error) {
    const failure = toClusterError(error, {
      cluster: client.cluster,
      action: `read the mapping of ${index}`,
    });
    // Not allowed to read the mapping (view_index_metadata): the write shows what happens.
    if (failure.kind === 'forbidden') return [];
    throw failure;
  }
  const problems = new Set<string>();
  for (const mapping of mappings) for (const problem of mappingProblems(mapping)) problems.add(problem);
  return [...problems];
}

export const ingestCommand: Command = createIngestCommand();

/**
 * Watches a dry run's stdout for its reader going away (EPIPE: `| head` exited). Without a
 * listener the write error is an uncaught exception with a stack trace.
 */
function watchReader(stream: NodeJS.WritableStream): {
  gone(): boolean;
  drained(): Promise<void>;
  dispose(): void;
} {
  let gone = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') gone = true;
    else failure = error;
    wake?.();
  };
  const onDrain = () => wake?.();
  stream.on('error', onError);
  stream.on('drain', onDrain);
  return {
    gone: () => {
      if (failure) throw failure;
      return gone;
    },
    drained: () =>
      gone || failure
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            wake = () => {
              wake = undefined;
              resolve();
            };
          }),
    // The error listener stays: a write still in flight can fail after the loop ends.
    dispose: () => {
      stream.off('drain', onDrain);
    },
  };
}

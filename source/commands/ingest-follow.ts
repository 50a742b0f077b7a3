// `soc-watch ingest --follow FILE…` and `… | soc-watch ingest - --cursor-file F`: the live feed.
// The shell around source/ingest/follow/: where the checkpoint lives (beside the config), waiting
// for a cluster that is not there yet, the status line and status file, unparsed lines reported
// with file:line as they come, and `--status` for another terminal. Stopped by a signal it
// finishes the batches in flight, writes its checkpoint and exits 0 (a service being stopped is
// not a failure); it exits 1 when it cannot go on (unreadable file, unwritable state).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { backoffDelay } from '../cluster/backoff.js';
import { createClusterClient } from '../cluster/client.js';
import { type ClusterClient, ClusterError } from '../cluster/types.js';
import { sanitize } from '../core/sanitize.js';
import { bulkClientConfig } from '../ingest/bulk.js';
import { readOptionalFile, writeFileAtomic } from '../ingest/follow/atomic-file.js';
import {
  checkpointName,
  type FollowCheckpoint,
  type PathState,
  parseCheckpoint,
} from '../ingest/follow/checkpoint.js';
import { Follower, type FollowInput, type FollowMarks } from '../ingest/follow/follower.js';
import {
  formatStatusFile,
  formatStatusLine,
  parseStatusFile,
  type StatusFile,
} from '../ingest/follow/status.js';
import { type StreamMark, StreamSource } from '../ingest/follow/stream-source.js';
import { PathTailer } from '../ingest/follow/tailer.js';
import { LogParser, type ParserCheckpoint } from '../ingest/parser.js';
import { formatIssue, formatRejection } from '../ingest/report.js';
import { ensureAuthTemplate } from '../ingest/template.js';
import type { Command, CommandContext } from './context.js';
import { type IngestOptions, ingestOptions } from './ingest-options.js';

export interface FollowDependencies {
  now?: () => number;
  connect?: (context: CommandContext) => Promise<ClusterClient>;
  /** Poll interval for files (ms). */
  pollMs?: number;
  /** How long a rotated file must stay quiet before it is closed (ms). */
  drainIdleMs?: number;
}

const say = (context: CommandContext, line: string) => context.stderr.write(`soc-watch ingest: ${line}\n`);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `--status`: print the status of this follower (FILE… given) or of every follower. */
async function showStatus(context: CommandContext, options: IngestOptions | undefined, now: number) {
  const directory = context.configDirectory;
  if (!directory) {
    say(context, '--status needs the config directory (where followers keep their state)');
    return 2;
  }
  let names: string[];
  try {
    names = (await readdir(directory)).filter((name) => /^ingest-follow-.*\.status\.json$/.test(name));
  } catch {
    names = [];
  }
  if (options) {
    const wanted = checkpointName(options.index, options.inputs).replace(/\.json$/, '.status.json');
    names = names.filter((name) => name === wanted);
  }
  if (names.length === 0) {
    context.stdout.write(
      'no follower status found (is `soc-watch ingest --follow` running with this config?)\n',
    );
    return 1;
  }
  for (const name of names.sort()) {
    const file = parseStatusFile((await readOptionalFile(join(directory, name))) ?? '');
    if (!file) continue;
    for (const line of formatStatusFile(file, now, isAlive(file.pid))) context.stdout.write(`${line}\n`);
  }
  return 0;
}

function parserFor(options: IngestOptions, file: string, now: number, restore?: unknown): LogParser {
  const state = restore as ParserCheckpoint | undefined;
  return new LogParser({
    ...(state?.version === 1 ? { restore: state } : {}),
    format: options.format,
    file,
    now,
    reference: now,
    ...(options.year !== undefined ? { year: options.year } : {}),
    zone: options.zone,
    maxIssues: 1000,
  });
}

/** Connect and install the template, waiting (with backoff) while the cluster is away. */
async function connect(
  context: CommandContext,
  options: IngestOptions,
  dependencies: FollowDependencies,
): Promise<ClusterClient | undefined> {
  for (let attempt = 1; !context.signal.aborted; attempt += 1) {
    let client: ClusterClient | undefined;
    try {
      client = await (
        dependencies.connect ??
        ((ctx) => createClusterClient(bulkClientConfig(ctx.config), ctx.secrets, { signal: ctx.signal }))
      )(context);
      try {
        await ensureAuthTemplate(client, options.index, { signal: context.signal });
      } catch (error) {
        if (!(error instanceof ClusterError && error.kind === 'forbidden')) throw error;
        say(
          context,
          `warning: cannot install the index template (${sanitize(error.message)}); the index's existing mapping applies`,
        );
      }
      return client;
    } catch (error) {
      await client?.close();
      if (context.signal.aborted) return undefined;
      const message = error instanceof Error ? error.message : String(error);
      const delay = backoffDelay(attempt, { baseMs: 1000, maxMs: 30_000 });
      say(context, `cluster not ready (${sanitize(message)}); retrying in ${(delay / 1000).toFixed(1)} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        context.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
  return undefined;
}

export function createIngestFollowCommand(dependencies: FollowDependencies = {}): Command {
  const now = dependencies.now ?? Date.now;
  return async (context) => {
    const { flags } = context;
    const parsed = context.input.length === 0 && flags.status === true ? undefined : ingestOptions(context);
    if (typeof parsed === 'string') {
      say(context, parsed);
      return 2;
    }
    if (flags.status === true) return showStatus(context, parsed, now());
    const options = parsed as IngestOptions;
    const cursorFile = typeof flags.cursorFile === 'string' ? flags.cursorFile : undefined;
    const files = options.inputs.filter((input) => input !== '-');
    if (options.dryRun) {
      say(context, '--follow and --cursor-file index as they read; they cannot be combined with --dry-run');
      return 2;
    }
    if (cursorFile !== undefined && !options.inputs.includes('-')) {
      say(
        context,
        '--cursor-file is for journald read from stdin (journalctl -f -o json | soc-watch ingest - --cursor-file FILE)',
      );
      return 2;
    }
    const directory = context.configDirectory;
    if (files.length > 0 && !directory) {
      say(context, '--follow needs the config directory to keep its checkpoint');
      return 2;
    }
    const checkpointPath = directory ? join(directory, checkpointName(options.index, files)) : undefined;
    const statusPath = checkpointPath?.replace(/\.json$/, '.status.json');

    // Restore positions.
    let restored: FollowCheckpoint | undefined;
    if (checkpointPath && files.length > 0) {
      const text = await readOptionalFile(checkpointPath);
      if (text !== undefined) {
        const checkpoint = parseCheckpoint(text);
        if (typeof checkpoint === 'string') {
          say(
            context,
            `the checkpoint ${checkpointPath} is unusable (${checkpoint}); move it away to start over (re-reading is safe: nothing is indexed twice)`,
          );
          return 1;
        }
        restored = checkpoint;
      }
    }
    let savedCursor: string | undefined;
    if (cursorFile !== undefined) savedCursor = (await readOptionalFile(cursorFile))?.trim() || undefined;

    // The launcher's --optimize-for-size keeps the console small (bin/soc-watch.js) but more than
    // doubles a follower's CPU a line (parse, serialise, checkpoint of 100,000 sshd lines: 70 µs a
    // line with it, 35 µs without; V8 reads this flag as it goes, so turning it off here works).
    // A follower's memory is bounded by its batches, not by polls.
    setFlagsFromString('--no-optimize-for-size');
    const started = now();
    const inputs: FollowInput[] = [];
    const tailers: PathTailer[] = [];
    for (const input of options.inputs) {
      if (input === '-') {
        const source = new StreamSource(context.stdin as AsyncIterable<Buffer | string>, {
          ...(savedCursor !== undefined ? { cursor: savedCursor } : {}),
        });
        inputs.push({ source, parser: parserFor(options, '-', started) });
        continue;
      }
      const tailer = new PathTailer(input, {
        ...(dependencies.drainIdleMs !== undefined ? { drainIdleMs: dependencies.drainIdleMs } : {}),
        now,
      });
      const state = restored?.paths.find((path) => path.path === input);
      if (state) await tailer.restore(state);
      tailers.push(tailer);
      inputs.push({ source: tailer, parser: parserFor(options, input, started, state?.parser) });
    }

    const save = async (marks: FollowMarks) => {
      if (checkpointPath && files.length > 0) {
        const paths: PathState[] = [];
        inputs.forEach((input, i) => {
          if (!(input.source instanceof PathTailer)) return;
          const mark = marks.sources[i] as PathState;
          paths.push(marks.parsers[i] === undefined ? mark : { ...mark, parser: marks.parsers[i] });
        });
        const checkpoint: FollowCheckpoint = {
          version: 1,
          index: options.index,
          savedAt: new Date(now()).toISOString(),
          paths,
        };
        await writeFileAtomic(checkpointPath, `${JSON.stringify(checkpoint)}\n`);
      }
      if (cursorFile !== undefined) {
        const stream = inputs.findIndex((input) => input.source instanceof StreamSource);
        const cursor = (marks.sources[stream] as StreamMark | undefined)?.cursor;
        if (cursor !== undefined) await writeFileAtomic(cursorFile, `${cursor}\n`);
      }
    };

    // Record the followed files (device, inode, first bytes) before any network I/O: a kill
    // while the cluster is slow to answer must not forget a file that is rotated meanwhile.
    if (checkpointPath && files.length > 0) {
      for (const tailer of tailers) await tailer.poll();
      await save({
        sources: inputs.map(({ source }) => source.mark()),
        parsers: inputs.map(({ parser }) => parser.checkpoint()),
      });
    }

    const client = await connect(context, options, dependencies);
    if (!client) {
      for (const { source } of inputs) await source.close();
      return 0;
    }

    const follower = new Follower({
      client,
      index: options.index,
      inputs,
      save,
      snapshotParser: (parser) => parser.checkpoint(),
      signal: context.signal,
      ...(dependencies.pollMs !== undefined ? { pollMs: dependencies.pollMs } : {}),
      requestTimeoutMs: bulkClientConfig(context.config).requestTimeoutMs,
      now,
    });

    const stderr = context.stderr as NodeJS.WritableStream & { isTTY?: boolean };
    let shown = false;
    let reportedRejections = 0;
    const report = async () => {
      for (const tailer of tailers)
        for (const notice of tailer.notices.splice(0)) {
          if (shown) stderr.write('\r\u001b[2K');
          say(context, sanitize(notice));
        }
      // Reported as they come, then forgotten: a follower runs for months.
      for (const { parser } of inputs) {
        for (const issue of parser.issues.splice(0)) say(context, `unparsed: ${formatIssue(issue)}`);
      }
      for (const rejection of follower.rejections.slice(reportedRejections))
        say(context, `rejected: ${formatRejection(rejection)}`);
      reportedRejections = follower.rejections.length;
      await follower.measure();
      if (stderr.isTTY) {
        stderr.write(`\r\u001b[2K${formatStatusLine(follower.status, now())}`);
        shown = true;
      }
      if (statusPath) {
        const file: StatusFile = {
          version: 1,
          pid: process.pid,
          index: options.index,
          inputs: options.inputs,
          updatedAt: now(),
          status: follower.status,
        };
        await writeFileAtomic(statusPath, `${JSON.stringify(file)}\n`).catch(() => {});
      }
    };
    let reporting = Promise.resolve();
    const timer = setInterval(() => {
      reporting = reporting.then(report, () => {});
    }, 1000);

    let code = 0;
    try {
      await follower.run();
    } catch (error) {
      say(context, `stopped: ${sanitize(error instanceof Error ? error.message : String(error))}`);
      code = 1;
    } finally {
      clearInterval(timer);
      await reporting.catch(() => {});
      await report().catch(() => {});
      if (shown) stderr.write('\r\u001b[2K');
      for (const { source } of inputs) await source.close();
      await client.close();
    }
    const stream = inputs.find((input) => input.source instanceof StreamSource)?.source as
      | StreamSource
      | undefined;
    if (stream?.error) {
      say(context, `stdin: ${sanitize(stream.error.message)}`);
      code = 1;
    }
    const status = follower.status;
    context.stdout.write(
      `ingest --follow: ${status.linesIndexed.toLocaleString('en-US')} lines done · ${status.created.toLocaleString('en-US')} created · ${status.duplicates.toLocaleString('en-US')} already indexed · ${status.rejected.toLocaleString('en-US')} rejected · ${status.linesWaiting.toLocaleString('en-US')} lines left for the next run\n`,
    );
    if (status.rejected > 0) code = 1;
    return code;
  };
}

export const ingestFollowCommand: Command = createIngestFollowCommand();

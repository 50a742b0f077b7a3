// The follow loop: read what the sources have now → parse → send as one bulk of `create`s →
// once the cluster has acknowledged every document of a batch (and of all batches before it),
// checkpoint the positions just past its lines. Nothing is read while `maxInFlight` batches are
// unacknowledged, so when the cluster goes away reading pauses (the log files and the journal are
// the spool) and memory stays bounded; the head batch is retried with backoff until the cluster
// is back. A batch is everything the sources hold when a request slot is free, up to
// `batchBytes` of log: a quiet log is sent within one poll interval (100 ms), and under load the
// batches grow to the size bound by themselves (reading waits for a slot, so what piles up
// meanwhile goes out as one request instead of a queue of small ones).
// Checkpoints are written off the acknowledgement path (the newest acknowledged position wins;
// one write at a time) and no more often than 10x their own cost: a checkpoint carries the
// parser's open connections, up to ~40,000 (several MB of JSON, ~100-300 ms to snapshot,
// serialise and fsync), which once a second would take a third of the follower's time.
import { type BackoffSettings, backoffDelay } from '../../cluster/backoff.js';
import { toClusterError } from '../../cluster/errors.js';
import { BULK_REQUEST_TIMEOUT_MS, type BulkClient, type Rejection } from '../bulk.js';
import type { LogParser } from '../parser.js';
import { BulkParts, sendBulk } from './bulk-send.js';
import type { LineRun } from './tailer.js';

export interface FollowSource {
  readonly name: string;
  readonly notices: string[];
  poll(): Promise<void>;
  read(budget: number): Promise<LineRun[]>;
  /** Position after everything read so far (JSON). */
  mark(): unknown;
  bytesBehind(): Promise<number>;
  /** A stream that has ended and been read to its end. */
  readonly ended?: boolean;
  /** Resolve early when data arrives (streams). */
  wait?(ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface FollowInput {
  source: FollowSource;
  parser: LogParser;
}

/** Positions (and parser state) of every input, in input order. */
export interface FollowMarks {
  sources: unknown[];
  parsers: unknown[];
}

export interface FollowerOptions {
  client: BulkClient;
  index: string;
  inputs: FollowInput[];
  /** Persist positions of acknowledged lines (atomically). */
  save(marks: FollowMarks): Promise<void>;
  /** Parser state for the checkpoint (undefined: the parser cannot give one). */
  snapshotParser?(parser: LogParser): unknown;
  signal: AbortSignal;
  pollMs?: number;
  batchBytes?: number;
  maxInFlight?: number;
  /** At most one checkpoint per this many ms while running (and one at the end). */
  checkpointMs?: number;
  /**
   * Once caught up: failures held for a connection whose last line (event time) is older than
   * this (console clock) are emitted — sshd logs its `Failed` line within seconds of PAM's.
   */
  holdMs?: number;
  requestTimeoutMs?: number;
  backoff?: BackoffSettings;
  /** After the signal: how long in-flight batches may take before they are abandoned (resent next run). */
  stopGraceMs?: number;
  now?: () => number;
}

export interface FollowerStatus {
  state: 'following' | 'waiting-for-cluster' | 'stopping' | 'stopped';
  linesRead: number;
  /** Lines whose documents the cluster has acknowledged. */
  linesIndexed: number;
  /** Lines read but not yet acknowledged (exact). */
  linesWaiting: number;
  /** Bytes written to the followed files (or queued from the stream) not read yet. */
  bytesBehind: number;
  created: number;
  duplicates: number;
  rejected: number;
  /** Console clock (ms) when the oldest unacknowledged line was read. */
  oldestWaitingSince: number | undefined;
  /** The event time (@timestamp, from the data) of the last acknowledged document. */
  lastEventTime: string | undefined;
  lastError: string | undefined;
  /** Console clock (ms). */
  lastErrorAt: number | undefined;
  /** Console clock (ms) of the last checkpoint written. */
  checkpointAt: number | undefined;
}

interface Batch {
  /** The documents, as their bulk lines (bulk-send.ts). */
  docs: BulkParts;
  lines: number;
  readAt: number;
  marks: FollowMarks | undefined;
}

const abortable = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

export class Follower {
  readonly status: FollowerStatus = {
    state: 'following',
    linesRead: 0,
    linesIndexed: 0,
    linesWaiting: 0,
    bytesBehind: 0,
    created: 0,
    duplicates: 0,
    rejected: 0,
    oldestWaitingSince: undefined,
    lastEventTime: undefined,
    lastError: undefined,
    lastErrorAt: undefined,
    checkpointAt: undefined,
  };
  readonly rejections: Rejection[] = [];
  readonly #options: FollowerOptions;
  readonly #now: () => number;
  /** Aborts sends that outlive the stop grace period. */
  readonly #sends = new AbortController();
  #waiting: Batch[] = [];
  #chain: Promise<void> = Promise.resolve();
  #inFlight = 0;
  #slotFreed: (() => void) | undefined;
  #lastSnapshotAt = Number.NEGATIVE_INFINITY;
  /** Time (ms) the last checkpoint took: snapshot, serialise, write. */
  #checkpointCost = 0;
  /** Newest acknowledged marks not written yet. */
  #unsaved: FollowMarks | undefined;
  #saving: Promise<void> | undefined;
  #failed: unknown;
  /**
   * A batch was abandoned at stop: no later batch may checkpoint, even one the cluster answered
   * first (two bulks are in flight; the later one can finish before the grace period ends).
   */
  #abandoned = false;

  constructor(options: FollowerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Follow until the signal (or every stream input has ended); resolves when stopped cleanly. */
  async run(): Promise<void> {
    const options = this.#options;
    const { signal } = options;
    const pollMs = options.pollMs ?? 100;
    // 1 MB of syslog is ~6,000 lines: a bulk request of a few MB, well under http.max_content_length.
    const batchBytes = options.batchBytes ?? 1024 * 1024;
    const maxInFlight = options.maxInFlight ?? 2;
    // A checkpoint is not written after every batch (see the top); a crash re-sends what came
    // after the last one, answered 409.
    const checkpointMs = options.checkpointMs ?? 1000;
    const holdMs = options.holdMs ?? 30_000;
    let lastHoldCheck = this.#now();
    let grace: NodeJS.Timeout | undefined;
    const onAbort = () => {
      this.status.state = 'stopping';
      grace = setTimeout(() => this.#sends.abort(), options.stopGraceMs ?? 10_000);
      this.#wakeReader();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    try {
      // Record which files are followed before reading a line: if they are rotated before the
      // first batch is acknowledged, a restart still finds them by inode (offset 0), instead of
      // starting afresh on whatever file now has the name.
      for (const { source } of options.inputs) await source.poll();
      await this.#save(this.#marks());
      while (!signal.aborted) {
        if (this.#failed) throw this.#failed;
        while (this.#inFlight >= maxInFlight && !this.#failed && !signal.aborted) {
          await new Promise<void>((resolve) => {
            this.#slotFreed = resolve;
          });
        }
        if (signal.aborted) break;
        if (this.#failed) throw this.#failed;
        for (const { source } of options.inputs) await source.poll();
        const runs: { input: FollowInput; run: LineRun }[] = [];
        let budget = batchBytes;
        for (const input of options.inputs) {
          if (budget <= 0) break;
          for (const run of await input.source.read(budget)) {
            runs.push({ input, run });
            for (const line of run.lines) budget -= line.length + 1;
          }
        }
        if (runs.length === 0) {
          if (options.inputs.every(({ source }) => source.ended)) break;
          if (this.#now() - lastHoldCheck >= 1000) {
            lastHoldCheck = this.#now();
            const items = new BulkParts();
            for (const { parser } of options.inputs) parser.flushIdle(lastHoldCheck - holdMs, items);
            if (items.size > 0) this.#dispatch(this.#batch(items, 0, true));
          }
          const streams = options.inputs.filter(({ source }) => source.wait);
          if (streams.length === options.inputs.length)
            await Promise.race(streams.map(({ source }) => source.wait?.(pollMs)));
          else await abortable(pollMs, signal);
          continue;
        }
        this.#dispatch(this.#parse(runs, checkpointMs));
      }
      // Streams that ended: settle open connections (nothing more will complete them).
      if (!signal.aborted) {
        const items = new BulkParts();
        for (const { parser } of options.inputs) parser.finish(items);
        if (items.size > 0) this.#dispatch(this.#batch(items, 0, true));
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.status.state = 'stopping';
      grace ??= setTimeout(() => this.#sends.abort(), options.stopGraceMs ?? 10_000);
      await this.#chain.catch(() => {});
      clearTimeout(grace);
      while (this.#saving) await this.#saving;
      // Everything read was acknowledged: the positions now are exact.
      if (this.#waiting.length === 0 && !this.#failed) {
        await this.#save(this.#marks());
      }
      this.status.state = 'stopped';
    }
    if (this.#failed) throw this.#failed;
  }

  #marks(): FollowMarks {
    const { inputs, snapshotParser } = this.#options;
    return {
      sources: inputs.map(({ source }) => source.mark()),
      parsers: inputs.map(({ parser }) => snapshotParser?.(parser)),
    };
  }

  #parse(runs: { input: FollowInput; run: LineRun }[], checkpointMs: number): Batch {
    const items = new BulkParts();
    let lines = 0;
    for (const { input, run } of runs) {
      run.lines.forEach((line, i) => {
        input.parser.push(line, run.firstLine + i, items);
      });
      lines += run.lines.length;
    }
    this.status.linesRead += lines;
    const every = Math.min(Math.max(checkpointMs, 10 * this.#checkpointCost), 30_000);
    const due = this.#now() - this.#lastSnapshotAt >= every;
    return this.#batch(items, lines, due);
  }

  #batch(documents: BulkParts, lines: number, withMarks: boolean): Batch {
    const readAt = this.#now();
    if (!withMarks) return { docs: documents, lines, readAt, marks: undefined };
    const started = performance.now();
    const marks = this.#marks();
    this.#checkpointCost = performance.now() - started;
    this.#lastSnapshotAt = readAt;
    return { docs: documents, lines, readAt, marks };
  }

  #dispatch(batch: Batch): void {
    this.#waiting.push(batch);
    this.status.linesWaiting += batch.lines;
    this.status.oldestWaitingSince ??= batch.readAt;
    this.#inFlight += 1;
    const delivered = this.#deliver(batch);
    // Acknowledge in order: a checkpoint never covers a batch still in flight before it.
    this.#chain = Promise.all([this.#chain, delivered]).then(async ([, acked]) => {
      this.#inFlight -= 1;
      this.#wakeReader();
      if (!acked) this.#abandoned = true;
      if (this.#abandoned) return;
      this.#waiting.shift();
      this.status.linesWaiting -= batch.lines;
      this.status.linesIndexed += batch.lines;
      this.status.oldestWaitingSince = this.#waiting[0]?.readAt;
      if (batch.docs.lastTimestamp !== undefined) this.status.lastEventTime = batch.docs.lastTimestamp;
      if (batch.marks) this.#queueSave(batch.marks);
    });
    this.#chain.catch((error: unknown) => {
      this.#failed ??= error;
      this.#wakeReader();
    });
  }

  #wakeReader(): void {
    const wake = this.#slotFreed;
    this.#slotFreed = undefined;
    wake?.();
  }

  async #save(marks: FollowMarks): Promise<void> {
    await this.#options.save(marks);
    this.status.checkpointAt = this.#now();
  }

  /** Write the newest acknowledged marks, one write at a time; older unwritten ones are skipped. */
  #queueSave(marks: FollowMarks): void {
    this.#unsaved = marks;
    if (this.#saving) return;
    this.#unsaved = undefined;
    const started = performance.now();
    this.#saving = this.#save(marks).then(
      () => {
        this.#checkpointCost += performance.now() - started;
        this.#saving = undefined;
        if (this.#unsaved) this.#queueSave(this.#unsaved);
      },
      (error: unknown) => {
        this.#saving = undefined;
        this.#failed ??= error;
        this.#wakeReader();
      },
    );
  }

  /**
   * Send until every item is created, a duplicate, or refused for good; false if abandoned.
   * A request that times out is sent again in halves (down to 100 documents): a cluster that
   * indexes more slowly than one batch per request timeout would otherwise be sent the same
   * whole batch again and again, each time doing the work (as 409s) and never answering in time.
   */
  async #deliver(batch: Batch): Promise<boolean> {
    const options = this.#options;
    let pending = Array.from({ length: batch.docs.size }, (_, i) => i);
    let size = pending.length;
    let attempt = 0;
    while (pending.length > 0) {
      if (this.#sends.signal.aborted) return false;
      let retryReason: string | undefined;
      const part = pending.length > size ? pending.slice(0, size) : pending;
      try {
        const outcome = await sendBulk(options.client, options.index, batch.docs, part, {
          signal: this.#sends.signal,
          timeoutMs: options.requestTimeoutMs ?? BULK_REQUEST_TIMEOUT_MS,
        });
        this.status.created += outcome.created;
        this.status.duplicates += outcome.duplicates;
        this.status.rejected += outcome.rejected.length;
        for (const rejection of outcome.rejected)
          if (this.rejections.length < 100) this.rejections.push(rejection);
        pending = part === pending ? outcome.retry : [...outcome.retry, ...pending.slice(part.length)];
        retryReason = outcome.retryReason;
      } catch (error) {
        if (this.#sends.signal.aborted) return false;
        const failure = toClusterError(error, {
          cluster: options.client.cluster,
          action: `bulk index into ${options.index}`,
        });
        if (failure.kind === 'timeout') size = Math.max(100, Math.ceil(part.length / 2));
        retryReason = failure.message;
      }
      if (retryReason === undefined) {
        if (this.status.state === 'waiting-for-cluster') this.status.state = 'following';
        continue;
      }
      attempt += 1;
      this.status.lastError = retryReason;
      this.status.lastErrorAt = this.#now();
      if (this.status.state === 'following') this.status.state = 'waiting-for-cluster';
      await abortable(
        backoffDelay(attempt, options.backoff ?? { baseMs: 250, maxMs: 10_000 }),
        this.#sends.signal,
      );
    }
    if (this.status.state === 'waiting-for-cluster') this.status.state = 'following';
    return true;
  }

  /** Refresh `bytesBehind` (a stat per open file). */
  async measure(): Promise<void> {
    let behind = 0;
    for (const { source } of this.#options.inputs) behind += await source.bytesBehind();
    this.status.bytesBehind = behind;
  }
}

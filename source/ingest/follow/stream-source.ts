// A stream followed as it comes (`journalctl -f -o json | soc-watch ingest -`). Reading pauses
// while more than `maxQueuedBytes` wait to be indexed: the pipe fills and journalctl blocks, so a
// cluster that is away costs bounded memory here, and journald keeps the entries meanwhile.
// With a saved journald cursor, records at or before it (an overlap at restart) are skipped.
import { StringDecoder } from 'node:string_decoder';
import { lineCursor, notAfter } from './journal-cursor.js';
import type { LineRun } from './tailer.js';

export interface StreamMark {
  /** `__CURSOR` of the last record read (journald input), if any. */
  cursor?: string;
}

export class StreamSource {
  readonly name: string;
  readonly notices: string[] = [];
  #queue: string[] = [];
  #queuedBytes = 0;
  #line = 0;
  #ended = false;
  #error: Error | undefined;
  #cursor: string | undefined;
  #saved: string | undefined;
  #skipped = 0;
  readonly #maxQueuedBytes: number;
  #resume: (() => void) | undefined;
  #wake: (() => void) | undefined;

  constructor(
    stream: AsyncIterable<Buffer | string>,
    options: { name?: string; cursor?: string; maxQueuedBytes?: number } = {},
  ) {
    this.name = options.name ?? 'stdin';
    this.#saved = options.cursor;
    this.#cursor = options.cursor;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? 8 * 1024 * 1024;
    void this.#pump(stream);
  }

  async #pump(stream: AsyncIterable<Buffer | string>): Promise<void> {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    try {
      for await (const chunk of stream) {
        pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
        const end = pending.lastIndexOf('\n');
        if (end === -1) continue;
        const lines = pending.slice(0, end).split('\n');
        pending = pending.slice(end + 1);
        this.#enqueue(lines, end + 1);
        while (this.#queuedBytes > this.#maxQueuedBytes) {
          await new Promise<void>((resolve) => {
            this.#resume = resolve;
          });
        }
      }
      pending += decoder.end();
      if (pending !== '') this.#enqueue([pending], pending.length);
    } catch (error) {
      this.#error = error as Error;
    }
    this.#ended = true;
    this.#wake?.();
  }

  #enqueue(lines: string[], bytes: number): void {
    for (const line of lines) this.#queue.push(line);
    this.#queuedBytes += bytes;
    this.#wake?.();
  }

  /** The stream has ended and everything was read. */
  get ended(): boolean {
    return this.#ended && this.#queue.length === 0;
  }

  get error(): Error | undefined {
    return this.#error;
  }

  /** Records skipped because they were at or before the saved cursor. */
  get skipped(): number {
    return this.#skipped;
  }

  /** Resolves when lines arrive, the stream ends, or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.#queue.length > 0 || this.#ended) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  async poll(): Promise<void> {}

  async read(budget: number): Promise<LineRun[]> {
    const lines: string[] = [];
    let used = 0;
    const firstLine = this.#line + 1;
    let taken = 0;
    while (taken < this.#queue.length && used < budget) {
      const line = this.#queue[taken] as string;
      taken += 1;
      used += line.length + 1;
      const cursor = lineCursor(line);
      if (cursor !== undefined) {
        if (this.#saved !== undefined && notAfter(cursor, this.#saved)) {
          this.#skipped += 1;
          lines.push(''); // keeps line numbers; an empty line is counted as skipped
          continue;
        }
        this.#saved = undefined; // past the saved point: no more comparisons
        this.#cursor = cursor;
      }
      lines.push(line);
    }
    this.#queue = this.#queue.slice(taken);
    this.#queuedBytes = Math.max(0, this.#queuedBytes - used);
    this.#line += lines.length;
    if (this.#queuedBytes <= this.#maxQueuedBytes) {
      const resume = this.#resume;
      this.#resume = undefined;
      resume?.();
    }
    return lines.length === 0 ? [] : [{ file: this.name, lines, firstLine }];
  }

  mark(): StreamMark {
    return this.#cursor === undefined ? {} : { cursor: this.#cursor };
  }

  async bytesBehind(): Promise<number> {
    return this.#queuedBytes;
  }

  async close(): Promise<void> {
    const resume = this.#resume;
    this.#resume = undefined;
    resume?.();
  }
}

// The log parser: lines in, ECS documents with deterministic ids out. Pure and synchronous;
// one instance per input (it holds that input's sshd connection state and year inference).
// Formats are detected per line (`auto`) or fixed: syslog text, `journalctl -o json` records,
// Windows logon events as JSON. Every line ends up counted as exactly one of: turned into
// documents, merged into an attempt already counted, skipped (not an authentication event),
// or unparsed (looks like one but could not be read — reported with its line number).
import {
  attemptEventId,
  contentId,
  type DocumentSink,
  type IngestItem,
  OccurrenceCounter,
  type OccurrenceState,
  windowsEventId,
} from './doc-id.js';
import { type EcsDoc, type SshAuthInput, sshAuthDoc, sshAuthJson, windowsLogonDoc } from './ecs.js';
import { decodeJournalRecord, isJournalRecord } from './journald.js';
import {
  type AttemptRef,
  type LineOutcome,
  type SshdConnectionState,
  type SshdLine,
  SshdTracker,
} from './sshd-connections.js';
import { classifySshdMessage, looksLikeAuthAnywhere, looksLikeSshdMessage } from './sshd-message.js';
import { parseSyslogLine } from './syslog.js';
import { YearInference, type Zone } from './timestamps.js';
import { decodeWindowsRecord, isWindowsRecord } from './windows.js';

/**
 * Where documents go: an array of objects (ingest of whole files), or a sink taking them
 * already serialised (the follower: sshd documents are written as JSON text directly).
 */
export type ParserOutput = IngestItem[] | DocumentSink;

export const INPUT_FORMATS = ['auto', 'syslog', 'journald', 'windows'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export interface ParserOptions {
  format: InputFormat;
  /** Name shown in reports (`-` is shown as `stdin`). */
  file: string;
  /** The clock, epoch ms. */
  now: number;
  /** RFC 3164 year inference reference: the file's mtime (default: now). */
  reference?: number;
  /** Year of the first RFC 3164 line (--year). */
  year?: number;
  /** Zone of timestamps without an offset (default: the machine's). */
  zone?: Zone;
  /** Details kept for at most this many unparsed lines (all are counted). Default 1000. */
  maxIssues?: number;
  /** State from checkpoint() of an earlier parser of the same input (a follower's restart). */
  restore?: ParserCheckpoint;
}

/**
 * What a follower carries across a restart besides the file offset (plain JSON): the sshd
 * connections still open or incomplete, and the occurrence numbers of the current second
 * (identical lines within one second are told apart by their order).
 */
export interface ParserCheckpoint {
  version: 1;
  connections: SshdConnectionState[];
  occurrences: OccurrenceState;
}

export interface ParseIssue {
  file: string;
  /** Line number (1-based), or record number for a file holding one JSON array. */
  line: number;
  reason: string;
  /** The raw line (unsanitised: sanitize before printing). */
  text: string;
}

export interface ParseStats {
  lines: number;
  events: number;
  merged: number;
  skipped: number;
  unparsed: number;
}

const SSHD_PROGRAMS = new Set(['sshd', 'sshd-session', 'sshd-auth']);
const MAX_ISSUE_TEXT = 2000;
/** BSD syslogd (and macOS, with dashes): the host's previous message occurred N more times. */
const LAST_REPEATED = /^(?:--- )?last message repeated (\d{1,9}) times?(?: ---)?$/;
/** Hosts whose last sshd line is remembered for LAST_REPEATED (a relay's file holds many). */
const MAX_REMEMBERED_HOSTS = 10_000;

function programName(program: string): string {
  const slash = program.lastIndexOf('/');
  return slash === -1 ? program : program.slice(slash + 1);
}

export class LogParser {
  readonly stats: ParseStats = { lines: 0, events: 0, merged: 0, skipped: 0, unparsed: 0 };
  readonly issues: ParseIssue[] = [];
  /** Skips worth a line in the summary (e.g. logon event ids outside the Security log), by reason. */
  readonly notes = new Map<string, number>();
  readonly #format: InputFormat;
  readonly #file: string;
  readonly #zone: Zone;
  readonly #years: YearInference;
  readonly #maxIssues: number;
  readonly #occurrences = new OccurrenceCounter();
  readonly #tracker: SshdTracker;
  readonly #previousByHost = new Map<string, SshdLine>();
  #out: ParserOutput = [];
  /** The last event time turned into ISO 8601 (consecutive lines mostly share it). */
  #isoEpoch = Number.NaN;
  #iso = '';

  constructor(options: ParserOptions) {
    this.#format = options.format;
    this.#file = options.file === '-' ? 'stdin' : options.file;
    this.#zone = options.zone ?? 'local';
    this.#maxIssues = options.maxIssues ?? 1000;
    this.#years = new YearInference({
      zone: this.#zone,
      reference: options.reference ?? options.now,
      now: options.now,
      ...(options.year !== undefined ? { year: options.year } : {}),
    });
    this.#tracker = new SshdTracker((input, attempt) => this.#emitSsh(input, attempt));
    if (options.restore) {
      this.#tracker.restore(options.restore.connections);
      this.#occurrences.restore(options.restore.occurrences);
    }
  }

  /** Connections holding failures announced by PAM and not yet emitted (see sshd-connections.ts). */
  get incomplete(): number {
    return this.#tracker.incomplete;
  }

  /** State to resume from after the lines pushed so far (see ParserCheckpoint). */
  checkpoint(): ParserCheckpoint {
    return { version: 1, connections: this.#tracker.snapshot(), occurrences: this.#occurrences.snapshot() };
  }

  /**
   * A follower's timeout: emit the held failures of connections whose last line (event time,
   * epoch ms) is before `before`. Returns how many documents were appended to `out`.
   */
  flushIdle(before: number, out: ParserOutput): number {
    this.#out = out;
    const emitted = this.#tracker.flushIdle(before);
    return emitted;
  }

  /** Parse one line (without its line break); finished documents are appended to `out`. */
  push(line: string, lineNumber: number, out: ParserOutput): void {
    this.stats.lines += 1;
    this.#out = out;
    let text = line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const first = firstCharacter(text);
    if (first === undefined) {
      this.stats.skipped += 1;
      return;
    }
    const json = first === '{' || first === '[';
    if (this.#format === 'journald' || this.#format === 'windows' || (this.#format === 'auto' && json)) {
      this.#jsonLine(text, lineNumber);
      return;
    }
    this.#syslogLine(text, lineNumber);
  }

  /** One already-parsed JSON record (a file holding one JSON array is read whole). */
  pushRecord(record: unknown, recordNumber: number, out: ParserOutput): void {
    this.stats.lines += 1;
    this.#out = out;
    this.#record(record, recordNumber, () => JSON.stringify(record));
  }

  /** End of input: settles open sshd connections (PAM-witnessed failures sshd did not log). */
  finish(out: ParserOutput): void {
    this.#out = out;
    this.#tracker.finish();
  }

  #issue(line: number, reason: string, text: string): void {
    this.stats.unparsed += 1;
    if (this.issues.length < this.#maxIssues) {
      this.issues.push({ file: this.#file, line, reason, text: text.slice(0, MAX_ISSUE_TEXT) });
    }
  }

  #count(outcome: LineOutcome): void {
    if (outcome === 'merged') this.stats.merged += 1;
    else if (outcome === 'skipped') this.stats.skipped += 1;
  }

  #syslogLine(text: string, lineNumber: number): void {
    const record = parseSyslogLine(text, this.#years, this.#zone, looksLikeSshdMessage);
    if (!record) {
      if (looksLikeSshdMessage(text) || looksLikeAuthAnywhere(text))
        this.#issue(lineNumber, 'sshd authentication line without a syslog timestamp', text);
      else this.stats.skipped += 1;
      return;
    }
    const host = record.host ?? '';
    const lastRepeated = record.program === undefined ? LAST_REPEATED.exec(record.message) : null;
    if (lastRepeated) {
      // BSD syslogd's `last message repeated N times`: the host's previous line, N more times.
      const previous = this.#previousByHost.get(host);
      if (previous) {
        this.#repeat({ ...previous, timestamp: record.timestamp }, Number(lastRepeated[1]), lineNumber, text);
      } else this.stats.skipped += 1; // the previous line was not sshd's (or is in another file)
      return;
    }
    if (record.program !== undefined && !SSHD_PROGRAMS.has(programName(record.program))) {
      this.#rememberPrevious(host, undefined);
      this.stats.skipped += 1;
      return;
    }
    const line: SshdLine = {
      timestamp: record.timestamp,
      ...(record.host !== undefined ? { host: record.host } : {}),
      process: record.program === undefined ? 'sshd' : programName(record.program),
      ...(record.pid !== undefined ? { pid: record.pid } : {}),
      message: record.message,
    };
    this.#rememberPrevious(host, line);
    this.#sshd(line, lineNumber, text);
  }

  /** The last line per host, for `last message repeated`; bounded against hostile input. */
  #rememberPrevious(host: string, line: SshdLine | undefined): void {
    if (line === undefined) {
      this.#previousByHost.delete(host);
      return;
    }
    if (this.#previousByHost.size >= MAX_REMEMBERED_HOSTS && !this.#previousByHost.has(host))
      this.#previousByHost.clear();
    this.#previousByHost.set(host, line);
  }

  #sshd(line: SshdLine, lineNumber: number, raw: string): void {
    const message = classifySshdMessage(line.message);
    if (message.kind === 'malformed') {
      this.#issue(lineNumber, message.reason, raw);
      return;
    }
    if (message.kind !== 'repeat') {
      this.#count(this.#tracker.handle(line, message));
      return;
    }
    // rsyslog's `message repeated N times: [ msg ]`: N occurrences of msg, each its own event.
    this.#repeat({ ...line, message: message.inner }, message.count, lineNumber, raw);
  }

  /** `count` more occurrences of `line` (a repeated message), each its own event. */
  #repeat(line: SshdLine, count: number, lineNumber: number, raw: string): void {
    const inner = classifySshdMessage(line.message);
    if (inner.kind === 'malformed' || inner.kind === 'repeat') {
      if (looksLikeSshdMessage(line.message))
        this.#issue(lineNumber, 'repeated sshd line in an unknown form', raw);
      else this.stats.skipped += 1;
      return;
    }
    let outcome: LineOutcome = 'skipped';
    for (let i = 0; i < count; i += 1) {
      const result = this.#tracker.handle(line, inner);
      if (result === 'event' || (result === 'merged' && outcome === 'skipped')) outcome = result;
    }
    this.#count(outcome);
  }

  #jsonLine(text: string, lineNumber: number): void {
    // Cheap filter before JSON.parse: a record we can use names sshd or a logon event id. A
    // line that is not closed (truncated) or that reads like an authentication message is
    // parsed anyway, so a broken record is reported with its line number, not skipped.
    if (
      this.#format === 'auto' &&
      !text.includes('sshd') &&
      !text.includes('462') &&
      closedJson(text) &&
      !looksLikeAuthAnywhere(text)
    ) {
      this.stats.skipped += 1;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.#issue(lineNumber, 'invalid JSON', text);
      return;
    }
    if (Array.isArray(value)) {
      // One line holding an array (ConvertTo-Json -Compress): each element is a record.
      for (const item of value) this.#record(item, lineNumber, () => text);
      return;
    }
    this.#record(value, lineNumber, () => text);
  }

  #record(value: unknown, lineNumber: number, raw: () => string): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.#issue(lineNumber, 'JSON value is not an object', raw());
      return;
    }
    const record = value as Record<string, unknown>;
    const journal = this.#format === 'journald' || (this.#format !== 'windows' && isJournalRecord(record));
    if (journal) {
      this.#journal(record, lineNumber, raw);
      return;
    }
    if (this.#format === 'windows' || isWindowsRecord(record)) {
      this.#windows(record, lineNumber, raw);
      return;
    }
    this.stats.skipped += 1;
  }

  #journal(record: Record<string, unknown>, lineNumber: number, raw: () => string): void {
    const decoded = decodeJournalRecord(record);
    if ('error' in decoded) {
      this.#issue(lineNumber, decoded.error, raw());
      return;
    }
    if (decoded.program !== undefined && !SSHD_PROGRAMS.has(programName(decoded.program))) {
      this.stats.skipped += 1;
      return;
    }
    this.#sshd(
      {
        timestamp: decoded.timestamp,
        ...(decoded.host !== undefined ? { host: decoded.host } : {}),
        process: decoded.program === undefined ? 'sshd' : programName(decoded.program),
        ...(decoded.pid !== undefined ? { pid: decoded.pid } : {}),
        message: decoded.message,
      },
      lineNumber,
      decoded.message,
    );
  }

  #windows(record: Record<string, unknown>, lineNumber: number, raw: () => string): void {
    const decoded = decodeWindowsRecord(record, this.#zone);
    if ('skip' in decoded) {
      this.stats.skipped += 1;
      if (decoded.note !== undefined && (this.notes.size < 100 || this.notes.has(decoded.note)))
        this.notes.set(decoded.note, (this.notes.get(decoded.note) ?? 0) + 1);
      return;
    }
    if ('error' in decoded) {
      this.#issue(lineNumber, decoded.error, raw());
      return;
    }
    const doc = windowsLogonDoc(decoded.logon);
    const occurrence = this.#occurrences.next(doc['@timestamp'], `win\u0000${JSON.stringify(doc.winlog)}`);
    this.#push(windowsEventId(doc, occurrence), doc);
  }

  #emitSsh(input: SshAuthInput, attempt: AttemptRef | undefined): void {
    if (input.timestamp !== this.#isoEpoch) {
      this.#isoEpoch = input.timestamp;
      this.#iso = new Date(input.timestamp).toISOString();
    }
    const timestamp = this.#iso;
    let id: string;
    if (attempt) id = attemptEventId(attempt.connection, attempt.start, attempt.attempt);
    else {
      const key = `${input.host ?? ''}\u0000${input.pid ?? ''}\u0000${input.message}`;
      const occurrence = this.#occurrences.next(timestamp, key);
      // logEventId(sshAuthDoc(input)): the document carries a host only when it is not empty.
      id = contentId(input.host || undefined, timestamp, input.process, input.pid, input.message, occurrence);
    }
    this.stats.events += 1;
    const out = this.#out;
    if (Array.isArray(out)) out.push({ id, doc: sshAuthDoc(input) });
    else out.add(id, sshAuthJson(input, timestamp), timestamp);
  }

  #push(id: string, doc: EcsDoc): void {
    this.stats.events += 1;
    const out = this.#out;
    if (Array.isArray(out)) out.push({ id, doc });
    else out.add(id, JSON.stringify(doc), doc['@timestamp']);
  }
}

/** Does the line end like a JSON object or array (after trailing blanks)? */
function closedJson(text: string): boolean {
  for (let i = text.length - 1; i >= 0; i -= 1) {
    const code = text.charCodeAt(i);
    if (code === 32 || code === 9) continue;
    return code === 125 /* } */ || code === 93 /* ] */;
  }
  return false;
}

function firstCharacter(text: string): string | undefined {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code !== 32 && code !== 9 && code !== 0xfeff) return text[i];
  }
  return undefined;
}

/** Sum of several inputs' statistics. */
export function addStats(total: ParseStats, part: ParseStats): ParseStats {
  return {
    lines: total.lines + part.lines,
    events: total.events + part.events,
    merged: total.merged + part.merged,
    skipped: total.skipped + part.skipped,
    unparsed: total.unparsed + part.unparsed,
  };
}

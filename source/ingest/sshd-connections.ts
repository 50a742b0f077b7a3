// Per-connection bookkeeping for sshd, so the number of failure documents equals the number
// of real authentication attempts. A connection is one sshd process: host + pid (without a pid,
// host + source address + port). The rules:
//
//  1. `Failed <method> for …` is one attempt. `Failed none` is the client's probe for allowed
//     methods, not a guess (sshd does not count it either): ignored.
//  2. `Invalid user U from IP` (and `User U from IP not allowed because …`) is the attempt; sshd
//     then logs that same attempt's password as `Failed password for invalid user U`. The first
//     such Failed line on the connection is merged into it; further ones are further attempts.
//  3. Endings — `maximum authentication attempts exceeded`, `Disconnecting authenticating|invalid
//     user …`, `Connection closed|reset by authenticating|invalid user …`, `Disconnected from
//     authenticating|invalid user …` — are a failure only when the connection has produced no
//     failure yet (someone connected as U and gave up or was cut off: CrowdSec counts these);
//     after failures they are the end of the same attempts.
//  4. PAM is a second witness of the same attempts, not extra ones: for one password attempt
//     with UsePAM, pam_unix logs `authentication failure; … rhost=IP user=U` *before* sshd logs
//     `Failed password …`, and at the end `PAM N more authentication failures` sums up the rest.
//     sshd's own `error: PAM: Authentication failure for U from IP` is a third witness. So a
//     connection's failures are max(sshd's count, PAM module's count, sshd-PAM count): PAM lines
//     add documents only for failures sshd did not log itself (e.g. a log holding only PAM
//     lines). Those are emitted when the connection ends (its closing lines, `PAM N more`, a
//     success, or the end of the input), never before, so the order of witnesses does not matter.
//
//  5. A PAM module's failure followed by `Accepted password|keyboard-interactive` on the same
//     connection is that success's own first step (pam_unix fails, pam_ldap/pam_sss accepts):
//     the success consumes one module witness, so it is one success, not a failure plus one.
//
// Ids (15.1.2): a failure that a PAM witness may have announced is named after its connection
// and its attempt number (`AttemptRef`), never after the line it was finally read from. A file
// that ends between pam_unix's line and sshd's `Failed password` gives the attempt from the
// PAM line; the grown file gives it from the sshd line; both carry the same id, so the second
// ingest answers 409 instead of adding a second document. Connections that never saw a PAM
// line keep content ids (doc-id.ts logEventId), unchanged from earlier versions.
//
// Incremental use (`ingest --follow`): feed lines with handle() as they come; never call
// finish() at a quiet end of file. A connection whose PAM witness is still waiting for sshd's
// line is *incomplete*: `incomplete` counts them, `snapshot()` returns every connection worth
// carrying across a restart (plain JSON: write it with the file offset in the checkpoint,
// taken only after the documents emitted so far are acknowledged), `restore()` puts them
// back into a fresh tracker, and `flushIdle(before)` settles those whose last line (event
// time) is older than `before` — the follower's timeout for a connection that never completes.
// A follower uses these through LogParser: push(), `incomplete`, checkpoint() (connections plus
// the occurrence numbers of the current second), the `restore` option, flushIdle(before, out).
//
// Documents from PAM lines carry `system.auth.ssh.event: Failed` and `event.action: ssh_login`
// (the pipeline would say `authentication_failure`): they stand for an SSH password attempt and
// must count wherever SSH failures are counted.
import type { SshAuthInput } from './ecs.js';
import type { SshdMessage } from './sshd-message.js';

export interface SshdLine {
  timestamp: number;
  host?: string;
  process: string;
  pid?: number;
  /** The sshd message (for `message repeated` lines: the repeated message). */
  message: string;
}

type PamMessage = Extract<SshdMessage, { kind: 'pam' }>;

/** Which attempt of which connection a document stands for (its id derives from this). */
export interface AttemptRef {
  connection: string;
  /** Event time of the connection's first line seen (a pid is reused eventually). */
  start: number;
  /** 1-based number of the failure on the connection. */
  attempt: number;
}

export type EmitSsh = (input: SshAuthInput, attempt: AttemptRef | undefined) => void;

/** One remembered connection, as plain JSON (for a follower's checkpoint). */
export interface SshdConnectionState {
  key: string;
  start: number;
  sshd: number;
  pamModule: number;
  pamSshd: number;
  emitted: number;
  intro?: string;
  pending?: { line: SshdLine; message: PamMessage };
  closed: boolean;
  lastSeen: number;
}

interface Connection {
  key: string;
  start: number;
  sshd: number;
  pamModule: number;
  pamSshd: number;
  emitted: number;
  /** User of an Invalid / not-allowed line whose `Failed … for invalid user` is still to come. */
  intro: string | undefined;
  pending: { line: SshdLine; message: PamMessage } | undefined;
  closed: boolean;
  lastSeen: number;
}

/** What a line became: new documents, part of an attempt already counted, or nothing. */
export type LineOutcome = 'event' | 'merged' | 'skipped';

const STALE_MS = 2 * 3_600_000;
/** A closed connection is still carried in a snapshot this long: `PAM N more` follows its end. */
const CLOSED_KEPT_MS = 10 * 60_000;

export class SshdTracker {
  readonly #emit: EmitSsh;
  readonly #capacity: number;
  #current = new Map<string, Connection>();
  #previous = new Map<string, Connection>();

  constructor(emit: EmitSsh, options?: { capacity?: number }) {
    this.#emit = emit;
    this.#capacity = options?.capacity ?? 20_000;
  }

  /** Number of connections remembered (bounded by the capacity). */
  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  handle(line: SshdLine, message: SshdMessage): LineOutcome {
    switch (message.kind) {
      case 'attempt': {
        const connection = this.#connection(line, message.source, message.port, 'opens');
        if (!message.intro && message.invalidUser && connection.intro === message.user) {
          connection.intro = undefined;
          return 'merged';
        }
        connection.intro = message.intro ? message.user : undefined;
        connection.sshd += 1;
        if (this.#target(connection) <= connection.emitted) return 'merged';
        connection.emitted += 1;
        this.#emit(
          input(
            line,
            message.event,
            message.user,
            message.source,
            message.port,
            message.method,
            message.signature,
          ),
          pamSeen(connection) ? ref(connection, connection.emitted) : undefined,
        );
        return 'event';
      }
      case 'success': {
        const connection = this.#connection(line, message.source, message.port, 'opens');
        connection.intro = undefined;
        // Rule 5: pam_unix's failure logged just before this success belongs to it.
        if (PAM_METHODS.test(message.method) && connection.pamModule > 0) connection.pamModule -= 1;
        this.#flush(connection);
        this.#emit(
          input(
            line,
            'Accepted',
            message.user,
            message.source,
            message.port,
            message.method,
            message.signature,
          ),
          undefined,
        );
        return 'event';
      }
      case 'terminal': {
        const connection = this.#connection(line, message.source, message.port, 'ends');
        let outcome: LineOutcome = 'merged';
        if (connection.sshd === 0 && connection.pamModule === 0 && connection.pamSshd === 0) {
          connection.sshd = 1;
          connection.emitted += 1;
          this.#emit(
            input(
              line,
              message.invalidUser ? 'Invalid' : 'Failed',
              message.user,
              message.source,
              message.port,
            ),
            undefined,
          );
          outcome = 'event';
        }
        if (this.#flush(connection) > 0) outcome = 'event';
        connection.closed = true;
        return outcome;
      }
      case 'pam': {
        const connection = this.#connection(line, message.source, undefined, 'pam');
        if (message.witness === 'module') connection.pamModule += message.count;
        else connection.pamSshd += message.count;
        connection.pending = { line, message };
        if (!message.final) return 'merged';
        connection.closed = true;
        return this.#flush(connection) > 0 ? 'event' : 'merged';
      }
      case 'close': {
        const key = connectionKey(line, undefined, undefined);
        const connection = this.#current.get(key) ?? this.#previous.get(key);
        if (connection) {
          connection.closed = true;
          if (this.#flush(connection) > 0) return 'event';
        }
        return 'skipped';
      }
      default:
        return 'skipped';
    }
  }

  /** Connections holding failures a PAM line announced and sshd has not logged yet. */
  get incomplete(): number {
    let count = 0;
    for (const generation of [this.#previous, this.#current]) {
      for (const connection of generation.values()) if (held(connection) > 0) count += 1;
    }
    return count;
  }

  /**
   * Settle the incomplete connections whose last line is older than `before` (event time,
   * epoch ms): their held failures are emitted now. Returns the number of documents emitted.
   */
  flushIdle(before: number): number {
    let emitted = 0;
    for (const generation of [this.#previous, this.#current]) {
      for (const connection of generation.values()) {
        if (connection.lastSeen < before) emitted += this.#flush(connection);
      }
    }
    return emitted;
  }

  /**
   * The connections a restarted reader needs to go on exactly (JSON-serialisable): every open
   * one seen within the stale limit of the newest line, closed ones for a few minutes more
   * (their `PAM N more` line may still come), and every incomplete one.
   */
  snapshot(): SshdConnectionState[] {
    let newest = Number.NEGATIVE_INFINITY;
    for (const generation of [this.#previous, this.#current]) {
      for (const connection of generation.values()) newest = Math.max(newest, connection.lastSeen);
    }
    const out: SshdConnectionState[] = [];
    for (const generation of [this.#previous, this.#current]) {
      for (const c of generation.values()) {
        const age = newest - c.lastSeen;
        if (held(c) === 0 && age > (c.closed ? CLOSED_KEPT_MS : STALE_MS)) continue;
        const state: SshdConnectionState = {
          key: c.key,
          start: c.start,
          sshd: c.sshd,
          pamModule: c.pamModule,
          pamSshd: c.pamSshd,
          emitted: c.emitted,
          closed: c.closed,
          lastSeen: c.lastSeen,
        };
        if (c.intro !== undefined) state.intro = c.intro;
        if (c.pending !== undefined) state.pending = c.pending;
        out.push(state);
      }
    }
    return out;
  }

  /** Put a snapshot's connections back (into a fresh tracker, before the first line). */
  restore(states: readonly SshdConnectionState[]): void {
    for (const state of states) {
      this.#remember(state.key, {
        key: state.key,
        start: state.start,
        sshd: state.sshd,
        pamModule: state.pamModule,
        pamSshd: state.pamSshd,
        emitted: state.emitted,
        intro: state.intro,
        pending: state.pending,
        closed: state.closed,
        lastSeen: state.lastSeen,
      });
    }
  }

  /** End of input: emit what PAM witnessed beyond sshd's own lines, forget every connection. */
  finish(): void {
    for (const connection of this.#previous.values()) this.#flush(connection);
    for (const connection of this.#current.values()) this.#flush(connection);
    this.#previous = new Map();
    this.#current = new Map();
  }

  #target(connection: Connection): number {
    return Math.max(connection.sshd, connection.pamModule, connection.pamSshd);
  }

  #flush(connection: Connection): number {
    const missing = this.#target(connection) - connection.emitted;
    const pending = connection.pending;
    if (missing <= 0 || !pending) return 0;
    const { line, message } = pending;
    for (let i = 0; i < missing; i += 1) {
      connection.emitted += 1;
      this.#emit(
        input(line, message.invalidUser ? 'Invalid' : 'Failed', message.user, message.source),
        ref(connection, connection.emitted),
      );
    }
    return missing;
  }

  /**
   * The connection of a line. A pid is reused eventually: an attempt on a connection that has
   * ended, or a pre-authentication line long after the last one, starts a new connection.
   * PAM lines never do: `PAM N more authentication failures` comes when a session closes,
   * possibly hours after its login.
   */
  #connection(
    line: SshdLine,
    source: string | undefined,
    port: number | undefined,
    kind: 'opens' | 'ends' | 'pam',
  ): Connection {
    const key = connectionKey(line, source, port);
    let connection = this.#current.get(key);
    if (connection === undefined) {
      connection = this.#previous.get(key);
      if (connection !== undefined) {
        this.#previous.delete(key);
        this.#remember(key, connection);
      }
    }
    const stale = connection !== undefined && line.timestamp - connection.lastSeen > STALE_MS;
    if (connection && ((kind === 'opens' && connection.closed) || (kind !== 'pam' && stale))) {
      // The pid was reused by a new connection: settle the old one first.
      this.#flush(connection);
      connection = undefined;
    }
    if (!connection) {
      connection = {
        key,
        start: line.timestamp,
        sshd: 0,
        pamModule: 0,
        pamSshd: 0,
        emitted: 0,
        intro: undefined,
        pending: undefined,
        closed: false,
        lastSeen: line.timestamp,
      };
      this.#remember(key, connection);
    }
    connection.lastSeen = Math.max(connection.lastSeen, line.timestamp);
    return connection;
  }

  /**
   * Bounded memory in two generations: when the current one is full, the previous one is
   * settled and forgotten. A connection touched in the meantime moves to the current one, so
   * only connections idle for a whole generation are dropped. (A Map used as an LRU with
   * delete/re-insert degrades badly: V8 leaves holes that iteration has to skip.)
   */
  #remember(key: string, connection: Connection): void {
    this.#current.set(key, connection);
    if (this.#current.size < this.#capacity / 2) return;
    for (const old of this.#previous.values()) this.#flush(old);
    this.#previous = this.#current;
    this.#current = new Map();
  }
}

const PAM_METHODS = /^(?:password|keyboard-interactive)/;

function pamSeen(connection: Connection): boolean {
  return connection.pamModule > 0 || connection.pamSshd > 0 || connection.pending !== undefined;
}

/** Failures announced (by PAM) but not emitted yet. */
function held(connection: Connection): number {
  if (!connection.pending) return 0;
  return Math.max(0, Math.max(connection.pamModule, connection.pamSshd) - connection.emitted);
}

function ref(connection: Connection, attempt: number): AttemptRef {
  return { connection: connection.key, start: connection.start, attempt };
}

function connectionKey(line: SshdLine, source: string | undefined, port: number | undefined): string {
  const host = line.host ?? '';
  if (line.pid !== undefined) return `${host}\u0000${line.pid}`;
  return `${host}\u0000${source ?? ''}\u0000${port ?? ''}`;
}

/** The builder's input for one event of `line` (plain assignments: this runs for every event). */
function input(
  line: SshdLine,
  event: SshAuthInput['event'],
  user: string | undefined,
  source: string | undefined,
  port?: number,
  method?: string,
  signature?: string,
): SshAuthInput {
  const out: SshAuthInput = {
    timestamp: line.timestamp,
    process: line.process,
    message: line.message,
    event,
  };
  if (line.host !== undefined) out.host = line.host;
  if (line.pid !== undefined) out.pid = line.pid;
  if (user !== undefined) out.user = user;
  if (source !== undefined) out.source = source;
  if (port !== undefined) out.port = port;
  if (method) out.method = method;
  if (signature) out.signature = signature;
  return out;
}

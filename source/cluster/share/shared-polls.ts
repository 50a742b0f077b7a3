// Consoles of one user on one host that would send the same poll share it: one of them (the
// leader) polls the cluster and hands each snapshot to the others over a Unix socket; the
// cluster answers one console however many are open (issue 16: 10 consoles cost about one).
// The cluster's request cache alone did not get there: bench:window measured 10 consoles
// polling in step at 2.1× one console's server CPU on a static index and 7.3× with 200
// events/s arriving, though the cache computed no more for ten than for one (misses 133 vs
// 131): each search answered from the cache still costs its parsing, reduce and rendering.
//
// Who leads: the first console to bind the socket (private-dir.ts: a directory only this
// user can enter; the name stands for everything that makes two polls the same,
// poll-identity.ts). The others connect and ask. A follower whose leader goes away (quits,
// crashes, is stopped) binds the socket itself at its next poll, so no poll is lost; one that
// waits longer than a poll can take polls alone for a minute and then asks again.
//
// The leader answers a window from the poll it is running or ran for (about) the same
// moment: consoles poll on the wall clock's ticks (poller.ts nextPollDelay), so one poll
// answers them all. Its engine sees one poll at a time, in time order.
//
// Other reads every console makes at every poll are shared the same way (`read`): the
// escalation audit trail (slack/escalator.ts sync) was the other half of 10 consoles' server
// CPU once the polls were shared (10 consoles reading it every 2 s: 1.4–1.7 CPU s in 40 s
// above idle, one console 0.3–0.5; the shared polls themselves: 0.8).
//
// Wire: one JSON object a line each way. Follower → leader {id, window, now} or {id, read,
// now}; leader → follower {id, snapshot}, {id, value} or {id, error: {kind, message,
// status}}. A snapshot is plain data already escaped where shown, exactly what the leader's
// own console gets; a read's value is whatever its reader returns, as JSON.
import { chmodSync, statSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Snapshot } from '../../contracts/snapshot.js';
import type { FetchWindow } from '../fetch.js';
import { ClusterError, type ClusterErrorKind } from '../types.js';

export type ShareRole = 'alone' | 'leader' | 'follower';

export type LocalFetch = (
  window: FetchWindow,
  options: { now: number; signal: AbortSignal },
) => Promise<Snapshot>;

export interface SharedPollsOptions {
  /** The socket for polls of this main window; null: poll alone. */
  socketPath: (windowMs: number) => string | null;
  /** One window polled by this console itself. */
  local: LocalFetch;
  refreshMs: number;
  requestTimeoutMs: number;
  /** This console's part changed (leads, follows, alone): a line for the analyst. */
  onRole?: (role: ShareRole, detail: string) => void;
  now?: () => number;
}

/**
 * A read every console on this host would make the same (same cluster, account and settings:
 * the socket's name says so) at about the same moment. Its value must survive JSON.
 */
export type LocalRead<T> = (options: { now: number; signal: AbortSignal }) => Promise<T>;

export interface SharedPolls {
  fetch(windows: FetchWindow[], options: { now: number; signal: AbortSignal }): Promise<Snapshot[]>;
  /**
   * The read `name` for the moment `now`: the leader's (one for all the consoles that ask
   * about then), or this console's own `local` when it leads, is alone, or its leader has not
   * made that read yet. A follower asks the leader it follows for its polls.
   */
  read<T>(name: string, local: LocalRead<T>, options: { now: number; signal: AbortSignal }): Promise<T>;
  readonly role: ShareRole;
  close(): Promise<void>;
}

/** A request line from a follower is small; anything longer is not ours. */
const MAX_REQUEST_BYTES = 64 * 1024;
/** An answer holds a snapshot: hundreds of KB at 250 offenders a service, MBs at 10,000. */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;
/** A leader that did not answer in time: this console polls alone this long, then asks again. */
const ALONE_AFTER_SILENT_MS = 60_000;

/** A poll for `now` answers a request for `asked` up to this much later (ticks' jitter). */
export function reuseToleranceMs(refreshMs: number): number {
  return Math.min(1000, Math.floor(refreshMs / 4));
}

/** How long a follower waits for its leader: the leader's poll, bounded by its own timeouts. */
export function followerWaitMs(requestTimeoutMs: number): number {
  return 3 * requestTimeoutMs + 5_000;
}

export function windowKey(window: FetchWindow): string {
  return JSON.stringify([
    window.windowMs,
    window.endAt ?? null,
    window.includeCustomRules ?? null,
    window.includeNewest ?? null,
  ]);
}

/** The leader went away before answering: ask again (maybe as the new leader). */
class LeaderGone extends Error {}

function aborted(): ClusterError {
  return new ClusterError('aborted', 'the poll was aborted');
}

/** `promise`, or a rejection as soon as `signal` aborts (the promise runs on for others). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Calls `onLine` for each complete line; a peer whose line outgrows `max` is cut off. */
function lines(socket: Socket, max: number, onLine: (line: string) => void): void {
  // Parts of the line not yet ended: a snapshot comes in many chunks, and joining them once
  // (not rescanning a growing string at every chunk) keeps a 5 MB answer linear.
  let parts: string[] = [];
  let held = 0;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    let from = 0;
    let at = chunk.indexOf('\n');
    while (at >= 0) {
      parts.push(chunk.slice(from, at));
      const line = parts.join('');
      parts = [];
      held = 0;
      if (line.length > 0) onLine(line);
      from = at + 1;
      at = chunk.indexOf('\n', from);
    }
    if (from < chunk.length) {
      parts.push(chunk.slice(from));
      held += chunk.length - from;
      if (held > max) socket.destroy();
    }
  });
}

const KINDS: ReadonlySet<string> = new Set<ClusterErrorKind>([
  'unreachable',
  'dns',
  'timeout',
  'aborted',
  'auth',
  'forbidden',
  'not-found',
  'rate-limited',
  'unavailable',
  'tls',
  'bad-response',
  'query',
  'product',
  'unknown',
]);

function errorFields(error: unknown): { kind: ClusterErrorKind; message: string; status?: number } {
  if (error instanceof ClusterError)
    return { kind: error.kind, message: error.message, ...(error.status ? { status: error.status } : {}) };
  return { kind: 'unknown', message: error instanceof Error ? error.message : String(error) };
}

function isWindow(value: unknown): value is FetchWindow {
  if (typeof value !== 'object' || value === null) return false;
  const w = value as Record<string, unknown>;
  const optional = (v: unknown, type: string) => v === undefined || typeof v === type;
  return (
    typeof w.windowMs === 'number' &&
    Number.isFinite(w.windowMs) &&
    w.windowMs > 0 &&
    optional(w.endAt, 'number') &&
    optional(w.includeCustomRules, 'boolean') &&
    optional(w.includeNewest, 'boolean')
  );
}

interface Entry {
  /** The poll (or read) running for this key, and the moment it is for. */
  running: { now: number; result: Promise<unknown> } | null;
  last: { now: number; value: unknown } | null;
}

/** What a follower asks for: a window's snapshot, or a named read. */
type Asked = { window: FetchWindow } | { read: string };

/** The leader has not made this read itself: the follower makes it alone. */
const NOT_PROVIDED = 'not-provided';
class NotProvided extends Error {}

interface Leading {
  kind: 'leader';
  path: string;
  server: Server;
  ino: number;
  peers: Set<Socket>;
  entries: Map<string, Entry>;
  controller: AbortController;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Following {
  kind: 'follower';
  path: string;
  socket: Socket;
  pending: Map<number, Pending>;
}

type Part = Leading | Following | { kind: 'alone'; path: string | null };

export function createSharedPolls(options: SharedPollsOptions): SharedPolls {
  const now = options.now ?? Date.now;
  const tolerance = reuseToleranceMs(options.refreshMs);
  let part: Part = { kind: 'alone', path: null };
  let joining: Promise<Part> | null = null;
  let aloneUntil = 0;
  let nextId = 1;
  let closed = false;
  let reported: string | null = null;

  const report = (role: ShareRole, detail: string) => {
    const line = `${role}: ${detail}`;
    if (line === reported) return;
    reported = line;
    options.onRole?.(role, detail);
  };

  // ---------- leading ----------

  /** Each read this console has made, as the leader makes it for followers. */
  const reads = new Map<string, LocalRead<unknown>>();

  /** What `asked` names, for the moment `at`: the poll (or read) for about then, run once. */
  function serve(leading: Leading, asked: Asked, at: number): Promise<unknown> {
    if ('window' in asked) {
      const { window } = asked;
      return serveKey(leading, windowKey(window), at, (run) => options.local(window, run));
    }
    const read = reads.get(asked.read);
    if (!read) return Promise.reject(new NotProvided());
    return serveKey(leading, `read:${asked.read}`, at, read);
  }

  async function serveKey(
    leading: Leading,
    key: string,
    asked: number,
    run: LocalRead<unknown>,
  ): Promise<unknown> {
    let entry = leading.entries.get(key);
    if (!entry) {
      entry = { running: null, last: null };
      leading.entries.set(key, entry);
    }
    for (;;) {
      if (entry.last && entry.last.now >= asked - tolerance) return entry.last.value;
      const running = entry.running;
      if (running) {
        if (running.now >= asked - tolerance) return running.result;
        // An older poll still running: the engine takes one at a time, in time order.
        await running.result.catch(() => undefined);
        continue;
      }
      if (leading.controller.signal.aborted) throw aborted();
      const polled = asked;
      const result = run({ now: polled, signal: leading.controller.signal });
      const mine = { now: polled, result };
      entry.running = mine;
      const settle = () => {
        if (entry.running === mine) entry.running = null;
      };
      result.then((value) => {
        settle();
        if (!entry.last || entry.last.now <= polled) entry.last = { now: polled, value };
      }, settle);
      return result;
    }
  }

  function answerPeer(leading: Leading, socket: Socket, line: string): void {
    let request: { id?: unknown; window?: unknown; read?: unknown; now?: unknown };
    try {
      request = JSON.parse(line);
    } catch {
      socket.destroy();
      return;
    }
    const { id, window, read, now: at } = request;
    const asked: Asked | null = isWindow(window)
      ? { window }
      : typeof read === 'string' && read.length > 0 && read.length <= 200
        ? { read }
        : null;
    if (typeof id !== 'number' || !asked || typeof at !== 'number' || !Number.isFinite(at)) {
      socket.destroy();
      return;
    }
    serve(leading, asked, at).then(
      (value) => {
        if (socket.destroyed) return;
        socket.write(`${JSON.stringify('window' in asked ? { id, snapshot: value } : { id, value })}\n`);
      },
      (error) => {
        if (socket.destroyed) return;
        const fields =
          error instanceof NotProvided ? { kind: NOT_PROVIDED, message: NOT_PROVIDED } : errorFields(error);
        socket.write(`${JSON.stringify({ id, error: fields })}\n`);
      },
    );
  }

  function lead(path: string): Promise<Leading | 'in-use'> {
    return new Promise((resolve, reject) => {
      const peers = new Set<Socket>();
      const server = createServer((socket) => {
        peers.add(socket);
        socket.on('close', () => peers.delete(socket));
        socket.on('error', () => socket.destroy());
        lines(socket, MAX_REQUEST_BYTES, (line) => answerPeer(leading, socket, line));
      });
      const leading: Leading = {
        kind: 'leader',
        path,
        server,
        ino: 0,
        peers,
        entries: new Map(),
        controller: new AbortController(),
      };
      server.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') resolve('in-use');
        else reject(error);
      });
      server.listen(path, () => {
        try {
          chmodSync(path, 0o600);
          leading.ino = statSync(path).ino;
        } catch (error) {
          server.close();
          reject(error);
          return;
        }
        server.on('error', () => undefined);
        server.unref();
        resolve(leading);
      });
    });
  }

  function stopLeading(leading: Leading): void {
    leading.controller.abort();
    leading.server.close();
    for (const peer of leading.peers) peer.destroy();
    try {
      // Only our own socket: another console may have bound the name since.
      if (statSync(leading.path).ino === leading.ino) unlinkSync(leading.path);
    } catch {
      // Gone already.
    }
  }

  // ---------- following ----------

  function follow(path: string): Promise<Following | 'absent' | 'stale'> {
    return new Promise((resolve) => {
      const socket = createConnection(path);
      socket.once('error', (error: NodeJS.ErrnoException) => {
        socket.destroy();
        resolve(error.code === 'ECONNREFUSED' ? 'stale' : 'absent');
      });
      socket.once('connect', () => {
        const following: Following = { kind: 'follower', path, socket, pending: new Map() };
        socket.removeAllListeners('error');
        socket.on('error', () => socket.destroy());
        socket.on('close', () => {
          for (const pending of following.pending.values()) pending.reject(new LeaderGone());
          following.pending.clear();
          if (part === following) part = { kind: 'alone', path };
        });
        lines(socket, MAX_ANSWER_BYTES, (line) => {
          let answer: { id?: unknown; snapshot?: unknown; value?: unknown; error?: unknown };
          try {
            answer = JSON.parse(line);
          } catch {
            socket.destroy();
            return;
          }
          const pending = typeof answer.id === 'number' ? following.pending.get(answer.id) : undefined;
          if (!pending) return;
          following.pending.delete(answer.id as number);
          if (answer.snapshot !== undefined || 'value' in answer) {
            pending.resolve(answer.snapshot !== undefined ? answer.snapshot : answer.value);
            return;
          }
          const error = (answer.error ?? {}) as { kind?: unknown; message?: unknown; status?: unknown };
          if (error.kind === NOT_PROVIDED) {
            pending.reject(new NotProvided());
            return;
          }
          const kind = typeof error.kind === 'string' && KINDS.has(error.kind) ? error.kind : 'unknown';
          // The leader was told to stop (it quits): not this console's failure.
          if (kind === 'aborted') {
            pending.reject(new LeaderGone());
            return;
          }
          pending.reject(
            new ClusterError(
              kind as ClusterErrorKind,
              typeof error.message === 'string' ? error.message : 'the leading console failed to poll',
              typeof error.status === 'number' ? { status: error.status } : undefined,
            ),
          );
        });
        socket.unref();
        resolve(following);
      });
    });
  }

  function ask(following: Following, asked: Asked, at: number, signal: AbortSignal): Promise<unknown> {
    if (signal.aborted) return Promise.reject(aborted());
    const id = nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        following.pending.delete(id);
      };
      const timer = setTimeout(() => {
        done();
        reject(new LeaderSilent());
      }, followerWaitMs(options.requestTimeoutMs));
      const onAbort = () => {
        done();
        reject(aborted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      following.pending.set(id, {
        resolve: (value) => {
          done();
          resolve(value);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      following.socket.write(`${JSON.stringify({ id, ...asked, now: at })}\n`);
    });
  }

  class LeaderSilent extends Error {}

  // ---------- joining ----------

  function leave(): void {
    const current = part;
    part = { kind: 'alone', path: null };
    if (current.kind === 'leader') stopLeading(current);
    if (current.kind === 'follower') current.socket.destroy();
  }

  async function joinOnce(path: string): Promise<Part> {
    if (part.path !== path) leave();
    if (part.kind === 'leader') {
      // Still ours? A console that found the name stale may have bound it anew.
      let ours = false;
      try {
        ours = statSync(path).ino === part.ino;
      } catch {
        ours = false;
      }
      if (ours) return part;
      leave();
    }
    if (part.kind === 'follower' && !part.socket.destroyed) return part;
    if (now() < aloneUntil) return { kind: 'alone', path };
    for (let tries = 0; tries < 3; tries += 1) {
      const joined = await follow(path);
      if (typeof joined !== 'string') {
        part = joined;
        report(
          'follower',
          'another console on this host polls the cluster for this one (same cluster, account, window and settings)',
        );
        return part;
      }
      // Left over by a console that died: nobody answers on it.
      if (joined === 'stale') {
        try {
          unlinkSync(path);
        } catch {
          // Another console removed it first.
        }
      }
      const led = await lead(path);
      if (led !== 'in-use') {
        part = led;
        report(
          'leader',
          'this console polls the cluster for the other consoles on this host with the same settings',
        );
        return part;
      }
    }
    part = { kind: 'alone', path };
    report('alone', 'could not share polls with the other consoles on this host');
    return part;
  }

  function join(path: string): Promise<Part> {
    if (!joining)
      joining = joinOnce(path)
        .catch((error) => {
          part = { kind: 'alone', path };
          report('alone', `polls not shared: ${error instanceof Error ? error.message : String(error)}`);
          return part;
        })
        .finally(() => {
          joining = null;
        });
    return joining;
  }

  async function one(
    path: string,
    asked: Asked,
    at: number,
    signal: AbortSignal,
    local: () => Promise<unknown>,
  ): Promise<unknown> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      if (closed || signal.aborted) throw aborted();
      const current = await join(path);
      if (current.kind === 'leader') return untilAborted(serve(current, asked, at), signal);
      if (current.kind === 'alone') break;
      try {
        return await ask(current, asked, at, signal);
      } catch (error) {
        if (error instanceof NotProvided) break;
        if (error instanceof LeaderSilent) {
          aloneUntil = now() + ALONE_AFTER_SILENT_MS;
          if (part === current) leave();
          report('alone', 'the console that shared its polls stopped answering: polling alone for a minute');
          break;
        }
        if (!(error instanceof LeaderGone)) throw error;
        if (part === current) leave();
      }
    }
    return local();
  }

  return {
    get role() {
      return part.kind;
    },
    async fetch(windows, { now: asked, signal }) {
      const main = windows[0];
      const path = !closed && main && main.endAt === undefined ? options.socketPath(main.windowMs) : null;
      if (!path) {
        if (part.kind !== 'alone') leave();
        return Promise.all(windows.map((window) => options.local(window, { now: asked, signal })));
      }
      return Promise.all(
        windows.map(
          (window) =>
            one(path, { window }, asked, signal, () =>
              options.local(window, { now: asked, signal }),
            ) as Promise<Snapshot>,
        ),
      );
    },
    async read<T>(
      name: string,
      local: LocalRead<T>,
      { now: at, signal }: { now: number; signal: AbortSignal },
    ) {
      reads.set(name, local as LocalRead<unknown>);
      // The read goes where this console's polls go: with no poll shared yet, alone.
      const path = closed ? null : part.path;
      if (!path || part.kind === 'alone') return local({ now: at, signal });
      return (await one(path, { read: name }, at, signal, () => local({ now: at, signal }))) as T;
    },
    async close() {
      closed = true;
      await joining?.catch(() => undefined);
      leave();
    },
  };
}

// Following one log path like `tail -F`, with rotation: the file at the path is identified by
// device + inode (and a hash of its first bytes). When the path names another inode, the old
// file was renamed away: it stays open and is read to its end until it has been quiet for a
// while (the daemon may write to it until it reopens its log, e.g. rsyslog after HUP), while the
// new file is read from its start. When the file shrinks, or its first bytes change, it was
// copied and truncated (logrotate copytruncate): the copy is looked for beside it (same first
// bytes, at least as long as what was read) and its tail read first, then the file from 0.
// Offsets only ever advance past complete lines.
import type { Stats } from 'node:fs';
import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type FileMark, HEAD_BYTES, headHash, type PathState } from './checkpoint.js';
import { completeLines } from './lines.js';

export interface LineRun {
  /** Name shown in reports: the path, or the rotated file's name. */
  file: string;
  lines: string[];
  /** Line number (1-based) of the first line. */
  firstLine: number;
}

interface OpenFile {
  name: string;
  handle: FileHandle;
  dev: number;
  ino: number;
  offset: number;
  line: number;
  head: string;
  headBytes: number;
  /** Size seen at the last poll. */
  size: number;
  /** Console clock (ms) since when a rotated file has given nothing. */
  idleSince: number | undefined;
}

export interface TailerOptions {
  /** How long a rotated file must stay quiet before it is closed (ms). */
  drainIdleMs?: number;
  now?: () => number;
}

async function readHead(handle: FileHandle, size: number): Promise<{ head: string; headBytes: number }> {
  const length = Math.min(size, HEAD_BYTES);
  const buffer = Buffer.alloc(length);
  const { bytesRead } = length === 0 ? { bytesRead: 0 } : await handle.read(buffer, 0, length, 0);
  return { head: headHash(buffer.subarray(0, bytesRead)), headBytes: bytesRead };
}

async function openFile(path: string, from?: FileMark): Promise<OpenFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const info = await handle.stat();
  const { head, headBytes } = await readHead(handle, info.size);
  const file: OpenFile = {
    name: path,
    handle,
    dev: info.dev,
    ino: info.ino,
    offset: 0,
    line: 0,
    head,
    headBytes,
    size: info.size,
    idleSince: undefined,
  };
  if (from) {
    file.offset = from.offset;
    file.line = from.line;
  }
  return file;
}

function markOf(file: OpenFile): FileMark {
  return {
    dev: file.dev,
    ino: file.ino,
    offset: file.offset,
    line: file.line,
    head: file.head,
    headBytes: file.headBytes,
  };
}

/** Same file as the mark: same inode, same first bytes, long enough. */
async function matches(path: string, mark: FileMark): Promise<boolean> {
  try {
    const info = await stat(path);
    if (info.dev !== mark.dev || info.ino !== mark.ino || info.size < mark.offset) return false;
    const handle = await open(path, 'r');
    try {
      const { head, headBytes } = await readHead(handle, mark.headBytes);
      return headBytes === mark.headBytes && head === mark.head;
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}

export class PathTailer {
  readonly path: string;
  readonly #drainIdleMs: number;
  readonly #now: () => number;
  #current: OpenFile | undefined;
  #rotated: OpenFile[] = [];
  #buffer = Buffer.alloc(0);
  /** Wall clock (ms, as file times are) of the last poll that found our file at the path. */
  #seenAt = Number.NEGATIVE_INFINITY;
  /** What happened (rotation seen, a file gone): for the status line and the log. */
  readonly notices: string[] = [];

  get name(): string {
    return this.path;
  }

  constructor(path: string, options: TailerOptions = {}) {
    this.path = path;
    this.#drainIdleMs = options.drainIdleMs ?? 5_000;
    this.#now = options.now ?? Date.now;
  }

  /** Reopen what a checkpoint recorded, wherever rotation has moved it meanwhile. */
  async restore(state: PathState): Promise<void> {
    const directory = dirname(this.path);
    let names: string[] = [];
    try {
      names = await readdir(directory);
    } catch {
      // The directory is gone: nothing recorded can be found.
    }
    const candidates = [this.path, ...names.map((name) => join(directory, name))];
    const find = async (mark: FileMark) => {
      for (const candidate of candidates) if (await matches(candidate, mark)) return candidate;
      return undefined;
    };
    for (const mark of state.rotated) {
      const found = await find(mark);
      if (found === undefined) {
        this.notices.push(
          `${this.path}: a rotated file (inode ${mark.ino}) is gone; its lines after line ${mark.line} are lost`,
        );
        continue;
      }
      const file = await openFile(found, mark);
      if (file) this.#rotated.push(file);
    }
    if (state.current === undefined) return;
    const mark = state.current;
    if (await matches(this.path, mark)) {
      this.#current = await openFile(this.path, mark);
      return;
    }
    // Renamed away (same inode elsewhere), or copied and truncated (a copy with its first bytes).
    let moved = await find(mark);
    for (const candidate of candidates) {
      if (moved !== undefined) break;
      if (candidate === this.path) continue;
      try {
        const info = await stat(candidate);
        if (info.isFile() && (await matches(candidate, { ...mark, dev: info.dev, ino: info.ino })))
          moved = candidate;
      } catch {
        // Gone meanwhile.
      }
    }
    if (moved === undefined) {
      this.notices.push(
        `${this.path}: the file read before (inode ${mark.ino}) is gone; its lines after line ${mark.line} are lost`,
      );
      return;
    }
    const file = await openFile(moved, mark);
    if (!file) return;
    this.#rotated.push(file);
    this.notices.push(`${this.path}: rotated while stopped; reading the rest of ${moved}`);
    // Rotated more than once while stopped: files named like ours and newer than the one we
    // were reading were written after it, in mtime order.
    const base = basename(this.path);
    const movedTime = (await file.handle.stat()).mtimeMs;
    const newer: { path: string; mtime: number }[] = [];
    for (const name of names) {
      const path = join(directory, name);
      if (!name.startsWith(`${base}.`) || name.endsWith('.gz') || path === moved) continue;
      try {
        const info = await stat(path);
        if (info.isFile() && info.mtimeMs >= movedTime) newer.push({ path, mtime: info.mtimeMs });
      } catch {
        // Gone meanwhile.
      }
    }
    newer.sort((a, b) => a.mtime - b.mtime);
    for (const { path } of newer) {
      const extra = await openFile(path);
      if (extra) this.#rotated.push(extra);
    }
  }

  /** Look at the path: a file appearing, replaced (renamed away) or truncated. */
  async poll(): Promise<void> {
    let info: Stats | undefined;
    try {
      info = await stat(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const current = this.#current;
    if (current && (!info || info.dev !== current.dev || info.ino !== current.ino)) {
      // Renamed away (or deleted): read what is left in it, then the new file from its start.
      current.name = `${this.path} (rotated, inode ${current.ino})`;
      this.#rotated.push(current);
      this.#current = undefined;
      this.notices.push(`${this.path}: rotated (renamed); reading the rest of the old file`);
      await this.#findSkipped(info?.ino);
    }
    if (!info) return;
    this.#seenAt = Date.now();
    if (!this.#current) {
      this.#current = await openFile(this.path);
      return;
    }
    const file = this.#current;
    file.size = info.size;
    let truncated = info.size < file.offset;
    if (!truncated && file.headBytes > 0) {
      const { head, headBytes } = await readHead(file.handle, file.headBytes);
      truncated = headBytes < file.headBytes || head !== file.head;
    }
    if (truncated) {
      await this.#recoverCopy(file);
      const { head, headBytes } = await readHead(file.handle, info.size);
      Object.assign(file, { offset: 0, line: 0, head, headBytes });
      this.notices.push(`${this.path}: truncated (copytruncate); reading it again from the start`);
      return;
    }
    if (file.headBytes < HEAD_BYTES && info.size > file.headBytes) {
      Object.assign(file, await readHead(file.handle, info.size));
    }
  }

  /**
   * Rotated more than once since the last poll (the follower was waiting for the cluster, or
   * logrotate ran twice): a file that was at the path only between two polls is now beside it
   * (`auth.log.1` while ours became `auth.log.2`). Such a file was created after the last poll
   * that saw ours at the path, so its last change is later; older rotated files are not. Read
   * them whole, oldest first, after ours and before the new file at the path.
   */
  async #findSkipped(pathIno: number | undefined): Promise<void> {
    // Not polled yet in this run: what happened while stopped is restore()'s to find.
    if (this.#seenAt === Number.NEGATIVE_INFINITY) return;
    const directory = dirname(this.path);
    const base = basename(this.path);
    const known = new Set(this.#rotated.map((file) => file.ino));
    if (pathIno !== undefined) known.add(pathIno);
    // File times come from the kernel's coarse clock (a tick behind): a second of slack.
    const since = this.#seenAt - 1000;
    let names: string[] = [];
    try {
      names = await readdir(directory);
    } catch {
      return;
    }
    const skipped: { path: string; mtime: number }[] = [];
    for (const name of names) {
      if (!name.startsWith(`${base}.`) || name.endsWith('.gz')) continue;
      const path = join(directory, name);
      try {
        const info = await stat(path);
        if (info.isFile() && !known.has(info.ino) && info.mtimeMs >= since)
          skipped.push({ path, mtime: info.mtimeMs });
      } catch {
        // Gone meanwhile.
      }
    }
    skipped.sort((a, b) => a.mtime - b.mtime);
    for (const { path } of skipped) {
      const file = await openFile(path);
      if (!file) continue;
      this.#rotated.push(file);
      this.notices.push(`${this.path}: rotated more than once; reading ${path} too`);
    }
  }

  /** Before a truncation: the lines copied away but not read yet are in the copy. */
  async #recoverCopy(file: OpenFile): Promise<void> {
    if (file.offset === 0) return;
    const mark = markOf(file);
    const directory = dirname(this.path);
    let names: string[] = [];
    try {
      names = await readdir(directory);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(directory, name);
      if (path === this.path) continue;
      let info: Stats;
      try {
        info = await stat(path);
      } catch {
        continue;
      }
      if (!info.isFile() || info.size <= file.offset || info.ino === file.ino) continue;
      if (!(await matches(path, { ...mark, dev: info.dev, ino: info.ino }))) continue;
      const copy = await openFile(path, mark);
      if (copy) {
        copy.name = path;
        this.#rotated.push(copy);
        this.notices.push(`${this.path}: reading the copy's tail from ${path}`);
      }
      return;
    }
  }

  /** Complete lines available now, at most about `budget` bytes: rotated files first. */
  async read(budget: number): Promise<LineRun[]> {
    const runs: LineRun[] = [];
    let left = budget;
    const now = this.#now();
    for (const file of [...this.#rotated]) {
      if (left <= 0) break;
      const before = file.offset;
      left -= await this.#readFile(file, left, runs, false);
      if (file.offset > before) {
        file.idleSince = undefined;
        continue;
      }
      file.idleSince ??= now;
      if (now - file.idleSince >= this.#drainIdleMs) {
        // Quiet long enough: a last line without a line break is complete; close it.
        await this.#readFile(file, Number.MAX_SAFE_INTEGER, runs, true);
        await file.handle.close();
        this.#rotated.splice(this.#rotated.indexOf(file), 1);
      }
    }
    if (this.#current && left > 0) await this.#readFile(this.#current, left, runs, false);
    return runs;
  }

  async #readFile(file: OpenFile, budget: number, runs: LineRun[], atEnd: boolean): Promise<number> {
    let used = 0;
    for (;;) {
      const want = Math.min(Math.max(budget - used, 64 * 1024), 4 * 1024 * 1024);
      if (this.#buffer.length < want) this.#buffer = Buffer.alloc(want);
      const { bytesRead } = await file.handle.read(this.#buffer, 0, want, file.offset);
      if (bytesRead === 0) return used;
      const block = completeLines(this.#buffer.subarray(0, bytesRead), atEnd && bytesRead < want);
      if (block.consumed === 0) return used;
      runs.push({ file: file.name, lines: block.lines, firstLine: file.line + 1 });
      file.offset += block.consumed;
      file.line += block.lines.length;
      used += block.consumed;
      if (used >= budget || bytesRead < want) return used;
    }
  }

  /** Positions now (after everything returned by read() so far). */
  mark(): PathState {
    return {
      path: this.path,
      ...(this.#current ? { current: markOf(this.#current) } : {}),
      rotated: this.#rotated.map(markOf),
    };
  }

  /** Bytes written but not read yet, as of the last poll (exact for the files open). */
  async bytesBehind(): Promise<number> {
    let behind = 0;
    for (const file of [...this.#rotated, ...(this.#current ? [this.#current] : [])]) {
      try {
        behind += Math.max(0, (await file.handle.stat()).size - file.offset);
      } catch {
        // Closed meanwhile.
      }
    }
    return behind;
  }

  async close(): Promise<void> {
    for (const file of [...this.#rotated, ...(this.#current ? [this.#current] : [])]) {
      await file.handle.close().catch(() => {});
    }
    this.#rotated = [];
    this.#current = undefined;
  }
}

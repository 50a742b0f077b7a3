// The follower's registry (what Filebeat calls its registry): for every followed path, the
// file it was reading (device + inode, and a hash of its first bytes against inode reuse), the
// offset just past the last line whose documents the cluster has acknowledged, and the parser's
// state at that point (connections still open). Saved beside the config, atomically, only for
// acknowledged lines: after SIGKILL the follower re-reads from there, and deterministic ids make
// anything sent twice a 409, never a second document.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

export interface FileMark {
  dev: number;
  ino: number;
  /** Byte offset just past the last acknowledged line. */
  offset: number;
  /** Number of lines before `offset` (for file:line in reports). */
  line: number;
  /** sha1 (base64url) of the first `headBytes` bytes: the same inode number on a different file is not mistaken for ours. */
  head: string;
  headBytes: number;
}

export interface PathState {
  path: string;
  /** The file at `path`. */
  current?: FileMark;
  /** Files renamed away (rotated) whose tail is still being read. */
  rotated: FileMark[];
  /** Parser state at the checkpoint (open connections), when the parser can give it. */
  parser?: unknown;
}

export interface FollowCheckpoint {
  version: 1;
  index: string;
  /** Console clock, ISO 8601. */
  savedAt: string;
  paths: PathState[];
}

/** Bytes hashed for a file's head; a syslog line is shorter, so this sees at least the first line. */
export const HEAD_BYTES = 256;

export function headHash(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('base64url');
}

/** File name of the checkpoint of one follower: the index and the set of paths it follows. */
export function checkpointName(index: string, inputs: readonly string[]): string {
  const key = [index, ...inputs.map((input) => resolve(input)).sort()].join('\u0000');
  const digest = createHash('sha1').update(key).digest('hex').slice(0, 12);
  return `ingest-follow-${index}-${digest}.json`;
}

function isMark(value: unknown): value is FileMark {
  const mark = value as FileMark;
  return (
    typeof mark === 'object' &&
    mark !== null &&
    [mark.dev, mark.ino, mark.offset, mark.line, mark.headBytes].every(
      (n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0,
    ) &&
    typeof mark.head === 'string'
  );
}

/** Parse a checkpoint file; a message when it is not one (never guessed: the user decides). */
export function parseCheckpoint(text: string): FollowCheckpoint | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  const state = value as FollowCheckpoint;
  if (typeof state !== 'object' || state === null || state.version !== 1 || !Array.isArray(state.paths))
    return 'not a version 1 follow checkpoint';
  for (const path of state.paths) {
    if (typeof path?.path !== 'string' || !Array.isArray(path.rotated)) return 'a path entry is malformed';
    if (path.current !== undefined && !isMark(path.current)) return `the mark of ${path.path} is malformed`;
    if (!path.rotated.every(isMark)) return `a rotated mark of ${path.path} is malformed`;
  }
  return state;
}

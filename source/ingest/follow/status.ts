// What a running follower reports: one line redrawn on its own terminal, and a status file beside
// its checkpoint that `soc-watch ingest --follow --status` reads from another terminal. Every
// time says whose clock it is; counts are exact (bytes not yet read are bytes, not guessed lines).
import { sanitizeAndTruncate } from '../../core/sanitize.js';
import { formatCount } from '../report.js';
import type { FollowerStatus } from './follower.js';

export interface StatusFile {
  version: 1;
  pid: number;
  index: string;
  inputs: string[];
  /** Console clock (ms) of this snapshot. */
  updatedAt: number;
  status: FollowerStatus;
}

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

function clock(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** The one-line status of a follower (`now`: console clock, ms). */
export function formatStatusLine(status: FollowerStatus, now: number): string {
  const parts: string[] = [];
  parts.push(
    status.state === 'waiting-for-cluster'
      ? 'WAITING FOR CLUSTER (reading paused)'
      : status.state === 'following'
        ? 'following'
        : status.state,
  );
  parts.push(
    status.oldestWaitingSince === undefined
      ? 'lag 0 s'
      : `lag ${seconds(now - status.oldestWaitingSince)} (console clock)`,
  );
  parts.push(
    `${formatCount(status.linesWaiting)} lines waiting`,
    `${formatCount(status.bytesBehind)} bytes unread`,
  );
  parts.push(
    `${formatCount(status.linesIndexed)} lines done`,
    `${formatCount(status.created)} created`,
    `${formatCount(status.duplicates)} already indexed`,
  );
  if (status.rejected > 0) parts.push(`${formatCount(status.rejected)} REJECTED`);
  if (status.lastError !== undefined && status.lastErrorAt !== undefined) {
    parts.push(
      `last error ${seconds(now - status.lastErrorAt)} ago: ${sanitizeAndTruncate(status.lastError, 160)}`,
    );
  }
  return `ingest --follow: ${parts.join(' · ')}`;
}

/** `--status`: a follower's status file, read by another process. */
export function formatStatusFile(file: StatusFile, now: number, running: boolean): string[] {
  const { status } = file;
  const lines = [
    `${sanitizeAndTruncate(file.inputs.join(' '), 300)} → ${sanitizeAndTruncate(file.index, 200)} (pid ${file.pid}, ${running ? 'running' : 'NOT RUNNING'}; status as of ${clock(file.updatedAt)} console clock, ${seconds(now - file.updatedAt)} ago)`,
    `  ${formatStatusLine(status, file.updatedAt).replace(/^ingest --follow: /, '')}`,
    `  last indexed event: ${status.lastEventTime === undefined ? 'none yet' : `${sanitizeAndTruncate(status.lastEventTime, 40)} (event time, from the log)`}`,
    `  last checkpoint: ${status.checkpointAt === undefined ? 'none yet' : `${clock(status.checkpointAt)} (console clock)`}`,
  ];
  return lines;
}

export function parseStatusFile(text: string): StatusFile | undefined {
  try {
    const value = JSON.parse(text) as StatusFile;
    if (value?.version !== 1 || typeof value.pid !== 'number' || typeof value.status !== 'object')
      return undefined;
    return value;
  } catch {
    return undefined;
  }
}

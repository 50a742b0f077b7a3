// What `soc-watch ingest` prints: the live progress line, the summary, unparsed lines and
// rejected documents. Pure formatting; every piece of log text passes through sanitize()
// (a log line is attacker-controlled: a user name can carry terminal escape sequences).

import { safeJson } from '../core/json.js';
import { sanitizeAndTruncate } from '../core/sanitize.js';
import type { BulkCounts, Rejection } from './bulk.js';
import type { ParseIssue, ParseStats } from './parser.js';

const number = new Intl.NumberFormat('en-US');

export function formatCount(value: number): string {
  return number.format(value);
}

export interface ProgressState {
  stats: ParseStats;
  /** Undefined in a dry run (nothing is indexed). */
  counts: BulkCounts | undefined;
  elapsedMs: number;
}

export function linesPerSecond(lines: number, elapsedMs: number): number {
  return elapsedMs <= 0 ? 0 : Math.round((lines * 1000) / elapsedMs);
}

export function formatProgress(state: ProgressState): string {
  const { stats, counts } = state;
  const parts = [
    `${formatCount(stats.lines)} lines (${formatCount(linesPerSecond(stats.lines, state.elapsedMs))}/s)`,
  ];
  if (counts) {
    parts.push(`indexed ${formatCount(counts.created)}`, `duplicates ${formatCount(counts.duplicates)}`);
    if (counts.rejected > 0) parts.push(`rejected ${formatCount(counts.rejected)}`);
    if (counts.retries > 0) parts.push(`retries ${formatCount(counts.retries)}`);
  } else {
    parts.push(`events ${formatCount(stats.events)}`);
  }
  parts.push(`skipped ${formatCount(stats.skipped)}`, `unparsed ${formatCount(stats.unparsed)}`);
  return `ingest: ${parts.join(' · ')}`;
}

export function formatIssue(issue: ParseIssue): string {
  return `${sanitizeAndTruncate(issue.file, 200)}:${issue.line}: ${issue.reason}: ${sanitizeAndTruncate(issue.text, 200)}`;
}

export function formatRejection(rejection: Rejection): string {
  return `document ${rejection.id}: HTTP ${rejection.status} ${sanitizeAndTruncate(rejection.reason, 300)}`;
}

export interface SummaryInput {
  stats: ParseStats;
  counts: BulkCounts | undefined;
  elapsedMs: number;
  index: string | undefined;
  issues: readonly ParseIssue[];
  rejections: readonly Rejection[];
  /** Inputs that could not be read at all, with the reason. */
  inputErrors: readonly string[];
  /** Inputs read but holding nothing (e.g. an empty file), with the reason. */
  inputNotes?: readonly string[];
  /** Skips worth naming (reason → count), e.g. logon event ids outside the Security log. */
  skipNotes?: ReadonlyMap<string, number>;
  /** The run stopped early (interrupted, or the cluster failed): events parsed but not acknowledged. */
  unsent?: number;
  /** Show at most this many unparsed lines and rejections each. */
  limit?: number;
}

export function formatSummary(input: SummaryInput): string[] {
  const { stats, counts } = input;
  const limit = input.limit ?? 20;
  const lines: string[] = [];
  const seconds = (input.elapsedMs / 1000).toFixed(1);
  lines.push(
    `Read ${formatCount(stats.lines)} lines in ${seconds} s (${formatCount(linesPerSecond(stats.lines, input.elapsedMs))} lines/s): ` +
      `${formatCount(stats.events)} authentication events, ${formatCount(stats.merged)} lines merged into events already counted, ` +
      `${formatCount(stats.skipped)} skipped (not authentication events), ${formatCount(stats.unparsed)} unparsed.`,
  );
  if (counts && input.index !== undefined) {
    lines.push(
      `Index ${sanitizeAndTruncate(input.index, 200)}: ${formatCount(counts.created)} created, ` +
        `${formatCount(counts.duplicates)} duplicates (already indexed), ${formatCount(counts.rejected)} rejected.`,
    );
  }
  if (counts && counts.retries > 0) {
    lines.push(
      `Retried ${formatCount(counts.retries)} time(s) after a timeout, 429 or 503 (safe: every document has a fixed id; what a timed-out request had written shows as duplicates).`,
    );
  }
  if (input.unsent !== undefined) {
    lines.push(
      `Not yet sent: ${formatCount(input.unsent)} event(s) read but not confirmed by the cluster; run the same command again to finish (nothing is duplicated).`,
    );
  }
  for (const error of input.inputErrors) lines.push(`Could not read ${sanitizeAndTruncate(error, 300)}`);
  for (const note of input.inputNotes ?? []) lines.push(sanitizeAndTruncate(note, 300));
  for (const [note, count] of input.skipNotes ?? []) {
    lines.push(`Skipped ${formatCount(count)}: ${sanitizeAndTruncate(note, 300)}`);
  }
  if (stats.unparsed > 0) {
    lines.push(`Unparsed lines (look like sshd/Windows authentication events but could not be read):`);
    for (const issue of input.issues.slice(0, limit)) lines.push(`  ${formatIssue(issue)}`);
    if (stats.unparsed > Math.min(limit, input.issues.length)) {
      lines.push(`  … and ${formatCount(stats.unparsed - Math.min(limit, input.issues.length))} more`);
    }
  }
  if (counts && counts.rejected > 0) {
    lines.push(`Rejected by the cluster (not indexed):`);
    for (const rejection of input.rejections.slice(0, limit)) lines.push(`  ${formatRejection(rejection)}`);
    if (counts.rejected > Math.min(limit, input.rejections.length)) {
      lines.push(`  … and ${formatCount(counts.rejected - Math.min(limit, input.rejections.length))} more`);
    }
  }
  return lines;
}

/** One NDJSON line that is safe to write to a terminal (the one JSON writer, core/json.ts). */
export function safeJsonLine(value: unknown): string {
  return safeJson(value);
}

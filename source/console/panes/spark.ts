// Sparkline text for a failure timeline: the whole window squeezed into the room there is
// (adjacent buckets summed), drawn by `sparkly` from zero so a quiet window looks flat, then
// mapped to the glyph set's ticks (ASCII when the terminal cannot show block characters).
import sparkly from 'sparkly';
import { type Glyphs, UNICODE_GLYPHS } from '../draw/glyphs.js';

/** At most `width` values covering all of `values`, each the sum of the buckets it covers. */
export function squeeze(values: readonly number[], width: number): number[] {
  if (width <= 0) return [];
  if (values.length <= width) return values.slice();
  const out: number[] = [];
  for (let index = 0; index < width; index += 1) {
    const from = Math.floor((index * values.length) / width);
    const to = Math.floor(((index + 1) * values.length) / width);
    let sum = 0;
    for (let bucket = from; bucket < to; bucket += 1) sum += values[bucket] ?? 0;
    out.push(sum);
  }
  return out;
}

export function sparkline(values: readonly number[], width: number, glyphs: Glyphs): string {
  const squeezed = squeeze(values, width);
  if (squeezed.length === 0) return '';
  const line = sparkly(squeezed, { minimum: 0 });
  if (!glyphs.ascii) return line;
  return Array.from(line, (tick) => {
    const level = UNICODE_GLYPHS.ticks.indexOf(tick);
    return level < 0 ? ' ' : (glyphs.ticks[level] ?? ' ');
  }).join('');
}

/** Below this elapsed fraction the last bucket is scaled as if this much had elapsed (1 event in 2% of a bucket is not a 50× spike). */
export const MIN_ELAPSED = 0.25;

export interface TimelineSpark {
  /** Every cell but the last. */
  body: string;
  /** The last cell: the bucket still filling when `partial`. */
  last: string;
  /** The last cell's bucket had not ended when the snapshot was taken: it is scaled to a rate and drawn apart. */
  partial: boolean;
  /** Most failures in one whole cell (the scale of the line), and the buckets per cell. */
  peak: number;
  group: number;
}

/**
 * The timeline as whole groups of `group` buckets per cell, aligned to the end (so the last
 * cell is the newest bucket(s); a short first cell is scaled up to a full one). The last
 * bucket, still filling (`lastElapsed` < 1 of it had passed when the data was fetched), is
 * scaled by its elapsed fraction: without that it always reads as a drop (issue 13 A10).
 */
export function timelineSpark(
  values: readonly number[],
  width: number,
  glyphs: Glyphs,
  lastElapsed = 1,
): TimelineSpark {
  if (width <= 0 || values.length === 0) return { body: '', last: '', partial: false, peak: 0, group: 1 };
  const group = Math.max(1, Math.ceil(values.length / width));
  const cells: number[] = [];
  const sizes: number[] = [];
  for (let end = values.length; end > 0; end -= group) {
    const start = Math.max(0, end - group);
    let sum = 0;
    for (let index = start; index < end; index += 1) sum += values[index] ?? 0;
    cells.unshift(sum);
    sizes.unshift(end - start);
  }
  const elapsed = Math.min(1, Math.max(0, lastElapsed));
  const partial = elapsed < 1;
  const lastIndex = cells.length - 1;
  const scaled = cells.map((value, index) => {
    const size = sizes[index]!;
    const covered = index === lastIndex && partial ? size - 1 + Math.max(elapsed, MIN_ELAPSED) : size;
    // Rounded so a steady rate projects to exactly its own height, not a hair above.
    return covered === group ? value : Math.round(((value * group) / covered) * 1000) / 1000;
  });
  const peak = Math.max(0, ...cells.filter((_, index) => !(partial && index === lastIndex)));
  const line = Array.from(sparkly(scaled, { minimum: 0 }));
  const ticks = glyphs.ascii
    ? line.map((tick) => {
        const level = UNICODE_GLYPHS.ticks.indexOf(tick);
        return level < 0 ? ' ' : (glyphs.ticks[level] ?? ' ');
      })
    : line;
  return { body: ticks.slice(0, -1).join(''), last: ticks.at(-1) ?? '', partial, peak, group };
}

/** How much of the snapshot's last bucket had passed when it was fetched (1 for an "as of" window that ended before). */
export function lastBucketElapsed(window: { to: string }, bucketMs: number, fetchedAt: string): number {
  const to = Date.parse(window.to);
  const at = Date.parse(fetchedAt);
  if (!Number.isFinite(to) || !Number.isFinite(at) || bucketMs <= 0) return 1;
  return Math.min(1, Math.max(0, (at - (to - bucketMs)) / bucketMs));
}

/** The ServicePane's timeline props for a snapshot (none before the first poll). */
export function timelineTiming(
  snapshot: { window: { to: string }; bucketMs: number; fetchedAt: string } | null,
): { bucketMs?: number; lastElapsed?: number } {
  if (!snapshot) return {};
  return {
    bucketMs: snapshot.bucketMs,
    lastElapsed: lastBucketElapsed(snapshot.window, snapshot.bucketMs, snapshot.fetchedAt),
  };
}

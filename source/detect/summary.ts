// Short human summaries for the feed and Slack ("37 failures · 12 users · 15m"). Account
// names inside them are attacker-controlled, so they are sanitized and cut here too.
import { formatDuration } from '../core/duration.js';
import { sanitizeAndTruncate } from '../core/sanitize.js';

// Counts are integers, grouped here by hand exactly as en-US does ("12,345"): the first
// Intl.NumberFormat of a process maps ~5 MB of ICU data into RSS for the whole session
// (measured), which the console pays for nothing else. A fraction, which no rule produces
// today, still gets en-US's own formatting (rounding included), so the text cannot change.
let fractionFormat: Intl.NumberFormat | undefined;

function formatNumber(value: number): string {
  if (Number.isSafeInteger(value) && !Object.is(value, -0))
    return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  fractionFormat ??= new Intl.NumberFormat('en-US');
  return fractionFormat.format(value);
}

export function count(value: number, singular: string, plural = `${singular}s`): string {
  return `${formatNumber(value)} ${value === 1 ? singular : plural}`;
}

export function joinSummary(parts: readonly string[], windowMs: number): string {
  return [...parts, formatDuration(windowMs)].join(' · ');
}

export function safeName(name: string | null): string {
  return name === null ? 'unknown account' : sanitizeAndTruncate(name, 32);
}

// Short human summaries for the feed and Slack ("37 failures · 12 users · 15m"). Account
// names inside them are attacker-controlled, so they are sanitized and cut here too.
import { formatDuration } from '../core/duration.js';
import { sanitizeAndTruncate } from '../core/sanitize.js';

const number = new Intl.NumberFormat('en-US');

export function count(value: number, singular: string, plural = `${singular}s`): string {
  return `${number.format(value)} ${value === 1 ? singular : plural}`;
}

export function joinSummary(parts: readonly string[], windowMs: number): string {
  return [...parts, formatDuration(windowMs)].join(' · ');
}

export function safeName(name: string | null): string {
  return name === null ? 'unknown account' : sanitizeAndTruncate(name, 32);
}

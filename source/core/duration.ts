// Durations in config and flags ("15m", "5s", "6h", "1d"). `ms` parses them; we add the
// validation rules (positive, whole milliseconds) and a formatter that round-trips.
import ms from 'ms';

const FORM = /^\s*\d+(\.\d+)?\s*(ms|s|m|h|d|w)\s*$/i;

/** Parse a duration like `15m`; returns undefined when it is not a positive duration. */
export function parseDuration(text: string): number | undefined {
  if (!FORM.test(text)) return undefined;
  const value = ms(text.trim() as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return undefined;
  return Math.round(value);
}

/** Format milliseconds compactly: 900000 → "15m", 90000 → "90s", 21600000 → "6h". */
export function formatDuration(millis: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [unit, size] of units) {
    if (millis >= size && millis % size === 0) return `${millis / size}${unit}`;
  }
  return `${millis}ms`;
}

/** "3s ago", "5m ago", "2h ago" for an age in ms (negative ages are clamped to 0). */
export function formatAge(millis: number): string {
  const seconds = Math.max(0, Math.floor(millis / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ago`;
  return `${Math.floor(hours / 24)}d ago`;
}

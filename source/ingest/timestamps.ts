// Timestamps of log lines. RFC 3164 (`Oct  3 10:00:01`) has no year and no zone; ISO 8601 /
// RFC 5424 (`2024-10-03T10:00:01.123456+02:00`) has both, or at least the year.
//
// Year inference for RFC 3164 — the rule:
//  * Without --year, a line's year is the year of the reference time (the file's mtime, or the
//    clock for stdin: a log is written before it is last modified). If that places the line
//    more than a day after the reference, it belongs to the previous year: that is both the
//    December→January rollover (a log ending on Jan 2 has its December lines in the previous
//    year) and the "never in the future" rule. The day of tolerance absorbs a time-zone
//    difference between the writer and us; beyond it a line is taken as last year's.
//  * With --year Y, Y is the year of the first RFC 3164 line; the year advances whenever the
//    month steps back by more than half a year (Dec → Jan), so multi-year logs stay ordered.
//
// Zones: a timestamp without an offset is read in `zone` — the machine's local zone by default
// (as the system that wrote the syslog file did; set TZ to choose another), or UTC, or a fixed
// offset in minutes east of UTC.

export type Zone = 'local' | 'utc' | number;

const DAY = 86_400_000;

export const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/** Wall-clock fields in `zone` → epoch ms. Month is 0-based. */
export function wallClock(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  zone: Zone,
): number {
  if (zone === 'local') return new Date(year, month, day, hour, minute, second, millis).getTime();
  const utc = Date.UTC(year, month, day, hour, minute, second, millis);
  return zone === 'utc' ? utc : utc - zone * 60_000;
}

/** Fraction digits (`123456`) → whole milliseconds (123). */
export function fractionToMillis(fraction: string | undefined): number {
  if (!fraction) return 0;
  return Math.floor(Number(`0.${fraction}`) * 1000 + 1e-9);
}

const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|z|[+-]\d\d(?::?\d\d)?)?$/;

/** ISO 8601 / RFC 3339 (offset optional; `+0200` and `+02:00` both accepted) → epoch ms. */
export function parseIsoTimestamp(text: string, zone: Zone): number | undefined {
  const match = ISO.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, offset] = match;
  const month = Number(mo) - 1;
  const day = Number(d);
  if (month > 11 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60)
    return undefined;
  let effective: Zone = zone;
  if (offset === 'Z' || offset === 'z') effective = 'utc';
  else if (offset) {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    effective = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
  }
  const value = wallClock(
    Number(y),
    month,
    day,
    Number(h),
    Number(mi),
    Number(s),
    fractionToMillis(fraction),
    effective,
  );
  return Number.isFinite(value) ? value : undefined;
}

export interface YearOptions {
  zone: Zone;
  /** Reference time (epoch ms): the file's mtime, or now for stdin. Capped at `now`. */
  reference: number;
  /** The clock (epoch ms). */
  now: number;
  /** Explicit year of the first line (--year). */
  year?: number;
}

/** Assigns years to RFC 3164 timestamps (see the rule at the top of this file). */
export class YearInference {
  readonly #zone: Zone;
  readonly #reference: number;
  readonly #referenceYear: number;
  #explicitYear: number | undefined;
  #lastMonth: number | undefined;

  constructor(options: YearOptions) {
    this.#zone = options.zone;
    this.#reference = Math.min(options.reference, options.now);
    this.#referenceYear = yearOf(this.#reference, options.zone);
    this.#explicitYear = options.year;
  }

  /** Epoch ms of an RFC 3164 timestamp; month 0-based. */
  resolve(month: number, day: number, hour: number, minute: number, second: number, millis: number): number {
    if (this.#explicitYear !== undefined) {
      let year = this.#explicitYear;
      if (this.#lastMonth !== undefined) {
        if (month < this.#lastMonth - 6) {
          this.#explicitYear += 1;
          year = this.#explicitYear;
        } else if (month > this.#lastMonth + 6) {
          // A late line from before the rollover: last year's, without moving the state back.
          return this.#make(year - 1, month, day, hour, minute, second, millis);
        }
      }
      this.#lastMonth = month;
      return this.#make(year, month, day, hour, minute, second, millis);
    }
    const candidate = this.#make(this.#referenceYear, month, day, hour, minute, second, millis);
    if (candidate <= this.#reference + DAY) return candidate;
    return this.#make(this.#referenceYear - 1, month, day, hour, minute, second, millis);
  }

  #make(
    year: number,
    month: number,
    day: number,
    hour: number,
    minute: number,
    second: number,
    millis: number,
  ) {
    // Feb 29 exists only in leap years: step back to the closest one rather than roll into March.
    let y = year;
    if (month === 1 && day === 29) {
      while (!isLeap(y)) y -= 1;
    }
    return wallClock(y, month, day, hour, minute, second, millis, this.#zone);
  }
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function yearOf(epoch: number, zone: Zone): number {
  if (zone === 'local') return new Date(epoch).getFullYear();
  const shifted = zone === 'utc' ? epoch : epoch + zone * 60_000;
  return new Date(shifted).getUTCFullYear();
}

/** `local`, `UTC`/`Z`, or `+02:00` / `-0530` → Zone; undefined when invalid. */
export function parseZone(text: string): Zone | undefined {
  const value = text.trim();
  if (/^local$/i.test(value)) return 'local';
  if (/^(utc|z|gmt)$/i.test(value)) return 'utc';
  const match = /^([+-])(\d\d):?(\d\d)$/.exec(value);
  if (!match) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  if (minutes > 14 * 60) return undefined;
  return match[1] === '-' ? -minutes : minutes;
}

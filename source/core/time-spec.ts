// Points in time typed by a person: `--at`, `replay --from/--to`. Always read in UTC (the
// times in the data are UTC; a SOC spread over time zones needs one reading of "03:00").
//   2026-12-02T03:00:00Z, 2026-12-02T03:00+01:00, 2026-12-02 03:00 (UTC), 2026-12-02 (00:00 UTC)
//   -2h, -90m, -1d (relative to now), now
//   today 03:00, yesterday 03:00, yesterday (00:00 UTC)
// Pure: `now` is passed in.
import { parseDuration } from './duration.js';

const DAY_MS = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const DAY_WORD = /^(today|yesterday)(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/i;

export const TIME_SPEC_HELP =
  'expected an ISO 8601 time (2026-12-02T03:00Z; without a zone it is UTC), a relative time (-2h, -30m, now) or "today 03:00" / "yesterday 03:00" (UTC)';

/** Epoch ms of a time spec, or undefined when it is not one of the accepted forms. */
export function parseTimeSpec(text: string, now: number): number | undefined {
  const spec = text.trim();
  if (spec === '') return undefined;
  if (/^now$/i.test(spec)) return now;
  if (spec.startsWith('-')) {
    const back = parseDuration(spec.slice(1));
    return back === undefined ? undefined : now - back;
  }
  const day = DAY_WORD.exec(spec);
  if (day) {
    const [, word = '', hours = '0', minutes = '0', seconds = '0'] = day;
    const h = Number(hours);
    const m = Number(minutes);
    const s = Number(seconds);
    if (h > 23 || m > 59 || s > 59) return undefined;
    const midnight = Math.floor(now / DAY_MS) * DAY_MS - (word.toLowerCase() === 'yesterday' ? DAY_MS : 0);
    return midnight + ((h * 60 + m) * 60 + s) * 1000;
  }
  if (ISO_DATE.test(spec)) return checked(Date.parse(`${spec}T00:00:00Z`), spec);
  if (ISO_DATE_TIME.test(spec)) {
    const normal = spec.replace(' ', 'T');
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(normal) ? normal : `${normal}Z`;
    return checked(Date.parse(zoned), spec);
  }
  return undefined;
}

function checked(value: number, spec: string): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  // Date.parse rolls 2026-02-31 over to March: refuse dates that do not exist.
  const date = spec.slice(0, 10);
  return new Date(value).toISOString().slice(0, 10) === date || /[+-]\d{2}:?\d{2}$/.test(spec)
    ? value
    : undefined;
}

/** "2026-12-02 03:00:00 UTC": a time a person reads, saying whose clock it is. */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

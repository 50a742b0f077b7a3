import { describe, expect, it } from 'vitest';
import { parseSyslogLine } from '../../source/ingest/syslog.js';
import { parseIsoTimestamp, parseZone, YearInference, type Zone } from '../../source/ingest/timestamps.js';

const iso = (ms: number) => new Date(ms).toISOString();
const utc = Date.UTC;

function years(reference: number, now = reference, year?: number, zone: Zone = 'utc') {
  return new YearInference({ zone, reference, now, ...(year !== undefined ? { year } : {}) });
}

describe('RFC 3164 year inference', () => {
  it('uses the reference year for lines before the reference', () => {
    const y = years(utc(2025, 5, 10, 12));
    expect(iso(y.resolve(5, 10, 11, 59, 0, 0))).toBe('2025-06-10T11:59:00.000Z');
    expect(iso(y.resolve(0, 1, 0, 0, 0, 0))).toBe('2025-01-01T00:00:00.000Z');
  });

  it('handles the December → January rollover (a log ending in January)', () => {
    const y = years(utc(2025, 0, 2, 8));
    expect(iso(y.resolve(11, 31, 23, 59, 59, 0))).toBe('2024-12-31T23:59:59.000Z');
    expect(iso(y.resolve(0, 1, 0, 0, 3, 0))).toBe('2025-01-01T00:00:03.000Z');
  });

  it('never places a line more than a day after the reference, nor after the clock', () => {
    // Reference (mtime) in the future is capped at the clock.
    const y = years(utc(2026, 0, 1), utc(2025, 2, 1));
    expect(iso(y.resolve(5, 1, 0, 0, 0, 0))).toBe('2024-06-01T00:00:00.000Z');
    // Within a day after the reference (a zone difference): kept in the same year.
    const z = years(utc(2025, 2, 1, 10));
    expect(iso(z.resolve(2, 1, 20, 0, 0, 0))).toBe('2025-03-01T20:00:00.000Z');
    expect(iso(z.resolve(2, 2, 11, 0, 0, 0))).toBe('2024-03-02T11:00:00.000Z');
  });

  it('steps Feb 29 back to a leap year', () => {
    expect(iso(years(utc(2025, 5, 1)).resolve(1, 29, 1, 0, 0, 0))).toBe('2024-02-29T01:00:00.000Z');
    expect(iso(years(utc(2027, 5, 1)).resolve(1, 29, 1, 0, 0, 0))).toBe('2024-02-29T01:00:00.000Z');
  });

  it('with --year, counts years forward over rollovers from the first line', () => {
    const y = years(utc(2030, 0, 1), utc(2030, 0, 1), 2022);
    expect(iso(y.resolve(11, 30, 0, 0, 0, 0))).toBe('2022-12-30T00:00:00.000Z');
    expect(iso(y.resolve(0, 2, 0, 0, 0, 0))).toBe('2023-01-02T00:00:00.000Z');
    // A late line from before the rollover stays in the old year.
    expect(iso(y.resolve(11, 31, 23, 0, 0, 0))).toBe('2022-12-31T23:00:00.000Z');
    expect(iso(y.resolve(5, 1, 0, 0, 0, 0))).toBe('2023-06-01T00:00:00.000Z');
    expect(iso(y.resolve(11, 15, 0, 0, 0, 0))).toBe('2023-12-15T00:00:00.000Z');
    expect(iso(y.resolve(0, 3, 0, 0, 0, 0))).toBe('2024-01-03T00:00:00.000Z');
  });

  it('reads wall-clock times in a fixed offset', () => {
    const y = years(utc(2025, 5, 10), utc(2025, 5, 10), undefined, 120);
    expect(iso(y.resolve(5, 1, 12, 0, 0, 0))).toBe('2025-06-01T10:00:00.000Z');
  });
});

describe('ISO 8601 timestamps', () => {
  it.each([
    ['2024-11-03T04:12:01.123456+01:00', '2024-11-03T03:12:01.123Z'],
    ['2024-11-03T04:12:01+0100', '2024-11-03T03:12:01.000Z'],
    ['2024-11-03T03:12:01Z', '2024-11-03T03:12:01.000Z'],
    ['2024-11-03T03:12:01.5Z', '2024-11-03T03:12:01.500Z'],
    ['2024-11-03T04:21:00.1234567+01:00', '2024-11-03T03:21:00.123Z'],
    ['2024-11-03 03:12:01', '2024-11-03T03:12:01.000Z'],
    ['2024-11-02T22:12:01-05:00', '2024-11-03T03:12:01.000Z'],
  ])('%s', (text, expected) => {
    expect(iso(parseIsoTimestamp(text, 'utc')!)).toBe(expected);
  });

  it('rejects what is not a time', () => {
    expect(parseIsoTimestamp('2024-13-03T03:12:01Z', 'utc')).toBeUndefined();
    expect(parseIsoTimestamp('yesterday', 'utc')).toBeUndefined();
  });

  it('parses zone options', () => {
    expect(parseZone('UTC')).toBe('utc');
    expect(parseZone('local')).toBe('local');
    expect(parseZone('+02:00')).toBe(120);
    expect(parseZone('-0530')).toBe(-330);
    expect(parseZone('+15:00')).toBeUndefined();
    expect(parseZone('Mars')).toBeUndefined();
  });
});

describe('syslog headers', () => {
  const y = years(utc(2025, 0, 13));
  const parse = (line: string) => parseSyslogLine(line, y, 'utc', (text) => text.startsWith('Failed'));

  it('RFC 3164 with host and program[pid]', () => {
    expect(parse('Jan  2 06:25:18 web1 sshd[3024]: Failed password')).toEqual({
      timestamp: utc(2025, 0, 2, 6, 25, 18),
      host: 'web1',
      program: 'sshd',
      pid: 3024,
      message: 'Failed password',
    });
  });

  it('RFC 3164 with PRI, fractional seconds (journalctl -o short-precise) and two-digit days', () => {
    expect(parse('<38>Jan 12 06:25:18.250 web1 sshd[3024]: x')).toMatchObject({
      timestamp: utc(2025, 0, 12, 6, 25, 18, 250),
      host: 'web1',
    });
    expect(parse('Jan 02 06:25:18 web1 sshd[1]: x')).toMatchObject({ timestamp: utc(2025, 0, 2, 6, 25, 18) });
  });

  it('without a host, without a pid, without a program tag', () => {
    expect(parse('Jan 12 06:25:18 sshd[3024]: x')).toEqual({
      timestamp: utc(2025, 0, 12, 6, 25, 18),
      program: 'sshd',
      pid: 3024,
      message: 'x',
    });
    expect(parse('Jan 12 06:25:18 web1 sshd: x')).toMatchObject({
      host: 'web1',
      program: 'sshd',
      message: 'x',
    });
    expect(parse('Jan 12 06:25:18 web1 Failed password')).toEqual({
      timestamp: utc(2025, 0, 12, 6, 25, 18),
      host: 'web1',
      message: 'Failed password',
    });
    expect(parse('Jan 12 06:25:18 Failed password')).toEqual({
      timestamp: utc(2025, 0, 12, 6, 25, 18),
      message: 'Failed password',
    });
  });

  it('ISO 8601 (rsyslog high precision, journalctl -o short-iso)', () => {
    expect(parse('2024-11-03T04:12:01.123456+01:00 bastion sshd[1201]: x')).toEqual({
      timestamp: utc(2024, 10, 3, 3, 12, 1, 123),
      host: 'bastion',
      program: 'sshd',
      pid: 1201,
      message: 'x',
    });
    expect(parse('2024-11-03T04:12:01+0100 bastion sshd-session[7]: x')).toMatchObject({
      program: 'sshd-session',
      pid: 7,
    });
  });

  it('RFC 5424 with and without structured data', () => {
    expect(parse('<38>1 2024-11-03T03:13:00.000Z bastion sshd 1300 - - Failed x')).toEqual({
      timestamp: utc(2024, 10, 3, 3, 13),
      host: 'bastion',
      program: 'sshd',
      pid: 1300,
      message: 'Failed x',
    });
    expect(
      parse(
        '<38>1 2024-11-03T03:13:00.000Z bastion sshd 1300 ID47 [meta sequenceId="7" note="a]b"][x y="1"] \uFEFFFailed y',
      ),
    ).toMatchObject({ message: 'Failed y' });
    expect(parse('<38>1 2024-11-03T03:13:00.000Z - - - - -')).toEqual({
      timestamp: utc(2024, 10, 3, 3, 13),
      message: '',
    });
  });

  it('strips Solaris message ids', () => {
    expect(parse('Jan 12 06:25:18 sol1 sshd[5]: [ID 800047 auth.info] Failed x')).toMatchObject({
      message: 'Failed x',
    });
  });

  it('returns nothing for lines without a syslog timestamp', () => {
    expect(parse('Failed password for root from 192.0.2.1 port 22 ssh2')).toBeUndefined();
    expect(parse('Foo 12 06:25:18 web1 sshd[1]: x')).toBeUndefined();
    expect(parse('')).toBeUndefined();
  });
});

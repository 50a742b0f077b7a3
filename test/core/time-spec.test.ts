import { describe, expect, it } from 'vitest';
import { formatUtc, parseTimeSpec } from '../../source/core/time-spec.js';

const NOW = Date.parse('2026-12-02T10:20:30.000Z');

describe('parseTimeSpec', () => {
  it.each([
    ['2026-12-02T03:00:00Z', '2026-12-02T03:00:00.000Z'],
    ['2026-12-02T03:00Z', '2026-12-02T03:00:00.000Z'],
    ['2026-12-02T03:00+01:00', '2026-12-02T02:00:00.000Z'],
    ['2026-12-02 03:00', '2026-12-02T03:00:00.000Z'],
    ['2026-12-02', '2026-12-02T00:00:00.000Z'],
    ['-2h', '2026-12-02T08:20:30.000Z'],
    ['-90m', '2026-12-02T08:50:30.000Z'],
    ['now', '2026-12-02T10:20:30.000Z'],
    ['yesterday 03:00', '2026-12-01T03:00:00.000Z'],
    ['today 03:00', '2026-12-02T03:00:00.000Z'],
    ['yesterday', '2026-12-01T00:00:00.000Z'],
  ])('%s → %s', (spec, iso) => {
    expect(new Date(parseTimeSpec(spec, NOW) ?? Number.NaN).toISOString()).toBe(iso);
  });

  it.each(['', 'soon', '2026-02-31', '-2', 'yesterday 25:00', '03:00', '2026-12-02T3:00'])(
    'refuses %j',
    (spec) => {
      expect(parseTimeSpec(spec, NOW)).toBeUndefined();
    },
  );

  it('formats UTC with the zone named', () => {
    expect(formatUtc(NOW)).toBe('2026-12-02 10:20:30 UTC');
  });
});

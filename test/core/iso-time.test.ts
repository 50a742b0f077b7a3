import { describe, expect, it } from 'vitest';
import { isoTime } from '../../source/core/iso-time.js';

describe('isoTime', () => {
  it('writes exactly what Date#toISOString writes', () => {
    const edges = [
      0,
      -1,
      1,
      Date.parse('2024-02-29T23:59:59.999Z'),
      Date.parse('2024-03-01T00:00:00.000Z'),
      Date.parse('1999-12-31T23:59:59.999Z'),
      Date.parse('2000-01-01T00:00:00.000Z'),
      Date.parse('1969-12-31T23:59:59.001Z'),
      Date.parse('0000-01-01T00:00:00.000Z'),
      Date.parse('9999-12-31T23:59:59.999Z'),
      Date.parse('9999-12-31T23:59:59.999Z') + 1, // +010000-…: the fallback
      -62_167_219_200_001, // -000001-…: the fallback
      1.5,
      8.64e15,
    ];
    // A deterministic spread over 1900–2100, in and out of the same day.
    let state = 7;
    const random = () => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state / 2_147_483_648;
    };
    const spread = Array.from({ length: 20_000 }, () => Math.floor(-2.2e12 + random() * 6.3e12));
    for (const ms of [...edges, ...spread]) expect(isoTime(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  it('throws where toISOString throws', () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError);
  });
});

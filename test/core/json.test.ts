import { describe, expect, it } from 'vitest';
import { safeJson } from '../../source/core/json.js';

const HOSTILE = 'root\u009b31m\u202eevil\u200bx\u0007\u001b[2J\u2028\u00ad\ufeff\u2066';

describe('safeJson', () => {
  it('escapes C0, C1, bidi-control and zero-width characters as \\uXXXX', () => {
    const text = safeJson({ user: HOSTILE, list: [HOSTILE] }, 2);
    for (const raw of [
      '\u009b',
      '\u202e',
      '\u200b',
      '\u0007',
      '\u001b',
      '\u2028',
      '\u00ad',
      '\ufeff',
      '\u2066',
    ])
      expect(text).not.toContain(raw);
    expect(text).toContain('\\u009b');
    expect(text).toContain('\\u202e');
    expect(text).toContain('\\u200b');
    // Only printable ASCII and the indentation's newlines remain.
    expect(text).toMatch(/^[\n\u0020-\u007e]*$/);
  });

  it('leaves the parsed values unchanged', () => {
    const value = { user: HOSTILE, n: 3, nested: { a: ['é', '中文', HOSTILE] }, none: null };
    expect(JSON.parse(safeJson(value, 2))).toEqual(value);
    expect(JSON.parse(safeJson(value))).toEqual(value);
  });

  it('keeps ordinary text readable', () => {
    expect(safeJson({ a: 'café 中文 — ok' })).toBe('{"a":"café 中文 — ok"}');
  });
});

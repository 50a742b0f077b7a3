import { describe, expect, it } from 'vitest';
import { sanitize, sanitizeAndTruncate } from '../../source/core/sanitize.js';

describe('sanitize', () => {
  it('removes ANSI CSI and OSC sequences, controls and bidi overrides', () => {
    expect(sanitize('\u001b[31mroot\u001b[0m')).toBe('root');
    expect(sanitize('a\u001b]0;pwned\u0007b')).toBe('ab');
    expect(sanitize('ad\u202emin')).toBe('admin');
    expect(sanitize('x\ny\rz')).toBe('x\uFFFDy\uFFFDz');
    expect(sanitize('\u009b31m')).toBe('');
    expect(sanitize('a\u0085b')).toBe('a\uFFFDb');
  });
  it('truncates with an ellipsis', () => {
    expect(sanitizeAndTruncate('abcdefgh', 5)).toBe('abcd…');
    expect(sanitizeAndTruncate('abc', 5)).toBe('abc');
  });
});

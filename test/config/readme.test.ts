import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withReference } from '../../scripts/config-reference.js';

describe('README configuration reference', () => {
  it('is up to date with the key table (npx tsx scripts/config-reference.ts --write)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(withReference(readme)).toBe(readme);
    expect(readme).toContain('npm test');
  });
});

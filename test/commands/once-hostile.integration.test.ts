// Hostile text in `once --json` (issue: a script printing a field got the raw sequence): an
// account name with U+009B (C1 CSI), U+202E (right-to-left override) and U+200B (zero width)
// is seeded for real; the JSON must carry them only as \uXXXX escapes, and parse back to the
// same string.
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackendKind } from '../../source/cluster/types.js';
import { onceCommand } from '../../source/commands/once.js';
import { testConfig } from '../support/config.js';
import { deleteIndices, seedIndex, sshDoc } from '../support/seed.js';

const HOSTILE = 'r\u009b31mo\u202eot\u200bx';

const backends: { kind: BackendKind; url: () => string }[] = [
  { kind: 'elasticsearch', url: () => inject('esUrl') },
  { kind: 'opensearch', url: () => inject('opensearchUrl') },
];

describe.each(backends)('once --json with hostile account names on $kind', ({ kind, url }) => {
  const index = `test-hostile-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    const now = Date.now();
    const docs = Array.from({ length: 6 }, (_, i) =>
      sshDoc({
        at: now - 60_000 + i * 1000,
        ip: '203.0.113.9',
        user: HOSTILE,
        kind: 'Failed',
        host: HOSTILE,
      }),
    );
    await seedIndex(url(), kind, index, docs);
  });
  afterAll(async () => {
    await deleteIndices(url(), [index]);
  });

  it('escapes C1, bidi and zero-width characters as \\uXXXX; parsed values are unchanged', async () => {
    let out = '';
    const stdout = new PassThrough();
    stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    const code = await onceCommand({
      config: testConfig({ nodes: [url()], indexPattern: index, escalationIndex: `${index}-esc` }),
      secrets: {},
      input: [],
      flags: { json: true },
      warnings: [],
      persist: { set: () => {} },
      stdout,
      stderr: new PassThrough(),
      stdin: new PassThrough(),
      signal: new AbortController().signal,
    });
    expect(code).toBe(0);
    for (const raw of ['\u009b', '\u202e', '\u200b']) expect(out).not.toContain(raw);
    expect(out).toContain('r\\u009b31mo\\u202eot\\u200bx');
    const parsed = JSON.parse(out) as {
      services: { offenders: { topUsers: { name: string }[]; hosts: { name: string }[] }[] }[];
      alerts: { key: string; summary: string }[];
    };
    const ssh = parsed.services[0]!;
    expect(ssh.offenders[0]?.topUsers[0]?.name).toBe(HOSTILE);
    expect(ssh.offenders[0]?.hosts[0]?.name).toBe(HOSTILE);
    expect(parsed.alerts.length).toBeGreaterThan(0);
  });
});

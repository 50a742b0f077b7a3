// Ids, input reading, templates and the printed report.
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { hashId, OccurrenceCounter, withIds } from '../../source/ingest/doc-id.js';
import { sshAuthDoc } from '../../source/ingest/ecs.js';
import { type InputChunk, readInput } from '../../source/ingest/input.js';
import {
  formatIssue,
  formatProgress,
  formatRejection,
  formatSummary,
  safeJsonLine,
} from '../../source/ingest/report.js';
import { authIndexTemplate, authTemplateName } from '../../source/ingest/template.js';
import { parseLines } from './helpers.js';

async function chunks(parts: (string | Buffer)[]): Promise<InputChunk[]> {
  const out: InputChunk[] = [];
  for await (const chunk of readInput(
    Readable.from(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part))),
  )) {
    out.push(chunk);
  }
  return out;
}

function allLines(result: InputChunk[]): [number, string][] {
  return result.flatMap((chunk) =>
    chunk.kind === 'lines'
      ? chunk.lines.map((line, i): [number, string] => [chunk.firstLineNumber + i, line])
      : [],
  );
}

describe('deterministic ids', () => {
  const lines = [
    'Jan 12 06:25:18 web1 sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2',
    'Jan 12 06:25:18 web1 sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2',
    'Jan 12 06:25:18 web2 sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2',
  ];

  it('depend on content only, and number identical lines', () => {
    const first = parseLines(lines, { file: 'a.log' }).items.map((item) => item.id);
    const second = parseLines(lines, { file: 'rotated/b.log', now: Date.UTC(2025, 0, 20) }).items.map(
      (item) => item.id,
    );
    expect(first).toEqual(second);
    expect(new Set(first).size).toBe(3);
  });

  it('hash parts unambiguously and count occurrences per timestamp', () => {
    expect(hashId(['ab', 'c'])).not.toBe(hashId(['a', 'bc']));
    expect(hashId(['x'])).toMatch(/^[A-Za-z0-9_-]{27}$/);
    const counter = new OccurrenceCounter();
    expect([
      counter.next('t1', 'k'),
      counter.next('t1', 'k'),
      counter.next('t1', 'j'),
      counter.next('t2', 'k'),
    ]).toEqual([0, 1, 0, 0]);
  });

  it('withIds numbers identical documents', () => {
    const doc = sshAuthDoc({
      timestamp: 0,
      process: 'sshd',
      message: 'm',
      event: 'Failed',
      user: 'u',
      source: '192.0.2.1',
    });
    const items = withIds([doc, doc, { ...doc, message: 'n' }]);
    expect(new Set(items.map((item) => item.id)).size).toBe(3);
    expect(withIds([doc])[0]!.id).toBe(items[0]!.id);
  });
});

describe('readInput', () => {
  it('splits lines across chunks, keeps numbers, handles a missing final newline', async () => {
    const result = await chunks(['a\nb', 'c\r\nd\n', '\ne']);
    expect(allLines(result)).toEqual([
      [1, 'a'],
      [2, 'bc\r'],
      [3, 'd'],
      [4, ''],
      [5, 'e'],
    ]);
  });

  it('decodes UTF-8 split across chunks', async () => {
    const bytes = Buffer.from('Invalid user jürgen from 192.0.2.1\n');
    const result = await chunks([bytes.subarray(0, 15), bytes.subarray(15)]);
    expect(allLines(result)).toEqual([[1, 'Invalid user jürgen from 192.0.2.1']]);
  });

  it('inflates gzip input', async () => {
    const result = await chunks([gzipSync('one\ntwo\n')]);
    expect(allLines(result)).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
  });

  it('reads a pretty-printed JSON document whole, JSON lines line by line', async () => {
    expect(await chunks(['[\n  {"EventID": 4625},\n', '  {"EventID": 4624}\n]\n'])).toEqual([
      { kind: 'records', records: [{ EventID: 4625 }, { EventID: 4624 }] },
    ]);
    expect(await chunks(['{\n "a": 1\n}'])).toEqual([{ kind: 'records', records: [{ a: 1 }] }]);
    expect(allLines(await chunks(['{"a":1}\n{"b":2}\n']))).toEqual([
      [1, '{"a":1}'],
      [2, '{"b":2}'],
    ]);
    // Starts like JSON but is not: read as lines (the parser reports them).
    expect(allLines(await chunks(['{\nnot json\n']))).toEqual([
      [1, '{'],
      [2, 'not json'],
    ]);
  });

  it('yields nothing for empty input', async () => {
    expect(await chunks([])).toEqual([]);
  });
});

describe('index template', () => {
  it('maps the fields queries use with ECS types, core types only', () => {
    const template = authIndexTemplate('soc-watch-auth');
    const text = JSON.stringify(template);
    expect(template.index_patterns).toEqual(['soc-watch-auth']);
    expect(text).not.toContain('match_only_text');
    const properties = (
      template.template as {
        mappings: { properties: Record<string, { properties?: Record<string, unknown>; type?: string }> };
      }
    ).mappings.properties;
    expect(properties['@timestamp']).toEqual({ type: 'date' });
    expect(properties.message).toEqual({ type: 'text' });
    expect(properties.source?.properties?.ip).toEqual({ type: 'ip' });
    expect(properties.user?.properties?.name).toMatchObject({ type: 'keyword' });
    expect(properties.process?.properties?.pid).toEqual({ type: 'long' });
    expect(authTemplateName('Logs Auth!')).toBe('soc-watch-auth-logs_auth_');
  });
});

describe('report', () => {
  const evil =
    'Jan 12 06:25:18 web1 sshd[1]: Invalid user \u001b[2J\u001b]0;owned\u0007x\u202e from 192.0.2.1 port';

  it('sanitises log text before it reaches the terminal', () => {
    const line = formatIssue({ file: 'auth\u001b[31m.log', line: 7, reason: 'r', text: evil });
    expect(line).toBe('auth.log:7: r: Jan 12 06:25:18 web1 sshd[1]: Invalid user x from 192.0.2.1 port');
    expect(formatRejection({ id: 'i', status: 400, reason: 'bad \u009b31mvalue' })).toBe(
      'document i: HTTP 400 bad value',
    );
  });

  it('escapes C1 controls and bidi characters in NDJSON output', () => {
    const json = safeJsonLine({ user: 'a\u009b\u202eb\u001b' });
    expect(json).toBe('{"user":"a\\u009b\\u202eb\\u001b"}');
    expect(JSON.parse(json)).toEqual({ user: 'a\u009b\u202eb\u001b' });
  });

  it('formats progress and summary', () => {
    const stats = { lines: 120_000, events: 1_000, merged: 10, skipped: 118_990, unparsed: 0 };
    expect(
      formatProgress({
        stats,
        counts: { created: 900, duplicates: 100, rejected: 0, retries: 0 },
        elapsedMs: 2_000,
      }),
    ).toBe('ingest: 120,000 lines (60,000/s) · indexed 900 · duplicates 100 · skipped 118,990 · unparsed 0');
    const summary = formatSummary({
      stats: { ...stats, unparsed: 3 },
      counts: { created: 900, duplicates: 100, rejected: 2, retries: 0 },
      elapsedMs: 2_000,
      index: 'soc-watch-auth',
      issues: [{ file: 'a', line: 1, reason: 'r', text: 't' }],
      rejections: [{ id: 'x', status: 400, reason: 'mapper_parsing_exception: failed' }],
      inputErrors: ['b.log: ENOENT'],
      limit: 1,
    });
    expect(summary).toEqual([
      'Read 120,000 lines in 2.0 s (60,000 lines/s): 1,000 authentication events, 10 lines merged into events already counted, 118,990 skipped (not authentication events), 3 unparsed.',
      'Index soc-watch-auth: 900 created, 100 duplicates (already indexed), 2 rejected.',
      'Could not read b.log: ENOENT',
      'Unparsed lines (look like sshd/Windows authentication events but could not be read):',
      '  a:1: r: t',
      '  … and 2 more',
      'Rejected by the cluster (not indexed):',
      '  document x: HTTP 400 mapper_parsing_exception: failed',
      '  … and 1 more',
    ]);
  });
});

// Shared helpers for the ingest tests: run the pure parser over lines or a fixture file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IngestItem } from '../../source/ingest/doc-id.js';
import type { EcsDoc } from '../../source/ingest/ecs.js';
import { LogParser, type ParserOptions } from '../../source/ingest/parser.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export function fixture(name: string): string {
  return `${FIXTURES}${name}`;
}

export interface Parsed {
  items: IngestItem[];
  docs: EcsDoc[];
  parser: LogParser;
}

/** Parse lines (1-based line numbers) with UTC as the zone unless told otherwise. */
export function parseLines(lines: readonly string[], options: Partial<ParserOptions> = {}): Parsed {
  const parser = new LogParser({
    format: 'auto',
    file: 'test.log',
    now: Date.UTC(2025, 0, 13),
    zone: 'utc',
    ...options,
  });
  const items: IngestItem[] = [];
  lines.forEach((line, i) => {
    parser.push(line, i + 1, items);
  });
  parser.finish(items);
  return { items, docs: items.map((item) => item.doc), parser };
}

export function parseFixture(name: string, options: Partial<ParserOptions> = {}): Parsed {
  const text = readFileSync(fixture(name), 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return parseLines(lines, { file: name, ...options });
}

/** Failures (outcome failure) per source (ip, or domain, or '-'). */
export function failuresBySource(docs: readonly EcsDoc[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const doc of docs) {
    if (doc.event.outcome !== 'failure') continue;
    const key = doc.source?.ip ?? doc.source?.domain ?? '-';
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

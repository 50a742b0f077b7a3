// The follower's parser writes sshd documents as JSON text directly (ecs.ts sshAuthJson) and
// keeps each as its bulk lines (bulk-send.ts BulkParts). What reaches the cluster must be the
// same bytes, with the same ids, as the document objects that `ingest` of whole files builds:
// every fixture is parsed both ways and compared, and the builder is compared with
// JSON.stringify(sshAuthDoc(…)) on inputs covering each optional field and hostile strings.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IngestItem } from '../../source/ingest/doc-id.js';
import { type SshAuthInput, sshAuthDoc, sshAuthJson } from '../../source/ingest/ecs.js';
import { BulkParts, bulkPart } from '../../source/ingest/follow/bulk-send.js';
import { LogParser } from '../../source/ingest/parser.js';

const fixtures = join(import.meta.dirname, 'fixtures');

function fixtureFiles(): string[] {
  const top = readdirSync(fixtures).filter((name) => /\.(log|ndjson|json)$/.test(name));
  const fidelity = readdirSync(join(fixtures, 'fidelity')).map((name) => join('fidelity', name));
  return [...top, ...fidelity];
}

function parseBoth(name: string): { objects: IngestItem[]; parts: BulkParts } {
  const lines = readFileSync(join(fixtures, name), 'utf8').split('\n');
  const options = {
    format: 'auto',
    file: name,
    now: Date.parse('2026-12-03T10:00:00Z'),
    zone: 'utc',
  } as const;
  const asObjects = new LogParser(options);
  const asText = new LogParser(options);
  const objects: IngestItem[] = [];
  const parts = new BulkParts();
  lines.forEach((line, i) => {
    asObjects.push(line, i + 1, objects);
    asText.push(line, i + 1, parts);
  });
  asObjects.finish(objects);
  asText.finish(parts);
  return { objects, parts };
}

describe('documents written as text', () => {
  it('are the bytes and ids of the document objects, on every fixture', () => {
    let compared = 0;
    for (const name of fixtureFiles()) {
      const { objects, parts } = parseBoth(name);
      const texts = Array.from({ length: parts.size }, (_, i) => parts.part(i).toString());
      expect(texts, name).toEqual(objects.map((item) => bulkPart(item.id, JSON.stringify(item.doc))));
      expect(
        texts.map((_, i) => parts.id(i)),
        name,
      ).toEqual(objects.map((item) => item.id));
      const all = texts.map((_, i) => i);
      expect(parts.body(all).toString(), name).toBe(texts.join(''));
      // A retry of some documents (not consecutive) carries exactly those.
      const odd = all.filter((i) => i % 2 === 1);
      expect(parts.body(odd).toString(), name).toBe(odd.map((i) => texts[i]).join(''));
      if (objects.length > 0)
        expect(parts.lastTimestamp, name).toBe(objects[objects.length - 1]?.doc['@timestamp']);
      compared += objects.length;
    }
    // The fixtures hold sshd and Windows documents of every kind the parser makes.
    expect(compared).toBeGreaterThan(60);
  });

  it('match JSON.stringify(sshAuthDoc) for each optional field and hostile strings', () => {
    const base: SshAuthInput = {
      timestamp: Date.parse('2026-12-03T10:00:00.123Z'),
      process: 'sshd',
      message: 'Failed password for root from 192.0.2.1 port 22 ssh2',
      event: 'Failed',
    };
    const variants: Partial<SshAuthInput>[] = [
      {},
      { host: 'web1', pid: 42, user: 'root', source: '192.0.2.1', port: 2222, method: 'password' },
      {
        event: 'Accepted',
        method: 'publickey',
        signature: 'RSA SHA256:abc',
        user: 'alice',
        source: '2001:db8::1',
      },
      { event: 'Invalid', user: 'a"b\\c\r\n\u2028\u0000é', source: 'attacker.example', host: '' },
      { source: '', port: 5 },
      { port: 7 },
      { user: '', host: 'h"ost', pid: 0 },
      { message: '', process: 'sshd-session' },
      {
        source: '198.51.100.7',
        enrichment: { geo: { country_iso_code: 'NL', country_name: 'Netherlands' } },
      },
      {
        source: '198.51.100.7',
        port: 1,
        enrichment: { as: { number: 64_500, organization: { name: 'AS "x"' } } },
      },
      { source: '999.1.1.1' },
    ];
    for (const variant of variants) {
      const input = { ...base, ...variant } as SshAuthInput;
      expect(sshAuthJson(input), JSON.stringify(variant)).toBe(JSON.stringify(sshAuthDoc(input)));
    }
  });
});

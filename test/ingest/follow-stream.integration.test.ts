// `journalctl -f -o json | soc-watch ingest - --cursor-file F` against both real engines: the
// stream is indexed as it comes, the cursor of the last indexed record is kept in F, and a
// restart whose journalctl replays records up to that cursor skips them.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, inject, it } from 'vitest';
import type { CommandContext } from '../../source/commands/context.js';
import { createIngestCommand } from '../../source/commands/ingest.js';
import { testConfig } from '../support/config.js';
import { deleteIndex, indexIds } from './follow-support.js';

const cursor = (i: number) => `s=5a1e;i=${i.toString(16)};b=b007;m=${i};t=${i};x=${i}`;
function record(i: number): string {
  return JSON.stringify({
    __CURSOR: cursor(i),
    __REALTIME_TIMESTAMP: String(Date.UTC(2026, 11, 3, 10, 0, i) * 1000),
    _HOSTNAME: 'bastion',
    SYSLOG_IDENTIFIER: 'sshd',
    _PID: String(4000 + i),
    MESSAGE: `Failed password for invalid user u${i} from 203.0.113.${i} port ${40_000 + i} ssh2`,
  });
}

async function run(url: string, index: string, cursorFile: string, lines: string[]) {
  let out = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      out += String(chunk);
      done();
    },
  });
  const context: CommandContext = {
    config: testConfig({ nodes: [url] }),
    secrets: {},
    input: ['-'],
    flags: { format: 'auto', to: index, cursorFile },
    warnings: [],
    persist: { set: () => {} },
    stdout: sink,
    stderr: sink,
    stdin: Readable.from(lines.map((line) => `${line}\n`)),
    signal: new AbortController().signal,
  };
  const code = await createIngestCommand()(context);
  return { code, out };
}

describe.each([
  ['Elasticsearch', () => inject('esUrl')],
  ['OpenSearch', () => inject('opensearchUrl')],
])('ingest - --cursor-file into %s', (_name, urlOf) => {
  it('keeps the last indexed cursor and skips what journalctl replays', async () => {
    const url = urlOf();
    const index = `test-follow-stream-${randomUUID().slice(0, 8)}`;
    const cursorFile = join(mkdtempSync(join(tmpdir(), 'soc-watch-cursor-')), 'journal.cursor');
    try {
      const first = await run(url, index, cursorFile, [1, 2, 3].map(record));
      expect(first.code).toBe(0);
      expect(first.out).toMatch(/3 created/);
      expect(readFileSync(cursorFile, 'utf8').trim()).toBe(cursor(3));
      // journalctl started with an overlap: 2 and 3 again, then 4.
      const second = await run(url, index, cursorFile, [2, 3, 4].map(record));
      expect(second.code).toBe(0);
      expect(second.out).toMatch(/1 created · 0 already indexed/);
      expect(readFileSync(cursorFile, 'utf8').trim()).toBe(cursor(4));
      expect(await indexIds(url, index)).toHaveLength(4);
    } finally {
      await deleteIndex(url, index);
    }
  });
});

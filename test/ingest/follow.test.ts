// The follower's file handling on real files (no cluster): complete lines only, rotation by
// rename (with the old file's tail written after the rename), copytruncate (the copied tail
// is read from the copy), a file that appears later, and restoring a checkpoint after the
// file was rotated while the follower was stopped.
import { appendFileSync, copyFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../source/ingest/follow/checkpoint.js';
import { lineCursor, notAfter } from '../../source/ingest/follow/journal-cursor.js';
import { completeLines } from '../../source/ingest/follow/lines.js';
import { StreamSource } from '../../source/ingest/follow/stream-source.js';
import { PathTailer } from '../../source/ingest/follow/tailer.js';

const tailers: PathTailer[] = [];
afterEach(async () => {
  for (const tailer of tailers.splice(0)) await tailer.close();
});

function tailer(path: string, drainIdleMs = 0): PathTailer {
  const created = new PathTailer(path, { drainIdleMs });
  tailers.push(created);
  return created;
}

async function drain(follower: PathTailer): Promise<string[]> {
  await follower.poll();
  const out: string[] = [];
  for (const run of await follower.read(1 << 20)) out.push(...run.lines);
  return out;
}

const directory = () => mkdtempSync(join(tmpdir(), 'soc-watch-follow-'));
const lines = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `line ${from + i}\n`).join('');

describe('complete lines', () => {
  it('keeps an unfinished line for the next read, and takes it whole at the end of a rotated file', () => {
    expect(completeLines(Buffer.from('a\nb\npartial'))).toEqual({ lines: ['a', 'b'], consumed: 4 });
    expect(completeLines(Buffer.from('partial'))).toEqual({ lines: [], consumed: 0 });
    expect(completeLines(Buffer.from('a\nlast'), true)).toEqual({ lines: ['a', 'last'], consumed: 6 });
  });
});

describe('journald cursors', () => {
  const cursor = (i: string) => `s=abc;i=${i};b=def;m=1;t=2;x=3`;
  it('reads __CURSOR without parsing the record, and orders cursors of one journal', () => {
    expect(lineCursor(`{"__CURSOR":"${cursor('1f')}","MESSAGE":"x"}`)).toBe(cursor('1f'));
    expect(notAfter(cursor('1e'), cursor('1f'))).toBe(true);
    expect(notAfter(cursor('1f'), cursor('1f'))).toBe(true);
    expect(notAfter(cursor('20'), cursor('1f'))).toBe(false);
    expect(notAfter('s=other;i=1', cursor('1f'))).toBe(false);
  });

  it('skips records at or before the saved cursor in a stream', async () => {
    const records = ['1', '2', '3'].map((i) => `{"__CURSOR":"${cursor(i)}","MESSAGE":"m${i}"}\n`);
    const source = new StreamSource(Readable.from([records.join('')]), { cursor: cursor('2') });
    await source.wait(1000);
    const [run] = await source.read(1 << 20);
    expect(run?.lines.filter((line) => line !== '')).toEqual([records[2]?.trim()]);
    expect(source.skipped).toBe(2);
    expect(source.mark()).toEqual({ cursor: cursor('3') });
  });
});

describe('following a path', () => {
  it('reads only complete lines, and a file that appears later', async () => {
    const dir = directory();
    const path = join(dir, 'auth.log');
    const follower = tailer(path);
    expect(await drain(follower)).toEqual([]);
    writeFileSync(path, 'one\ntw');
    expect(await drain(follower)).toEqual(['one']);
    appendFileSync(path, 'o\n');
    expect(await drain(follower)).toEqual(['two']);
    expect(follower.mark().current?.offset).toBe(8);
    expect(follower.mark().current?.line).toBe(2);
  });

  it('follows rename-and-create, reading the old file’s tail written after the rename', async () => {
    const dir = directory();
    const path = join(dir, 'auth.log');
    writeFileSync(path, lines(0, 3));
    const follower = tailer(path, 50);
    expect(await drain(follower)).toEqual(['line 0', 'line 1', 'line 2']);
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, lines(3, 5)); // the daemon has not reopened its log yet
    writeFileSync(path, lines(5, 7));
    const got = await drain(follower);
    expect(got).toEqual(['line 3', 'line 4', 'line 5', 'line 6']);
    expect(follower.mark().rotated).toHaveLength(1);
    appendFileSync(`${path}.1`, 'line 7 without a line break');
    await new Promise((resolve) => setTimeout(resolve, 80));
    await drain(follower); // quiet: noted
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await drain(follower)).toEqual(['line 7 without a line break']);
    expect(follower.mark().rotated).toHaveLength(0);
  });

  it('reads the file that was at the path only between two polls (rotated twice in a row)', async () => {
    const dir = directory();
    const path = join(dir, 'auth.log');
    writeFileSync(`${path}.1`, 'an old rotated file, read long ago\n');
    writeFileSync(path, lines(0, 2));
    const follower = tailer(path, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // older than the last poll's slack
    expect(await drain(follower)).toEqual(['line 0', 'line 1']);
    // logrotate twice (keeping 2): .1 → .2, the log → .1, a new log; and again.
    renameSync(`${path}.1`, `${path}.2`);
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, lines(2, 3));
    writeFileSync(path, lines(3, 5));
    renameSync(`${path}.1`, `${path}.2`);
    renameSync(path, `${path}.1`);
    writeFileSync(path, lines(5, 6));
    expect(await drain(follower)).toEqual(['line 2', 'line 3', 'line 4', 'line 5']);
  });
  it('follows copytruncate: the lines copied but not read yet come from the copy', async () => {
    const dir = directory();
    const path = join(dir, 'auth.log');
    writeFileSync(path, lines(0, 300)); // longer than the hashed head
    const follower = tailer(path);
    expect(await drain(follower)).toHaveLength(300);
    appendFileSync(path, lines(300, 305)); // written, not read yet
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    appendFileSync(path, lines(305, 307));
    expect(await drain(follower)).toEqual([
      'line 300',
      'line 301',
      'line 302',
      'line 303',
      'line 304',
      'line 305',
      'line 306',
    ]);
  });

  it('notices copytruncate even when the file has grown past the old offset again', async () => {
    const dir = directory();
    const path = join(dir, 'auth.log');
    writeFileSync(path, lines(0, 2));
    const follower = tailer(path);
    expect(await drain(follower)).toHaveLength(2);
    truncateSync(path, 0);
    writeFileSync(path, lines(100, 110));
    expect(await drain(follower)).toHaveLength(10);
  });

  it('resumes from a checkpoint after rotations while stopped', async () => {
    const dir = directory();
    const path = join(dir, 'auth.log');
    writeFileSync(path, lines(0, 3));
    const first = tailer(path);
    expect(await drain(first)).toHaveLength(3);
    const checkpoint = parseCheckpoint(
      JSON.stringify({ version: 1, index: 'x', savedAt: '', paths: [first.mark()] }),
    );
    if (typeof checkpoint === 'string') throw new Error(checkpoint);
    await first.close();
    appendFileSync(path, lines(3, 4));
    renameSync(path, `${path}.2`);
    writeFileSync(`${path}.1`, lines(4, 6));
    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(path, lines(6, 8));
    const second = tailer(path);
    await second.restore(checkpoint.paths[0] as never);
    expect(await drain(second)).toEqual(['line 3', 'line 4', 'line 5', 'line 6', 'line 7']);
  });
});

describe('restoring after copytruncate while stopped', () => {
  it('reads the lines after the checkpoint from the copy, then the truncated file', async () => {
    const dir = directory();
    const path = join(dir, 'auth.log');
    writeFileSync(path, lines(0, 3));
    const first = tailer(path);
    expect(await drain(first)).toHaveLength(3);
    const mark = first.mark();
    await first.close();
    appendFileSync(path, lines(3, 5));
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    appendFileSync(path, lines(5, 6));
    const second = tailer(path);
    await second.restore(mark);
    expect(await drain(second)).toEqual(['line 3', 'line 4', 'line 5']);
  });
});

describe('bulk answers', () => {
  it('sorts items: created, already indexed, to send again (429/5xx), refused for good', async () => {
    const { BulkParts, sortItems } = await import('../../source/ingest/follow/bulk-send.js');
    const docs = new BulkParts();
    for (const id of ['a', 'b', 'c', 'd', 'e']) docs.add(id, '{}', '2026-12-03T10:00:00.000Z');
    const items = [0, 1, 2, 3, 4];
    const outcome = sortItems(docs, items, {
      items: [
        { create: { status: 201 } },
        { create: { status: 409 } },
        { create: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } },
        { create: { status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad ip' } } },
        // The index made read-only when the disk filled up: waits, is not refused.
        {
          create: {
            status: 403,
            error: { type: 'cluster_block_exception', reason: 'index [x] blocked by: [FORBIDDEN/12/…]' },
          },
        },
      ],
    });
    expect(outcome.created).toBe(1);
    expect(outcome.duplicates).toBe(1);
    expect(outcome.retry).toEqual([2, 4]);
    expect(outcome.rejected).toEqual([{ id: 'd', status: 400, reason: 'mapper_parsing_exception: bad ip' }]);
    // An answer that does not match the request: everything again (409s make it safe).
    expect(sortItems(docs, items, { items: [] }).retry).toHaveLength(5);
  });
});

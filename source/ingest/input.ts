// Reading one input: a byte stream → batches of lines (one batch per chunk read, so the parser
// loop is not paying an await per line). gzip-compressed input (rotated `auth.log.2.gz`) is
// recognised by its magic bytes and inflated. A file that is one JSON document spread over
// many lines (PowerShell `ConvertTo-Json` without -Compress writes a pretty-printed array) is
// recognised by its first line being the start of JSON but not a JSON value by itself, and is
// then read whole and handed over as records.
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

export type InputChunk =
  | { kind: 'lines'; lines: string[]; firstLineNumber: number }
  | { kind: 'records'; records: unknown[] };

/** Largest multi-line JSON document read whole (larger ones are read line by line). */
const MAX_DOCUMENT_CHARS = 512 * 1024 * 1024;

async function* bytes(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

/** Inflate when the stream starts with the gzip magic number 1f 8b. */
async function* maybeGunzip(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const iterator = bytes(stream)[Symbol.asyncIterator]();
  const head = await iterator.next();
  if (head.done) return;
  const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => iterator };
  if (head.value.length >= 2 && head.value[0] === 0x1f && head.value[1] === 0x8b) {
    const source = Readable.from(
      (async function* () {
        yield head.value;
        yield* rest;
      })(),
    );
    yield* bytes(source.pipe(createGunzip()));
    return;
  }
  yield head.value;
  yield* rest;
}

function startsJson(line: string): boolean {
  const trimmed = line.replace(/^\uFEFF/, '').trimStart();
  if (!trimmed.startsWith('[') && !trimmed.startsWith('{')) return false;
  try {
    JSON.parse(trimmed);
    return false; // a complete value on its own line: JSON lines
  } catch {
    return true;
  }
}

export async function* readInput(stream: AsyncIterable<Buffer | string>): AsyncGenerator<InputChunk> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let lineNumber = 1;
  let mode: 'undecided' | 'lines' | 'document' = 'undecided';

  for await (const chunk of maybeGunzip(stream)) {
    pending += decoder.write(chunk);
    if (mode === 'undecided') {
      const newline = pending.indexOf('\n');
      if (newline === -1) continue;
      mode = startsJson(pending.slice(0, newline)) ? 'document' : 'lines';
    }
    if (mode === 'document') {
      if (pending.length > MAX_DOCUMENT_CHARS) mode = 'lines';
      else continue;
    }
    const end = pending.lastIndexOf('\n');
    if (end === -1) continue;
    const lines = pending.slice(0, end).split('\n');
    pending = pending.slice(end + 1);
    yield { kind: 'lines', lines, firstLineNumber: lineNumber };
    lineNumber += lines.length;
  }
  pending += decoder.end();

  if (mode === 'document' || (mode === 'undecided' && startsJson(pending.split('\n', 1)[0] ?? ''))) {
    try {
      const value: unknown = JSON.parse(pending.replace(/^\uFEFF/, ''));
      yield { kind: 'records', records: Array.isArray(value) ? value : [value] };
      return;
    } catch {
      // Not one JSON document after all: read it as lines (each bad line gets reported).
    }
  }
  if (pending === '') return;
  const lines = pending.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length > 0) yield { kind: 'lines', lines, firstLineNumber: lineNumber };
}

// journald cursors (`__CURSOR` of `journalctl -o json`), for `ingest - --cursor-file`. A cursor
// looks like `s=<seqnum id>;i=<seqnum hex>;b=<boot id>;m=<monotonic hex>;t=<realtime hex>;x=…`.
// Within one sequence-number id, `i` orders entries; that is all we compare (a record at or
// before the saved cursor, replayed because journalctl was started with an overlap, is skipped).

const CURSOR_FIELD = /"__CURSOR"\s*:\s*"([^"\\]{1,512})"/;

/** The cursor of one `journalctl -o json` line, without parsing the whole record. */
export function lineCursor(line: string): string | undefined {
  return CURSOR_FIELD.exec(line)?.[1];
}

function parts(cursor: string): { seqnumId: string; seqnum: bigint } | undefined {
  let seqnumId: string | undefined;
  let seqnum: bigint | undefined;
  for (const part of cursor.split(';')) {
    if (part.startsWith('s=')) seqnumId = part.slice(2);
    else if (part.startsWith('i=') && /^[0-9a-f]{1,16}$/i.test(part.slice(2)))
      seqnum = BigInt(`0x${part.slice(2)}`);
  }
  return seqnumId !== undefined && seqnum !== undefined ? { seqnumId, seqnum } : undefined;
}

/** True when `cursor` is the saved one or comes before it in the same journal sequence. */
export function notAfter(cursor: string, saved: string): boolean {
  if (cursor === saved) return true;
  const a = parts(cursor);
  const b = parts(saved);
  return a !== undefined && b !== undefined && a.seqnumId === b.seqnumId && a.seqnum <= b.seqnum;
}

// Cutting bytes read from a growing file into complete lines. Only bytes up to the last line
// break are consumed: a line the writer has not finished yet is read again, whole, next time
// (its offset is never checkpointed), so a restart can never split a line in two.

export interface LineBlock {
  lines: string[];
  /** Bytes consumed: the end of the last complete line (0 when there is none). */
  consumed: number;
}

/** Longest line kept whole; a longer run without a line break is cut here (it cannot be a log line we parse). */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * The complete lines at the start of `bytes`. `atEnd`: no more bytes will come (a rotated file
 * that stopped growing), so a last line without a line break is complete too.
 */
export function completeLines(bytes: Buffer, atEnd = false): LineBlock {
  let end = bytes.lastIndexOf(0x0a);
  if (end === -1) {
    if (bytes.length === 0) return { lines: [], consumed: 0 };
    if (!atEnd && bytes.length < MAX_LINE_BYTES) return { lines: [], consumed: 0 };
    return { lines: [bytes.toString('utf8')], consumed: bytes.length };
  }
  const lines = bytes.toString('utf8', 0, end).split('\n');
  end += 1;
  if (atEnd && end < bytes.length) {
    lines.push(bytes.toString('utf8', end));
    end = bytes.length;
  }
  return { lines, consumed: end };
}

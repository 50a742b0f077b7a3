// `journalctl -o json` records (one JSON object per line). Modern Debian/Ubuntu keep sshd's
// log only in the journal. Fields: __REALTIME_TIMESTAMP (µs since the epoch, a decimal
// string), _HOSTNAME, _PID (or SYSLOG_PID), SYSLOG_IDENTIFIER (or _COMM), MESSAGE. journald
// writes a field that is not valid UTF-8 as an array of byte values, and a field that occurs
// several times as an array of values.

export interface JournalRecord {
  timestamp: number;
  host?: string;
  program?: string;
  pid?: number;
  message: string;
}

export type JournalResult = JournalRecord | { error: string };

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A journald field value → text: strings as they are, byte arrays decoded (invalid bytes → U+FFFD). */
export function journalText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (value.every((byte) => typeof byte === 'number' && Number.isInteger(byte) && byte >= 0 && byte <= 255)) {
    return utf8.decode(Uint8Array.from(value as number[]));
  }
  // A repeated field: its first value.
  return journalText(value[0]);
}

export function isJournalRecord(record: Record<string, unknown>): boolean {
  return (
    '__REALTIME_TIMESTAMP' in record || ('MESSAGE' in record && ('_HOSTNAME' in record || '_PID' in record))
  );
}

export function decodeJournalRecord(record: Record<string, unknown>): JournalResult {
  const micros = journalText(record.__REALTIME_TIMESTAMP);
  if (micros === undefined || !/^\d{1,19}$/.test(micros))
    return { error: 'journald record without __REALTIME_TIMESTAMP' };
  const message = journalText(record.MESSAGE);
  if (message === undefined) return { error: 'journald record without a MESSAGE' };
  const out: JournalRecord = { timestamp: Math.floor(Number(micros) / 1000), message };
  const host = journalText(record._HOSTNAME);
  if (host) out.host = host;
  const program = journalText(record.SYSLOG_IDENTIFIER) ?? journalText(record._COMM);
  if (program) out.program = program;
  const pid = journalText(record._PID) ?? journalText(record.SYSLOG_PID);
  if (pid !== undefined && /^\d{1,10}$/.test(pid)) out.pid = Number(pid);
  return out;
}

// Syslog line headers, in the forms auth.log / secure files take:
//   RFC 3164         `Oct  3 10:00:01 host sshd[1234]: msg` (optionally `<38>` first, `.123456` after the seconds)
//   ISO 8601         `2024-10-03T10:00:01.123456+02:00 host sshd[1234]: msg` (rsyslog high precision, journalctl -o short-iso)
//   RFC 5424         `<38>1 2024-10-03T10:00:01.123Z host sshd 1234 - - msg`
// The host and the `program[pid]:` tag are each optional. Parsing is by position with a few
// anchored regular expressions: no backtracking over the message itself.
import { fractionToMillis, MONTHS, parseIsoTimestamp, type YearInference, type Zone } from './timestamps.js';

export interface SyslogRecord {
  timestamp: number;
  host?: string;
  program?: string;
  pid?: number;
  message: string;
}

const RFC3164 = /^(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))? /;
const ISO_PREFIX =
  /^(?:<\d{1,3}>)?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|z|[+-]\d\d(?::?\d\d)?)?) /;
const RFC5424 = /^<\d{1,3}>\d{1,2} (\S+) (\S+) (\S+) (\S+) (\S+) /;
const TAG = /^([^\s[\]:]+)(?:\[(\d+)\])?:$/;
// Solaris/illumos syslogd adds a message id: `[ID 800047 auth.info] `.
const SOLARIS_ID = /^\[ID \d+ [\w.]+\] /;

export type HeaderResult = SyslogRecord | undefined;

/**
 * Parse the header of one syslog line. `looksLikeMessage` decides, when there is no
 * `program:` tag, whether the first word is a host name or already the message.
 */
export function parseSyslogLine(
  line: string,
  years: YearInference,
  zone: Zone,
  looksLikeMessage: (text: string) => boolean,
): HeaderResult {
  let timestamp: number | undefined;
  let rest: string;

  const classic = RFC3164.exec(line);
  if (classic) {
    const month = MONTHS[classic[1]!];
    const day = Number(classic[2]);
    if (month === undefined || day < 1 || day > 31) return undefined;
    timestamp = years.resolve(
      month,
      day,
      Number(classic[3]),
      Number(classic[4]),
      Number(classic[5]),
      fractionToMillis(classic[6]),
    );
    rest = line.slice(classic[0].length);
  } else if (line.charCodeAt(0) === 60 /* < */ && RFC5424.test(line)) {
    return parseRfc5424(line, zone);
  } else {
    const iso = ISO_PREFIX.exec(line);
    if (!iso) return undefined;
    timestamp = parseIsoTimestamp(iso[1]!, zone);
    if (timestamp === undefined) return undefined;
    rest = line.slice(iso[0].length);
  }
  return splitHostAndTag(timestamp, rest, looksLikeMessage);
}

function splitHostAndTag(
  timestamp: number,
  rest: string,
  looksLikeMessage: (text: string) => boolean,
): SyslogRecord {
  const first = word(rest, 0);
  const firstTag = TAG.exec(first.text);
  if (firstTag) return record(timestamp, undefined, firstTag, rest.slice(first.next));

  const second = word(rest, first.next);
  const secondTag = TAG.exec(second.text);
  if (secondTag) return record(timestamp, first.text || undefined, secondTag, rest.slice(second.next));

  // No `program:` tag. Either `host message` or a bare message.
  const afterHost = rest.slice(first.next);
  if (!looksLikeMessage(afterHost) && looksLikeMessage(rest))
    return { timestamp, message: stripSolaris(rest) };
  return { timestamp, ...(first.text ? { host: first.text } : {}), message: stripSolaris(afterHost) };
}

function record(
  timestamp: number,
  host: string | undefined,
  tag: RegExpExecArray,
  message: string,
): SyslogRecord {
  const out: SyslogRecord = { timestamp, program: tag[1]!, message: stripSolaris(message) };
  if (host) out.host = host;
  if (tag[2] !== undefined) out.pid = Number(tag[2]);
  return out;
}

function word(text: string, from: number): { text: string; next: number } {
  const space = text.indexOf(' ', from);
  if (space === -1) return { text: text.slice(from), next: text.length };
  return { text: text.slice(from, space), next: space + 1 };
}

function stripSolaris(message: string): string {
  return message.charCodeAt(0) === 91 /* [ */ ? message.replace(SOLARIS_ID, '') : message;
}

function parseRfc5424(line: string, zone: Zone): HeaderResult {
  const match = RFC5424.exec(line)!;
  const [, time, host, app, procid] = match;
  const timestamp = parseIsoTimestamp(time!, zone);
  if (timestamp === undefined) return undefined;
  let rest = line.slice(match[0].length);
  // Structured data: `-` or one or more `[id key="value" …]` elements (`]`, `"`, `\` escaped).
  if (rest.startsWith('-')) rest = rest.slice(rest.startsWith('- ') ? 2 : 1);
  else if (rest.startsWith('[')) {
    const end = structuredDataEnd(rest);
    if (end === undefined) return undefined;
    rest = rest.slice(end).replace(/^ /, '');
  }
  if (rest.charCodeAt(0) === 0xfeff) rest = rest.slice(1);
  const out: SyslogRecord = { timestamp, message: rest };
  if (host !== '-') out.host = host!;
  if (app !== '-') out.program = app!;
  if (procid !== '-' && /^\d+$/.test(procid!)) out.pid = Number(procid);
  return out;
}

function structuredDataEnd(text: string): number | undefined {
  let i = 0;
  while (text[i] === '[') {
    i += 1;
    let quoted = false;
    for (; i < text.length; i += 1) {
      const char = text[i];
      if (char === '\\') i += 1;
      else if (char === '"') quoted = !quoted;
      else if (char === ']' && !quoted) break;
    }
    if (i >= text.length) return undefined;
    i += 1;
  }
  return i;
}

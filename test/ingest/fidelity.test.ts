// Issue 15 §1: fidelity fixes found on real third-party logs, each with its own fixture under
// fixtures/fidelity/ (synthetic repros of the shapes seen). Pure parser, no cluster; the
// cluster side of 15.1.2 and 15.1.7 is in fidelity.integration.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { IngestItem } from '../../source/ingest/doc-id.js';
import { LogParser } from '../../source/ingest/parser.js';
import { failuresBySource, fixture, parseFixture, parseLines } from './helpers.js';

function fixtureLines(name: string): string[] {
  const lines = readFileSync(fixture(name), 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const ids = (items: readonly IngestItem[]) => items.map((item) => item.id);

describe('15.1.2 a growing file is not double counted', () => {
  it('gives the attempt the same id whether the file ended at the PAM line or after sshd’s line', () => {
    const lines = fixtureLines('fidelity/growing-pam.log');
    const full = parseLines(lines);
    // 3 failures: two Failed lines (each announced by pam_unix first) and one more that only
    // `PAM 1 more` witnessed.
    expect(full.docs.filter((doc) => doc.event.outcome === 'failure')).toHaveLength(3);
    const fullIds = new Set(ids(full.items));
    expect(fullIds.size).toBe(3);
    // Every prefix of the file (the file as a first ingest saw it) yields only ids the whole
    // file yields too: the second ingest adds nothing for an attempt already indexed.
    for (let end = 1; end <= lines.length; end += 1) {
      const prefix = parseLines(lines.slice(0, end));
      for (const id of ids(prefix.items)) expect(fullIds.has(id), `prefix of ${end} lines`).toBe(true);
    }
  });

  it('holds every prefix of the existing fixtures to the same rule', () => {
    for (const name of ['auth-debian.log', 'secure-rhel.log']) {
      const lines = fixtureLines(name);
      const fullIds = new Set(ids(parseLines(lines, { file: name }).items));
      for (let end = 1; end <= lines.length; end += 1) {
        for (const id of ids(parseLines(lines.slice(0, end), { file: name }).items)) {
          expect(fullIds.has(id), `${name}: prefix of ${end} lines`).toBe(true);
        }
      }
    }
  });

  it('lets a follower hold an incomplete connection, checkpoint it, and complete it after a restart', () => {
    const lines = fixtureLines('fidelity/growing-pam.log');
    const options = { format: 'auto' as const, file: 'f', now: Date.UTC(2025, 0, 13), zone: 'utc' as const };
    const first = new LogParser(options);
    const out: IngestItem[] = [];
    first.push(lines[0]!, 1, out);
    // pam_unix's line alone: nothing emitted yet, one connection incomplete.
    expect(out).toHaveLength(0);
    expect(first.incomplete).toBe(1);
    const saved = JSON.parse(JSON.stringify(first.checkpoint()));

    const second = new LogParser({ ...options, restore: saved });
    expect(second.incomplete).toBe(1);
    lines.slice(1).forEach((line, i) => {
      second.push(line, i + 2, out);
    });
    second.finish(out);
    expect(ids(out)).toEqual(ids(parseLines(lines).items));

    // A connection that never completes is settled by the follower's timeout.
    const third = new LogParser(options);
    const held: IngestItem[] = [];
    third.push(lines[0]!, 1, held);
    expect(third.flushIdle(Date.UTC(2025, 0, 12, 10, 0, 1), held)).toBe(0); // not idle yet
    expect(third.flushIdle(Date.UTC(2025, 0, 12, 10, 0, 31), held)).toBe(1);
    expect(third.incomplete).toBe(0);
    expect(ids(held)).toEqual([ids(parseLines(lines.slice(0, 1)).items)[0]]);
  });
});

describe('15.1.3 a PAM failure followed by a successful login is a success', () => {
  it('counts pam_unix failing and another module accepting as one success', () => {
    const { docs } = parseFixture('fidelity/pam-then-accepted.log');
    const outcomes = docs.map((doc) => [doc.process?.pid, doc.event.outcome]);
    expect(outcomes).toEqual([
      [5200, 'success'],
      [5201, 'success'],
      [5202, 'success'],
      // A real wrong password before the right one stays a failure.
      [5203, 'failure'],
      [5203, 'success'],
    ]);
  });
});

describe('15.1.4 the source address is the first `from`', () => {
  it('reads the connection’s address and user before appended auth info', () => {
    const { docs } = parseFixture('fidelity/auth-info-from.log');
    expect(docs.map((doc) => [doc.user?.name, doc.source?.ip, doc.source?.port])).toEqual([
      ['test', '192.0.2.33', 58946],
      // User names carrying ` from <ip>` still cannot move the address.
      ['a from 10.0.0.1', '192.0.2.34', 58947],
      ['x from 10.0.0.2 port 1', '192.0.2.35', 58948],
      ['git', '192.0.2.36', 58949],
    ]);
    expect(docs[0]!.system?.auth.ssh.signature).toBe('from 198.51.100.2 port 55555 ssh2');
    expect(docs[3]!.system?.auth.ssh.signature).toBe('ED25519 SHA256:abcdef');
  });
});

describe('15.1.5 a carriage return inside a user name', () => {
  it('parses the six attempts and keeps the name', () => {
    const { docs, parser } = parseFixture('fidelity/cr-user.log');
    expect(parser.stats).toMatchObject({ lines: 6, events: 6, unparsed: 0 });
    expect(failuresBySource(docs)).toEqual({ '203.0.113.77': 6 });
    expect(docs[0]!.user?.name).toBe('ad\rmin1');
  });
});

describe('15.1.8 reporting is consistent', () => {
  it('counts every PAM error spelling and an IPv6 address without a port; reports the rest with file:line', () => {
    const { docs, parser } = parseFixture('fidelity/reporting.log');
    expect(failuresBySource(docs)).toEqual({
      '203.0.113.90': 1,
      '203.0.113.91': 1,
      '-': 1, // PAM knew no host: the unknown-source bucket, not lost
      '2001:db8::66': 1,
    });
    expect(docs.find((doc) => doc.source?.ip === '2001:db8::66')?.user?.name).toBe('ROOT');
    expect(parser.stats).toMatchObject({ lines: 6, events: 4, skipped: 1, unparsed: 1 });
    expect(parser.issues).toEqual([expect.objectContaining({ file: 'fidelity/reporting.log', line: 5 })]);
  });

  it('reports malformed journald JSON lines instead of skipping them', () => {
    const { parser } = parseFixture('fidelity/reporting-journal.ndjson');
    expect(parser.stats).toMatchObject({ lines: 4, events: 1, skipped: 1, unparsed: 2 });
    expect(parser.issues.map((issue) => [issue.line, issue.reason])).toEqual([
      [2, 'invalid JSON'],
      [3, 'invalid JSON'],
    ]);
  });
});

describe('15.1.1 Windows: an ECS source.ip is used', () => {
  it('takes the address from source.ip when event_data has none (or "-")', () => {
    const { docs } = parseFixture('fidelity/agent-source-ip.ndjson', { format: 'windows' });
    expect(docs.map((doc) => [doc.source?.ip, doc.source?.port, doc.related?.ip])).toEqual([
      ['203.0.113.120', 51000, ['203.0.113.120']],
      ['203.0.113.121', 51001, ['203.0.113.121']],
    ]);
  });
});

describe('15.1.6 only logon events are logon events', () => {
  it('skips 4625 outside the Security log (and says so); counts Windows OpenSSH logons as SSH', () => {
    const { docs, parser } = parseFixture('fidelity/not-logon-4625.ndjson', { format: 'windows' });
    expect(parser.stats).toMatchObject({ lines: 5, events: 3, skipped: 2, unparsed: 0 });
    expect([...parser.notes]).toEqual([
      [
        'Windows event 4625 not from the Security log (provider Microsoft-Windows-EventSystem, log Application)',
        2,
      ],
    ]);
    expect(docs.map((doc) => [doc.user?.name, doc.source?.ip, doc.system?.auth.ssh.event])).toEqual([
      ['root', undefined, 'Invalid'], // sshd.exe, no address: the unknown-source bucket of SSH
      ['admin', '198.51.100.44', 'Failed'],
      ['bob', '198.51.100.45', undefined], // a network logon stays RDP/Windows, not SSH
    ]);
    // The same in auto-detection.
    expect(parseFixture('fidelity/not-logon-4625.ndjson').parser.stats).toMatchObject({
      events: 3,
      skipped: 2,
    });
  });
});

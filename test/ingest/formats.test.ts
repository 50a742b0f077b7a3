// Every input format, end to end through the pure parser, against hand-counted expectations
// (see the fixtures; each number below was counted from the log, not from the code).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { IngestItem } from '../../source/ingest/doc-id.js';
import { LogParser } from '../../source/ingest/parser.js';
import { failuresBySource, fixture, parseFixture, parseLines } from './helpers.js';

describe('syslog auth.log (Debian, RFC 3164)', () => {
  const { docs, parser } = parseFixture('auth-debian.log', { reference: Date.UTC(2025, 0, 13) });

  it('counts one failure per real attempt', () => {
    expect(failuresBySource(docs)).toEqual({
      '192.0.2.1': 1,
      '203.0.113.13': 7,
      '2001:db8::5': 2,
      '198.51.100.7': 2,
      '192.0.2.99': 2,
      '192.0.2.50': 2,
      '203.0.113.77': 1,
      '198.51.100.200': 1,
      '192.0.2.150': 1,
      'scanner.example.net': 1,
    });
    expect(docs.filter((doc) => doc.event.outcome === 'success').map((doc) => doc.user?.name)).toEqual([
      'git',
      'alice',
    ]);
  });

  it('accounts for every line', () => {
    expect(parser.stats).toEqual({ lines: 52, events: 22, merged: 17, skipped: 12, unparsed: 2 });
    expect(parser.issues.map((issue) => [issue.file, issue.line, issue.reason])).toEqual([
      ['auth-debian.log', 51, 'sshd authentication line in an unknown form'],
      ['auth-debian.log', 52, 'sshd authentication line in an unknown form'],
    ]);
  });

  it('puts December lines of a log ending in January into the previous year', () => {
    expect(docs[0]!['@timestamp']).toBe('2024-12-31T23:59:50.000Z');
    expect(docs[1]!['@timestamp']).toBe('2025-01-12T06:25:18.000Z');
  });

  it('writes ECS as the System integration does', () => {
    expect(docs[1]).toEqual({
      '@timestamp': '2025-01-12T06:25:18.000Z',
      message: 'Failed password for root from 203.0.113.13 port 43224 ssh2',
      ecs: { version: '8.11.0' },
      event: {
        kind: 'event',
        category: ['authentication'],
        type: ['info'],
        action: 'ssh_login',
        outcome: 'failure',
        dataset: 'system.auth',
        module: 'system',
      },
      process: { name: 'sshd', pid: 3024 },
      system: { auth: { ssh: { event: 'Failed', method: 'password' } } },
      host: { hostname: 'web1', name: 'web1' },
      source: { address: '203.0.113.13', ip: '203.0.113.13', port: 43224 },
      user: { name: 'root' },
      related: { ip: ['203.0.113.13'], user: ['root'], hosts: ['web1'] },
    });
    const success = docs.find((doc) => doc.user?.name === 'alice')!;
    expect(success.event).toMatchObject({ category: ['authentication', 'session'], outcome: 'success' });
    expect(success.system?.auth.ssh).toEqual({
      event: 'Accepted',
      method: 'publickey',
      signature: 'ED25519 SHA256:Vf7jA3c0Zc6o9hZV6yZ0f2u+q3Y8cC6m1h3n3g9ZkQw',
    });
  });

  it('keeps names that are not addresses in source.domain, and empty user names out', () => {
    const byName = docs.find((doc) => doc.source?.domain === 'scanner.example.net')!;
    expect(byName.source).toEqual({
      address: 'scanner.example.net',
      domain: 'scanner.example.net',
      port: 2222,
    });
    const empty = docs.find((doc) => doc.message === 'Invalid user  from 198.51.100.7 port 40100')!;
    expect(empty.user).toBeUndefined();
    expect(empty.system?.auth.ssh.event).toBe('Invalid');
  });

  it('names the program as logged (sshd-session on OpenSSH ≥ 9.8)', () => {
    expect(docs.find((doc) => doc.process?.pid === 3800)?.process?.name).toBe('sshd-session');
  });
});

describe('secure (RHEL, ISO 8601 high precision and RFC 5424)', () => {
  const { docs, parser } = parseFixture('secure-rhel.log');

  it('counts attempts and reads offsets', () => {
    expect(failuresBySource(docs)).toEqual({ '198.51.100.44': 1, '2001:db8:abcd::1': 1, '192.0.2.60': 1 });
    expect(docs[0]!['@timestamp']).toBe('2024-11-03T03:12:01.123Z');
    expect(docs.find((doc) => doc.event.outcome === 'success')).toMatchObject({
      '@timestamp': '2024-11-03T03:13:02.250Z',
      process: { name: 'sshd', pid: 1300 },
      user: { name: 'root' },
      source: { ip: '2001:db8:abcd::1', port: 40404 },
    });
    expect(parser.stats).toMatchObject({ lines: 11, events: 4, skipped: 2, unparsed: 0 });
  });
});

describe('journalctl -o json', () => {
  const { docs, parser } = parseFixture('journal.ndjson');

  it('reads __REALTIME_TIMESTAMP, _HOSTNAME, _PID, SYSLOG_IDENTIFIER and byte-array MESSAGEs', () => {
    expect(failuresBySource(docs)).toEqual({ '203.0.113.99': 4 });
    expect(docs[0]).toMatchObject({
      '@timestamp': '2024-11-03T03:12:01.123Z',
      host: { hostname: 'deb12' },
      process: { name: 'sshd', pid: 2201 },
    });
    const invalid = docs.find((doc) => doc.system?.auth.ssh.event === 'Invalid')!;
    expect(invalid.user?.name).toBe('\uFFFD\uFFFDadm');
    expect(invalid.message).toBe('Invalid user \uFFFD\uFFFDadm from 203.0.113.99 port 55001');
    expect(docs.find((doc) => doc.event.outcome === 'success')?.process).toEqual({
      name: 'sshd-session',
      pid: 2203,
    });
  });

  it('skips other units and reports broken records with their line', () => {
    expect(parser.stats).toMatchObject({ lines: 8, events: 5, merged: 1, skipped: 1, unparsed: 1 });
    expect(parser.issues[0]).toMatchObject({ line: 8, reason: 'invalid JSON' });
  });

  it('reads repeated fields and rejects records without a time', () => {
    const { docs: repeated, parser: broken } = parseLines(
      [
        '{"__REALTIME_TIMESTAMP":"1730603521000000","_HOSTNAME":"h","_PID":"5","SYSLOG_IDENTIFIER":"sshd","MESSAGE":["Failed password for x from 192.0.2.1 port 1 ssh2","y"]}',
        '{"_HOSTNAME":"h","_PID":"5","SYSLOG_IDENTIFIER":"sshd","MESSAGE":"Failed password for x from 192.0.2.1 port 1 ssh2"}',
      ],
      { format: 'journald' },
    );
    expect(repeated).toHaveLength(1);
    expect(broken.issues[0]).toMatchObject({
      line: 2,
      reason: 'journald record without __REALTIME_TIMESTAMP',
    });
  });
});

describe('Windows logon events', () => {
  it('Winlogbeat / Elastic Agent documents (also as search hits, with numeric event ids)', () => {
    const { docs, parser } = parseFixture('winlogbeat.ndjson');
    expect(parser.stats).toMatchObject({ lines: 5, events: 4, skipped: 1, unparsed: 0 });
    expect(docs[0]).toEqual({
      '@timestamp': '2024-11-03T03:20:01.123Z',
      message: 'An account failed to log on.\n\nSubject:\n\tSecurity ID:\t\tS-1-0-0',
      ecs: { version: '8.11.0' },
      event: {
        kind: 'event',
        category: ['authentication'],
        type: ['start'],
        action: 'logon-failed',
        outcome: 'failure',
        dataset: 'system.security',
        module: 'system',
        code: '4625',
        provider: 'Microsoft-Windows-Security-Auditing',
      },
      host: { hostname: 'SRV-FILE01.corp.example', name: 'SRV-FILE01.corp.example' },
      winlog: {
        channel: 'Security',
        computer_name: 'SRV-FILE01.corp.example',
        event_id: '4625',
        provider_name: 'Microsoft-Windows-Security-Auditing',
        record_id: '90001',
        logon: {
          type: 'Network',
          failure: {
            reason: 'Unknown user name or bad password.',
            status: 'This is either due to a bad username or authentication information',
            sub_status: 'User logon with misspelled or bad password',
          },
        },
        event_data: expect.objectContaining({
          LogonType: '3',
          SubStatus: '0xc000006a',
          IpAddress: '203.0.113.50',
        }),
      },
      source: {
        ip: '203.0.113.50',
        address: '203.0.113.50',
        port: 0,
        domain: 'kali',
        geo: { country_iso_code: 'NL', country_name: 'Netherlands' },
        as: { number: 64504, organization: { name: 'Example VPS' } },
      },
      user: { name: 'Administrator', domain: 'CORP', id: 'S-1-0-0' },
      related: { ip: ['203.0.113.50'], user: ['Administrator'], hosts: ['SRV-FILE01.corp.example'] },
    });
    // NLA failure without an address: no source.ip, the attacker's workstation name kept.
    expect(docs[1]!.source).toEqual({ domain: 'WIN-3BQK9UJ7T2D' });
    expect(docs[1]!.winlog?.event_data.SubStatus).toBe('0xc0000064');
    expect(docs[2]).toMatchObject({
      winlog: { event_id: '4625', logon: { type: 'RemoteInteractive' }, event_data: { LogonType: '10' } },
      source: { ip: '198.51.100.66', port: 51515 },
    });
    expect(docs[3]).toMatchObject({
      event: { code: '4624', action: 'logged-in', outcome: 'success' },
      winlog: { logon: { type: 'RemoteInteractive', id: '0x8dcdc' } },
      user: { name: 'jdoe' },
    });
  });

  it('PowerShell Get-WinEvent | ConvertTo-Json (positional Properties, /Date()/ times)', () => {
    const records = JSON.parse(readFileSync(fixture('get-winevent.json'), 'utf8')) as unknown[];
    const parser = new LogParser({
      format: 'auto',
      file: 'get-winevent.json',
      now: Date.UTC(2025, 0, 1),
      zone: 'utc',
    });
    const items: IngestItem[] = [];
    records.forEach((record, i) => {
      parser.pushRecord(record, i + 1, items);
    });
    const [failure, success] = items.map((item) => item.doc);
    expect(failure).toMatchObject({
      '@timestamp': '2024-11-03T03:20:01.500Z',
      event: { code: '4625', outcome: 'failure' },
      host: { hostname: 'SRV-APP02.corp.example' },
      winlog: {
        record_id: '512345',
        logon: { type: 'RemoteInteractive', failure: { reason: 'Unknown user name or bad password.' } },
        event_data: {
          TargetUserName: 'backup',
          Status: '0xc000006d',
          SubStatus: '0xc0000064',
          LogonType: '10',
          IpAddress: '198.51.100.66',
          IpPort: '51516',
          TargetUserSid: 'S-1-0-0',
        },
      },
      source: { ip: '198.51.100.66', port: 51516, domain: 'DESKTOP-7QK2H1M' },
      user: { name: 'backup', domain: 'SRV-APP02' },
    });
    expect(success).toMatchObject({
      '@timestamp': '2024-11-03T03:20:10.000Z',
      event: { code: '4624', outcome: 'success' },
      winlog: { event_data: { TargetUserName: 'jdoe', LogonType: '10', IpAddress: '192.0.2.30' } },
    });
  });

  it('plain EventID + EventData exports: {Name, Value} arrays, XML-as-JSON, NXLog, evtx_dump', () => {
    const { docs, parser } = parseFixture('eventdata.ndjson');
    expect(
      docs.map((doc) => [doc['@timestamp'], doc.event.code, doc.user?.name, doc.source?.ip ?? null]),
    ).toEqual([
      ['2024-11-03T03:21:00.123Z', '4625', 'svc_sql', null],
      ['2024-11-03T03:21:05.000Z', '4625', 'ghost', '2001:db8:bad::1'],
      ['2024-11-03T03:21:10.000Z', '4625', 'Administrator', '198.51.100.70'],
      ['2024-11-03T03:21:20.000Z', '4624', 'svc_sql', '192.0.2.40'],
    ]);
    expect(docs[0]!.winlog?.event_data).toMatchObject({
      Status: '0xc000006d',
      SubStatus: '0xc000006a',
      LogonType: '3',
    });
    expect(docs[0]!.source).toBeUndefined();
    expect(docs[1]!.source).toEqual({
      ip: '2001:db8:bad::1',
      address: '2001:db8:bad::1',
      port: 0,
      domain: 'KALI',
    });
    expect(docs[2]!.winlog).toMatchObject({
      provider_name: 'Microsoft-Windows-Security-Auditing',
      record_id: '700003',
    });
    expect(docs[3]!.winlog).toMatchObject({
      record_id: '700004',
      logon: { type: 'Network', id: '0x1a2b3c' },
    });
    expect(parser.stats).toMatchObject({ lines: 6, events: 4, skipped: 1, unparsed: 1 });
    expect(parser.issues[0]).toMatchObject({ line: 6, reason: 'Windows event 4625 without a readable time' });
  });

  it('gives the same event the same id whether Winlogbeat or PowerShell exported it', () => {
    const winlogbeat = {
      '@timestamp': '2024-11-03T03:20:01.500Z',
      event: { code: '4625' },
      winlog: {
        computer_name: 'SRV-APP02.corp.example',
        channel: 'Security',
        record_id: 512345,
        event_data: { TargetUserName: 'backup', LogonType: '10', IpAddress: '198.51.100.66' },
      },
    };
    const powershell = (JSON.parse(readFileSync(fixture('get-winevent.json'), 'utf8')) as unknown[])[0];
    const ids = [winlogbeat, powershell].map((record) => {
      const parser = new LogParser({ format: 'windows', file: 'x', now: Date.UTC(2025, 0, 1), zone: 'utc' });
      const items: IngestItem[] = [];
      parser.pushRecord(record, 1, items);
      return items[0]!.id;
    });
    expect(ids[0]).toBe(ids[1]);
  });
});

describe('format selection', () => {
  const syslogLine = 'Jan 12 06:25:18 web1 sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2';
  const journalLine =
    '{"__REALTIME_TIMESTAMP":"1730603521000000","_HOSTNAME":"h","_PID":"5","SYSLOG_IDENTIFIER":"sshd","MESSAGE":"Failed password for x from 192.0.2.1 port 1 ssh2"}';

  it('detects formats per line in auto mode (mixed input)', () => {
    const { docs } = parseLines([
      syslogLine,
      journalLine,
      '{"EventID":4625,"Computer":"C","TimeCreated":"2024-01-01T00:00:00Z","EventData":{"TargetUserName":"u","LogonType":"3"}}',
    ]);
    expect(docs.map((doc) => doc.event.dataset)).toEqual(['system.auth', 'system.auth', 'system.security']);
  });

  it('with a fixed format, lines of another format are reported', () => {
    const { parser } = parseLines([syslogLine, '{"some":"json"}'], { format: 'windows' });
    expect(parser.issues.map((issue) => [issue.line, issue.reason])).toEqual([
      [1, 'invalid JSON'],
      [2, 'Windows event without an event id'],
    ]);
  });

  it('reads a one-line JSON array (ConvertTo-Json -Compress) and strips a byte-order mark', () => {
    const { docs } = parseLines([
      `\uFEFF[${journalLine},${journalLine.replace('1730603521000000', '1730603522000000')}]`,
      `\uFEFF${syslogLine}`,
    ]);
    expect(docs).toHaveLength(3);
  });

  it('skips other programs and lines without any timestamp that are not sshd messages', () => {
    const { parser } = parseLines([
      'Jan 12 06:25:18 web1 sudo: pam_unix(sudo:auth): authentication failure; logname=alice uid=1000 euid=0 tty=/dev/pts/0 ruser=alice rhost=  user=alice',
      'random text',
      '   ',
      'Failed password for root from 192.0.2.1 port 22 ssh2',
    ]);
    expect(parser.stats).toMatchObject({ events: 0, skipped: 3, unparsed: 1 });
    expect(parser.issues[0]).toMatchObject({
      line: 4,
      reason: 'sshd authentication line without a syslog timestamp',
    });
  });
});

// The per-connection rules (source/ingest/sshd-connections.ts): one document per real attempt.
import { describe, expect, it } from 'vitest';
import { failuresBySource, parseLines } from './helpers.js';

const at = (second: number, pid: number, message: string, host = 'web1') =>
  `Jan 12 06:25:${String(second).padStart(2, '0')} ${host} sshd[${pid}]: ${message}`;

describe('sshd attempts per connection', () => {
  it('counts "Invalid user X" followed by "Failed password for invalid user X" once, and further Failed lines again', () => {
    const { docs, parser } = parseLines([
      at(0, 10, 'Invalid user oracle from 192.0.2.5 port 5000'),
      at(2, 10, 'Failed password for invalid user oracle from 192.0.2.5 port 5000 ssh2'),
      at(4, 10, 'Failed password for invalid user oracle from 192.0.2.5 port 5000 ssh2'),
      at(6, 10, 'Failed password for invalid user oracle from 192.0.2.5 port 5000 ssh2'),
    ]);
    expect(docs.map((doc) => doc.system?.auth.ssh.event)).toEqual(['Invalid', 'Failed', 'Failed']);
    expect(docs.map((doc) => doc['@timestamp'])).toEqual([
      '2025-01-12T06:25:00.000Z',
      '2025-01-12T06:25:04.000Z',
      '2025-01-12T06:25:06.000Z',
    ]);
    expect(parser.stats).toMatchObject({ lines: 4, events: 3, merged: 1 });
  });

  it('does not merge across connections or users', () => {
    const { docs } = parseLines([
      at(0, 10, 'Invalid user oracle from 192.0.2.5 port 5000'),
      at(1, 11, 'Failed password for invalid user oracle from 192.0.2.5 port 5001 ssh2'),
      at(2, 10, 'Failed password for invalid user admin from 192.0.2.5 port 5000 ssh2'),
      at(3, 10, 'Invalid user oracle from 192.0.2.5 port 5000', 'web2'),
      at(4, 10, 'Failed password for invalid user oracle from 192.0.2.5 port 5000 ssh2', 'web2'),
    ]);
    expect(docs).toHaveLength(4);
  });

  it('counts a connection end as a failure only when the connection had none', () => {
    const { docs, parser } = parseLines([
      at(0, 20, 'Failed password for root from 192.0.2.6 port 6000 ssh2'),
      at(
        1,
        20,
        'error: maximum authentication attempts exceeded for root from 192.0.2.6 port 6000 ssh2 [preauth]',
      ),
      at(
        1,
        20,
        'Disconnecting authenticating user root 192.0.2.6 port 6000: Too many authentication failures [preauth]',
      ),
      at(2, 21, 'Connection closed by authenticating user admin 192.0.2.6 port 6001 [preauth]'),
      at(3, 22, 'Disconnecting: Too many authentication failures for root [preauth]'),
    ]);
    expect(docs.map((doc) => [doc.process?.pid, doc.user?.name, doc.system?.auth.ssh.event])).toEqual([
      [20, 'root', 'Failed'],
      [21, 'admin', 'Failed'],
      [22, 'root', 'Failed'],
    ]);
    expect(parser.stats.merged).toBe(2);
  });

  it('counts N events for "message repeated N times", each with its own id', () => {
    const { items } = parseLines([
      at(0, 30, 'Failed password for root from 192.0.2.7 port 7000 ssh2'),
      at(5, 30, 'message repeated 3 times: [ Failed password for root from 192.0.2.7 port 7000 ssh2]'),
    ]);
    expect(items).toHaveLength(4);
    expect(new Set(items.map((item) => item.id)).size).toBe(4);
    expect(items[3]!.doc.message).toBe('Failed password for root from 192.0.2.7 port 7000 ssh2');
  });

  it('replays BSD syslogd\'s "last message repeated N times" of the same host\'s previous sshd line', () => {
    const { items, parser } = parseLines([
      at(0, 31, 'Failed password for root from 192.0.2.9 port 7100 ssh2'),
      at(1, 77, 'Failed password for admin from 192.0.2.10 port 7200 ssh2', 'web2'),
      'Jan 12 06:25:20 web1 last message repeated 4 times',
      'Jan 12 06:25:21 web1 cron[9]: (root) CMD (run-parts /etc/cron.hourly)',
      'Jan 12 06:25:40 web1 --- last message repeated 2 times ---',
      'Jan 12 06:25:41 web3 last message repeated 9 times',
    ]);
    const docs = items.map((item) => item.doc);
    expect(docs.map((doc) => [doc.source?.ip, doc['@timestamp']])).toEqual([
      ['192.0.2.9', '2025-01-12T06:25:00.000Z'],
      ['192.0.2.10', '2025-01-12T06:25:01.000Z'],
      ...Array.from({ length: 4 }, () => ['192.0.2.9', '2025-01-12T06:25:20.000Z']),
    ]);
    expect(new Set(items.map((item) => item.id)).size).toBe(6);
    // Repeats of a cron line and of a line not in this input are not sshd events.
    expect(parser.stats).toMatchObject({ lines: 6, events: 6, skipped: 3, unparsed: 0 });
  });

  it('takes PAM as a second witness: pam_unix + Failed lines + PAM N more count as the Failed lines', () => {
    const { docs } = parseLines([
      at(
        0,
        40,
        'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.8  user=root',
      ),
      at(2, 40, 'Failed password for root from 192.0.2.8 port 8000 ssh2'),
      at(5, 40, 'Failed password for root from 192.0.2.8 port 8000 ssh2'),
      at(8, 40, 'Failed password for root from 192.0.2.8 port 8000 ssh2'),
      at(8, 40, 'Received disconnect from 192.0.2.8 port 8000:11:  [preauth]'),
      at(8, 40, 'Disconnected from authenticating user root 192.0.2.8 port 8000 [preauth]'),
      at(
        8,
        40,
        'PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.8  user=root',
      ),
    ]);
    expect(failuresBySource(docs)).toEqual({ '192.0.2.8': 3 });
    expect(docs.every((doc) => doc.message?.startsWith('Failed password'))).toBe(true);
  });

  it('adds documents for failures only PAM witnessed, when the connection ends', () => {
    const { docs } = parseLines([
      at(
        0,
        41,
        'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.9  user=admin',
      ),
      at(
        9,
        41,
        'PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.9  user=admin',
      ),
      at(
        10,
        42,
        'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.10',
      ),
    ]);
    // 3 for pid 41 (1 + 2 more), 1 for pid 42 (settled at the end of the input).
    expect(failuresBySource(docs)).toEqual({ '192.0.2.9': 3, '192.0.2.10': 1 });
    expect(docs[0]).toMatchObject({
      event: { action: 'ssh_login', outcome: 'failure' },
      system: { auth: { ssh: { event: 'Failed' } } },
      user: { name: 'admin' },
    });
  });

  it("does not double count sshd's own PAM error and pam_unix for one keyboard-interactive attempt", () => {
    const { docs } = parseLines([
      at(
        0,
        43,
        'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.11  user=bob',
      ),
      at(1, 43, 'error: PAM: Authentication failure for bob from 192.0.2.11'),
      at(1, 43, 'Failed keyboard-interactive/pam for bob from 192.0.2.11 port 1100 ssh2'),
      at(2, 43, 'Connection closed by authenticating user bob 192.0.2.11 port 1100 [preauth]'),
    ]);
    expect(failuresBySource(docs)).toEqual({ '192.0.2.11': 1 });
  });

  it('keeps PAM "N more" after a successful login (logged at session close) from adding failures', () => {
    const { docs } = parseLines([
      at(
        0,
        44,
        'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.12  user=carol',
      ),
      at(2, 44, 'Failed password for carol from 192.0.2.12 port 1200 ssh2'),
      at(3, 44, 'Failed password for carol from 192.0.2.12 port 1200 ssh2'),
      at(4, 44, 'Accepted password for carol from 192.0.2.12 port 1200 ssh2'),
      'Jan 12 09:40:00 web1 sshd[44]: PAM 1 more authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.12  user=carol',
    ]);
    // pam_unix logs the first failure, and "N more" (the rest) only when the session closes.
    expect(docs.map((doc) => doc.event.outcome)).toEqual(['failure', 'failure', 'success']);
  });

  it('ignores "Failed none" probes and does not let them consume the Invalid merge', () => {
    const { docs, parser } = parseLines([
      at(0, 50, 'Invalid user test from 192.0.2.13 port 1300'),
      at(0, 50, 'Failed none for invalid user test from 192.0.2.13 port 1300 ssh2'),
      at(1, 50, 'Failed password for invalid user test from 192.0.2.13 port 1300 ssh2'),
      at(2, 50, 'Connection closed by invalid user test 192.0.2.13 port 1300 [preauth]'),
    ]);
    expect(docs).toHaveLength(1);
    expect(parser.stats).toMatchObject({ events: 1, merged: 2, skipped: 1 });
  });

  it('starts a new connection when a pid comes back after its connection ended', () => {
    const { docs } = parseLines([
      at(0, 60, 'Invalid user a from 192.0.2.14 port 1400'),
      at(1, 60, 'Connection closed by invalid user a 192.0.2.14 port 1400 [preauth]'),
      'Jan 12 09:00:00 web1 sshd[60]: Connection closed by authenticating user root 192.0.2.15 port 1500 [preauth]',
    ]);
    expect(failuresBySource(docs)).toEqual({ '192.0.2.14': 1, '192.0.2.15': 1 });
  });

  it('keys connections by address and port when lines carry no pid', () => {
    const { docs } = parseLines([
      'Jan 12 06:25:00 web1 sshd: Invalid user z from 192.0.2.16 port 1600',
      'Jan 12 06:25:01 web1 sshd: Failed password for invalid user z from 192.0.2.16 port 1600 ssh2',
      'Jan 12 06:25:02 web1 sshd: Failed password for invalid user z from 192.0.2.16 port 1601 ssh2',
    ]);
    expect(docs).toHaveLength(2);
  });

  it('stays bounded in memory and settles forgotten connections', () => {
    const lines: string[] = [];
    for (let pid = 0; pid < 50_000; pid += 1) {
      lines.push(
        `Jan 12 06:25:00 web1 sshd[${pid}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.17  user=u`,
      );
    }
    const { docs } = parseLines(lines);
    expect(docs).toHaveLength(50_000);
  });
});

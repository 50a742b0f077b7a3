import { describe, expect, it } from 'vitest';
import { classifySshdMessage, looksLikeSshdMessage } from '../../source/ingest/sshd-message.js';

describe('classifySshdMessage: failures', () => {
  it.each([
    [
      'Failed password for root from 203.0.113.13 port 43224 ssh2',
      'password',
      'root',
      '203.0.113.13',
      43224,
      false,
    ],
    [
      'Failed password for invalid user oracle from 2001:db8::5 port 55112 ssh2',
      'password',
      'oracle',
      '2001:db8::5',
      55112,
      true,
    ],
    [
      'Failed publickey for git from 192.0.2.50 port 60000 ssh2: RSA SHA256:Xy3k',
      'publickey',
      'git',
      '192.0.2.50',
      60000,
      false,
    ],
    [
      'Failed keyboard-interactive/pam for git from 192.0.2.50 port 1 ssh2',
      'keyboard-interactive/pam',
      'git',
      '192.0.2.50',
      1,
      false,
    ],
    [
      'Failed password for illegal user test from 192.0.2.1 port 22 ssh2',
      'password',
      'test',
      '192.0.2.1',
      22,
      true,
    ],
    [
      'Failed password for ::ffff:192.0.2.1 from ::ffff:192.0.2.9 port 22 ssh2',
      'password',
      '::ffff:192.0.2.1',
      '::ffff:192.0.2.9',
      22,
      false,
    ],
    // A user name containing " from ": the address is the one before the last "port".
    [
      'Failed password for invalid user a from b from 192.0.2.7 port 9 ssh2',
      'password',
      'a from b',
      '192.0.2.7',
      9,
      true,
    ],
    ['Failed password for invalid user  from 192.0.2.7 port 9 ssh2', 'password', '', '192.0.2.7', 9, true],
  ])('%s', (line, method, user, source, port, invalidUser) => {
    expect(classifySshdMessage(line)).toMatchObject({
      kind: 'attempt',
      event: 'Failed',
      intro: false,
      method,
      user,
      source,
      port,
      invalidUser,
    });
  });

  it('keeps the publickey signature', () => {
    expect(
      classifySshdMessage('Failed publickey for git from 192.0.2.50 port 60000 ssh2: RSA SHA256:Xy3k'),
    ).toMatchObject({
      signature: 'RSA SHA256:Xy3k',
    });
  });

  it('reads Invalid user lines with and without a port (old OpenSSH), and empty names', () => {
    expect(classifySshdMessage('Invalid user oracle from 2001:db8::5 port 55112')).toEqual({
      kind: 'attempt',
      event: 'Invalid',
      intro: true,
      invalidUser: true,
      user: 'oracle',
      source: '2001:db8::5',
      port: 55112,
    });
    expect(classifySshdMessage('Invalid user ubnt from 192.0.2.150')).toMatchObject({
      user: 'ubnt',
      source: '192.0.2.150',
    });
    expect(classifySshdMessage('Illegal user ubnt from 192.0.2.150')).toMatchObject({
      event: 'Invalid',
      user: 'ubnt',
    });
    expect(classifySshdMessage('Invalid user  from 198.51.100.7 port 40100')).toMatchObject({
      user: '',
      port: 40100,
    });
  });

  it('reads AllowUsers/DenyUsers refusals as failures that open an attempt', () => {
    expect(
      classifySshdMessage('User root from 192.0.2.99 not allowed because not listed in AllowUsers'),
    ).toEqual({
      kind: 'attempt',
      event: 'Failed',
      intro: true,
      invalidUser: false,
      user: 'root',
      source: '192.0.2.99',
    });
    expect(classifySshdMessage('User admin not allowed because account is locked')).toMatchObject({
      kind: 'attempt',
      user: 'admin',
    });
  });
});

describe('classifySshdMessage: successes', () => {
  it.each([
    ['Accepted password for alice from 192.0.2.10 port 50000 ssh2', 'password', 'alice', '192.0.2.10'],
    [
      'Accepted publickey for alice from 2001:db8:1::10 port 50522 ssh2: ED25519 SHA256:Vf7j',
      'publickey',
      'alice',
      '2001:db8:1::10',
    ],
    [
      'Accepted keyboard-interactive/pam for git from 192.0.2.50 port 60000 ssh2',
      'keyboard-interactive/pam',
      'git',
      '192.0.2.50',
    ],
  ])('%s', (line, method, user, source) => {
    expect(classifySshdMessage(line)).toMatchObject({ kind: 'success', method, user, source });
  });
});

describe('classifySshdMessage: ends of failing connections', () => {
  it.each([
    [
      'error: maximum authentication attempts exceeded for root from 203.0.113.13 port 43224 ssh2 [preauth]',
      'root',
      false,
    ],
    [
      'maximum authentication attempts exceeded for invalid user admin from 203.0.113.13 port 43224 ssh2 [preauth]',
      'admin',
      true,
    ],
    [
      'Disconnecting authenticating user root 203.0.113.13 port 43224: Too many authentication failures [preauth]',
      'root',
      false,
    ],
    [
      'Disconnecting invalid user admin 203.0.113.13 port 43224: Too many authentication failures [preauth]',
      'admin',
      true,
    ],
    ['Connection closed by authenticating user admin 198.51.100.7 port 40022 [preauth]', 'admin', false],
    ['Connection closed by invalid user oracle 2001:db8::5 port 55112 [preauth]', 'oracle', true],
    ['Connection reset by authenticating user root 198.51.100.7 port 40022 [preauth]', 'root', false],
    ['Disconnected from invalid user ubnt 192.0.2.150 port 4242 [preauth]', 'ubnt', true],
    ['Disconnected from authenticating user root 192.0.2.150 port 4242 [preauth]', 'root', false],
  ])('%s', (line, user, invalidUser) => {
    expect(classifySshdMessage(line)).toMatchObject({ kind: 'terminal', user, invalidUser });
  });

  it('reads the old "Disconnecting: Too many authentication failures" without an address', () => {
    expect(classifySshdMessage('Disconnecting: Too many authentication failures for root [preauth]')).toEqual(
      {
        kind: 'terminal',
        invalidUser: false,
        user: 'root',
      },
    );
  });
});

describe('classifySshdMessage: PAM witnesses', () => {
  it('reads pam_unix authentication failures with and without user=', () => {
    expect(
      classifySshdMessage(
        'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.13  user=root',
      ),
    ).toEqual({
      kind: 'pam',
      witness: 'module',
      count: 1,
      final: false,
      invalidUser: false,
      source: '203.0.113.13',
      user: 'root',
    });
    expect(
      classifySshdMessage(
        'pam_sss(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=2001:db8::5',
      ),
    ).toEqual({
      kind: 'pam',
      witness: 'module',
      count: 1,
      final: false,
      invalidUser: false,
      source: '2001:db8::5',
    });
  });

  it('reads "PAM N more authentication failures" as N, final', () => {
    expect(
      classifySshdMessage(
        'PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.13  user=root',
      ),
    ).toMatchObject({ kind: 'pam', count: 5, final: true, user: 'root', source: '203.0.113.13' });
    expect(
      classifySshdMessage(
        'PAM 1 more authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=2001:db8::5',
      ),
    ).toMatchObject({ kind: 'pam', count: 1, final: true });
  });

  it("reads sshd's own PAM errors as a separate witness", () => {
    expect(classifySshdMessage('error: PAM: Authentication failure for deploy from 192.0.2.60')).toEqual({
      kind: 'pam',
      witness: 'sshd',
      count: 1,
      final: false,
      invalidUser: false,
      user: 'deploy',
      source: '192.0.2.60',
    });
    expect(
      classifySshdMessage('error: PAM: Authentication failure for illegal user x from 192.0.2.60'),
    ).toMatchObject({
      invalidUser: true,
      user: 'x',
    });
    expect(
      classifySshdMessage(
        'error: PAM: User not known to the underlying authentication module for illegal user ab from 192.0.2.61',
      ),
    ).toMatchObject({ kind: 'pam', witness: 'sshd', invalidUser: true, user: 'ab', source: '192.0.2.61' });
  });
});

describe('classifySshdMessage: everything else', () => {
  it('reads rsyslog repeats', () => {
    expect(
      classifySshdMessage(
        'message repeated 3 times: [ Failed password for root from 203.0.113.13 port 43224 ssh2]',
      ),
    ).toEqual({
      kind: 'repeat',
      count: 3,
      inner: 'Failed password for root from 203.0.113.13 port 43224 ssh2',
    });
  });

  it('refuses implausible repeat counts', () => {
    expect(
      classifySshdMessage(
        'message repeated 500000 times: [ Failed password for root from 192.0.2.1 port 1 ssh2]',
      ),
    ).toEqual({ kind: 'malformed', reason: 'repeat count 500000 is implausible' });
  });

  it.each([
    'Failed none for invalid user test from 198.51.100.200 port 33000 ssh2',
    'input_userauth_request: invalid user ubnt [preauth]',
    'Postponed keyboard-interactive for invalid user x from 192.0.2.1 port 22 ssh2 [preauth]',
    'pam_unix(sshd:auth): check pass; user unknown',
    'Accepted key RSA SHA256:abc found at /home/alice/.ssh/authorized_keys:1',
    'Partial publickey for alice from 192.0.2.10 port 22 ssh2: ED25519 SHA256:abc',
  ])('noise: %s', (line) => {
    expect(classifySshdMessage(line).kind).toBe('noise');
  });

  it.each([
    'Connection closed by 203.0.113.77 port 41000 [preauth]',
    'Received disconnect from 192.0.2.150 port 4242:11: Bye Bye [preauth]',
    'Disconnected from 192.0.2.150 port 4242 [preauth]',
    'fatal: Timeout before authentication for 192.0.2.150 port 4242',
  ])('connection end: %s', (line) => {
    expect(classifySshdMessage(line).kind).toBe('close');
  });

  it.each([
    'Server listening on 0.0.0.0 port 22.',
    'Did not receive identification string from 198.51.100.9 port 50000',
    'pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)',
    'Connection from 203.0.113.13 port 43224 on 10.0.0.5 port 22 rdomain ""',
    'error: Failed to allocate internet-domain X11 display socket.',
    'Received signal 15; terminating.',
  ])('not authentication: %s', (line) => {
    expect(classifySshdMessage(line).kind).toBe('other');
  });

  it.each([
    'Failed password for root from 203.0.113.13 port ssh2',
    'Accepted password for',
    'Invalid user admin',
    'message repeated 2 times: [ oops',
    'PAM 2 more authentication failures',
    'Connection closed by authenticating user root [preauth]',
  ])('malformed (looks like authentication): %s', (line) => {
    expect(classifySshdMessage(line).kind).toBe('malformed');
  });

  it('tells messages from host names', () => {
    expect(looksLikeSshdMessage('Failed password for root from 192.0.2.1 port 22 ssh2')).toBe(true);
    expect(looksLikeSshdMessage('error: maximum authentication attempts exceeded for root')).toBe(true);
    expect(looksLikeSshdMessage('web1 sshd[1]: hello')).toBe(false);
  });
});

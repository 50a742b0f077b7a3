import { describe, expect, it } from 'vitest';
import { compareIps, isInternalIp } from '../../source/core/net.js';

describe('isInternalIp', () => {
  const cases: [string, boolean][] = [
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['192.168.1.1', true],
    ['127.0.0.1', true],
    ['169.254.1.1', true],
    ['100.64.0.1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::1', true],
    ['::ffff:10.0.0.1', true],
    ['203.0.113.7', false],
    ['8.8.8.8', false],
    ['2001:4860::8888', false],
    ['not an ip', false],
    ['', false],
  ];

  it('classifies addresses, the same on every call (the answer is remembered)', () => {
    for (let round = 0; round < 3; round += 1) {
      for (const [ip, internal] of cases) expect(isInternalIp(ip), `${ip} round ${round}`).toBe(internal);
    }
  });

  it('stays right past the cache bound (more distinct sources than it keeps)', () => {
    // 20,000 distinct addresses, alternating internal (10/8) and public (198.18/15 is not in
    // any internal range), then the same again: every answer must still be right.
    const ips = Array.from({ length: 20_000 }, (_, index) =>
      index % 2 === 0
        ? `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`
        : `198.18.${(index >> 8) & 255}.${index & 255}`,
    );
    for (let round = 0; round < 2; round += 1) {
      for (const [index, ip] of ips.entries()) {
        if (isInternalIp(ip) !== (index % 2 === 0)) throw new Error(`${ip} misclassified in round ${round}`);
      }
    }
    for (const [ip, internal] of cases) expect(isInternalIp(ip)).toBe(internal);
  });
});

describe('numeric address order (13 A9)', () => {
  it('sorts IPv4 by number, not by text, and IPv6 by its 128 bits', () => {
    // Before: string order put 192.0.2.200 before 192.0.2.77.
    const ips = [
      '192.0.2.200',
      '2001:db8::10',
      '192.0.2.77',
      '10.0.0.1',
      '2001:db8::9',
      'not-an-ip',
      '::ffff:192.0.2.8',
    ];
    expect([...ips].sort(compareIps)).toEqual([
      '10.0.0.1',
      '::ffff:192.0.2.8',
      '192.0.2.77',
      '192.0.2.200',
      '2001:db8::9',
      '2001:db8::10',
      'not-an-ip',
    ]);
  });
});

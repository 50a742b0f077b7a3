// Mutes kept between sessions: the pure codec (source/detect/mutes.ts) and the file shell
// (source/config/mute-file.ts) on a real temporary directory.
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { muteFilePath, readMuteFile, writeMuteFile } from '../../source/console/mute-file.js';
import { decodeMutes, encodeMutes, type Mute } from '../../source/detect/mutes.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const HOUR = 3_600_000;

describe('mute codec', () => {
  it('keeps live mutes and drops expired ones', () => {
    const mutes: Mute[] = [
      { cidr: '203.0.113.7/32', alertId: null, untilMs: NOW + HOUR },
      { cidr: null, alertId: 'distributed|ssh|root', untilMs: NOW + 2 * HOUR },
      { cidr: '198.51.100.0/24', alertId: null, untilMs: NOW - 1 },
    ];
    const file = encodeMutes(mutes, NOW);
    expect(file.mutes).toHaveLength(2);
    expect(decodeMutes(JSON.parse(JSON.stringify(file)), NOW)).toEqual({
      mutes: mutes.slice(0, 2),
      problems: [],
    });
    expect(decodeMutes(file, NOW + HOUR).mutes).toEqual([mutes[1]]);
  });

  it('validates hand-edited entries one by one, normalising CIDRs', () => {
    const decoded = decodeMutes(
      {
        version: 1,
        mutes: [
          { cidr: '2001:DB8::1', untilMs: NOW + HOUR },
          { cidr: '10.0.0.0/33', untilMs: NOW + HOUR },
          { cidr: '10.1.0.0/16', untilMs: 'tomorrow' },
          { alertId: 'x', cidr: '10.0.0.1', untilMs: NOW + HOUR },
          'junk',
        ],
      },
      NOW,
    );
    expect(decoded.mutes).toEqual([{ cidr: '2001:db8::1/128', alertId: null, untilMs: NOW + HOUR }]);
    expect(decoded.problems).toEqual([
      'mute 2: "10.0.0.0/33" is not an IP or CIDR',
      'mute 3: untilMs must be an epoch time in ms',
      'mute 4: needs either a cidr or an alertId',
      'mute 5: untilMs must be an epoch time in ms',
    ]);
    expect(decodeMutes([1, 2], NOW).problems[0]).toMatch(/not a mute file/);
  });
});

describe('mute file', () => {
  it('round-trips through a 0600 file replaced atomically (no temporary file left)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-watch-mutes-'));
    const path = muteFilePath(join(dir, 'nested'));
    expect(readMuteFile(path, NOW)).toEqual({ mutes: [], problems: [] });
    const mutes: Mute[] = [{ cidr: '192.0.2.0/24', alertId: null, untilMs: NOW + HOUR }];
    writeMuteFile(path, mutes, NOW);
    writeMuteFile(path, [...mutes, { cidr: null, alertId: 'a', untilMs: NOW + HOUR }], NOW);
    expect(readMuteFile(path, NOW).mutes).toHaveLength(2);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['mutes.json']);
  });

  it('reports a broken file in one line and starts with no mutes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-watch-mutes-'));
    const path = muteFilePath(dir);
    writeFileSync(path, '{"version":1,"mutes":[');
    const read = readMuteFile(path, NOW);
    expect(read.mutes).toEqual([]);
    expect(read.problems).toEqual([`${path} is not valid JSON; its mutes are ignored`]);
  });
});

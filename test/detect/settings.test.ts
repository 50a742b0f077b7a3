import { describe, expect, it } from 'vitest';
import { builtInServices } from '../../source/config/services.js';
import type { Config } from '../../source/config/types.js';
import { TECHNIQUES, techniques } from '../../source/detect/attack.js';
import { detectionSettings, withThreshold } from '../../source/detect/settings.js';
import { rules } from './builders.js';

function config(): Config {
  const services = builtInServices();
  services[1]!.threshold = 8;
  return {
    nodes: ['http://127.0.0.1:9200'],
    auth: { mode: 'none' },
    tls: { insecure: false },
    backend: 'auto',
    indexPattern: 'logs-*',
    ingestIndex: 'soc-watch-auth',
    escalationIndex: 'soc-watch-escalations',
    fields: services[0]!.fields,
    windowMs: 900_000,
    refreshMs: 5000,
    requestTimeoutMs: 10_000,
    maxOffenders: 100,
    services,
    rules: rules(),
    customRules: [],
    allowList: { cidrs: ['10.0.0.0/8'], users: ['*$'] },
    slack: { timeoutMs: 5000, retries: 3 },
    ascii: false,
  };
}

describe('detectionSettings', () => {
  it('takes thresholds, rules, allow-list and services from the config', () => {
    const source = config();
    const settings = detectionSettings(source);
    expect(settings.thresholds).toEqual({ ssh: 5, rdp: 8 });
    expect(settings.services).toEqual([
      { name: 'ssh', label: 'SSH', technique: 'T1021.004' },
      { name: 'rdp', label: 'RDP', technique: 'T1021.001' },
    ]);
    expect(settings.allowList).toEqual({ cidrs: ['10.0.0.0/8'], users: ['*$'] });
    expect(settings.rules).toEqual(source.rules);
    // A copy: editing the settings never edits the config.
    settings.allowList.cidrs.push('192.168.0.0/16');
    settings.rules.spraying.distinctUsers = 99;
    expect(source.allowList.cidrs).toEqual(['10.0.0.0/8']);
    expect(source.rules.spraying.distinctUsers).toBe(5);
  });
});

describe('withThreshold', () => {
  it('changes one service and leaves the original alone', () => {
    const before = detectionSettings(config());
    const after = withThreshold(before, 'ssh', 12);
    expect(after.thresholds).toEqual({ ssh: 12, rdp: 8 });
    expect(before.thresholds).toEqual({ ssh: 5, rdp: 8 });
  });

  it('rejects thresholds below 1, fractions and unknown services', () => {
    const settings = detectionSettings(config());
    expect(() => withThreshold(settings, 'ssh', 0)).toThrow(RangeError);
    expect(() => withThreshold(settings, 'ssh', 2.5)).toThrow(RangeError);
    expect(() => withThreshold(settings, 'ftp', 5)).toThrow(/unknown service: ftp/);
  });
});

describe('TECHNIQUES', () => {
  it('names the techniques the rules use', () => {
    expect(TECHNIQUES['T1110.001']?.name).toBe('Password Guessing');
    expect(TECHNIQUES['T1110.003']?.name).toBe('Password Spraying');
    expect(TECHNIQUES.T1078?.name).toBe('Valid Accounts');
    expect(TECHNIQUES['T1021.004']?.name).toBe('Remote Services: SSH');
    expect(TECHNIQUES['T1021.001']?.name).toBe('Remote Services: Remote Desktop Protocol');
  });

  it('keeps unknown ids, drops duplicates and blanks', () => {
    expect(techniques(['T1110', 'T9999', 'T1110', undefined, ' '])).toEqual([
      { id: 'T1110', name: 'Brute Force' },
      { id: 'T9999', name: 'T9999' },
    ]);
  });
});

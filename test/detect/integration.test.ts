// The detector over REAL snapshots: a fixed data set of attacks and benign traffic is seeded
// into Elasticsearch and OpenSearch, snapshots are fetched with the cluster layer exactly as
// the console does (short window + 6 h slow window), and the detector must raise exactly the
// expected alerts — rule, key, techniques, severity — and nothing for the benign traffic.
// Every expectation is written from the scenario below, not computed by the code under test.
//
// Scenario (times relative to `now`; window 15 m; slow window 6 h; default rules):
//   SSH  203.0.113.10    60 × Failed root in one minute, web-9          → brute-force, high (volume)
//        198.51.100.20   12 × Failed admin, one every 25 min, none in 15 m → slow-brute-force, medium
//        198.51.100.30   8 users × 1 Failed (alice … heidi)              → spraying high, brute-force medium
//        192.0.2.40      6 × Invalid user (test, guest, oracle ×2)       → enumeration low, brute-force low
//        203.0.113.101–106  1–2 × Failed svc-backup each (6 IPs)         → distributed, high
//        203.0.113.66    7 × Failed deploy 50 min ago, Accepted deploy 5 min ago
//                                                                        → success-after-failure, critical
//        10.20.30.40     5 × Failed ubuntu (internal)                    → brute-force, high
//        192.168.50.5    30 × Failed ansible — allow-listed bastion /24  → nothing
//        10.0.0.8        2 × Failed alice, then Accepted (a typo)        → nothing
//        203.0.113.200   4 × Failed root (threshold − 1)                 → nothing (until the threshold is 4)
//        10.0.0.9        3 × Accepted bob                                → nothing
//   RDP  45.67.89.10     20 × 4625 Network Administrator 0xC000006A     → brute-force, medium
//        (no source)     4 × 4625 Network Administrator, IpAddress "-"   → nothing (counted as unknown source)
//        45.67.89.20     6 × 4625 LogonType 10 jdoe, then 4624 RemoteInteractive jdoe
//                                                                        → brute-force medium, success-after-failure critical
//        45.67.89.30     10 × 4625 WKS01$/WKS02$ — machine accounts      → nothing (allow-listed *$)
//        45.67.89.31     8 × 4625 ANONYMOUS LOGON                        → nothing (allow-listed)
//   custom rule ssh-per-host: SSH failures per host ≥ 50                 → web-9 (60), medium
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClusterClient } from '../../source/cluster/client.js';
import { fetchSnapshot } from '../../source/cluster/fetch.js';
import type { BackendKind, ClusterClient } from '../../source/cluster/types.js';
import type { Config } from '../../source/config/types.js';
import type { Snapshot } from '../../source/contracts/snapshot.js';
import type { Alert } from '../../source/detect/alert.js';
import {
  createDetectorState,
  type DetectorState,
  detect,
  offenderFlags,
  reevaluate,
} from '../../source/detect/detector.js';
import { detectionSettings, withThreshold } from '../../source/detect/settings.js';
import { testConfig } from '../support/config.js';
import { deleteIndices, type SeedDoc, seedIndex, sshDoc, windowsDoc } from '../support/seed.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function scenario(now: number): SeedDoc[] {
  const docs: SeedDoc[] = [];
  const ssh = (
    at: number,
    ip: string,
    user: string,
    kind: 'Failed' | 'Invalid' | 'Accepted',
    host = 'web-1',
  ): void => {
    docs.push(sshDoc({ at, ip, user, kind, host }));
  };
  const rdp = (at: number, options: Omit<Parameters<typeof windowsDoc>[0], 'at'>): void => {
    docs.push(windowsDoc({ at, ...options }));
  };

  for (let i = 0; i < 60; i++) ssh(now - 10 * MINUTE + i * 1000, '203.0.113.10', 'root', 'Failed', 'web-9');
  for (let i = 0; i < 12; i++) ssh(now - 5 * HOUR + i * 25 * MINUTE, '198.51.100.20', 'admin', 'Failed');
  for (const [i, user] of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'].entries()) {
    ssh(now - 9 * MINUTE + i * 7000, '198.51.100.30', user, 'Failed');
  }
  for (const [i, user] of ['test', 'test', 'guest', 'guest', 'oracle', 'oracle'].entries()) {
    ssh(now - 8 * MINUTE + i * 5000, '192.0.2.40', user, 'Invalid');
  }
  for (let i = 0; i < 6; i++) {
    const ip = `203.0.113.${101 + i}`;
    ssh(now - 12 * MINUTE + i * MINUTE, ip, 'svc-backup', 'Failed');
    if (i % 2 === 0) ssh(now - 12 * MINUTE + i * MINUTE + 20_000, ip, 'svc-backup', 'Failed');
  }
  for (let i = 0; i < 7; i++) ssh(now - 50 * MINUTE + i * 30_000, '203.0.113.66', 'deploy', 'Failed');
  ssh(now - 5 * MINUTE, '203.0.113.66', 'deploy', 'Accepted');
  for (let i = 0; i < 5; i++) ssh(now - 6 * MINUTE + i * 3000, '10.20.30.40', 'ubuntu', 'Failed');
  for (let i = 0; i < 30; i++)
    ssh(now - 11 * MINUTE + i * 10_000, '192.168.50.5', 'ansible', 'Failed', 'web-2');
  ssh(now - 4 * MINUTE, '10.0.0.8', 'alice', 'Failed');
  ssh(now - 4 * MINUTE + 5000, '10.0.0.8', 'alice', 'Failed');
  ssh(now - 4 * MINUTE + 9000, '10.0.0.8', 'alice', 'Accepted');
  for (let i = 0; i < 4; i++) ssh(now - 3 * MINUTE + i * 2000, '203.0.113.200', 'root', 'Failed');
  for (let i = 0; i < 3; i++) ssh(now - 14 * MINUTE + i * 4 * MINUTE, '10.0.0.9', 'bob', 'Accepted');

  for (let i = 0; i < 20; i++) {
    rdp(now - 7 * MINUTE + i * 5000, {
      code: '4625',
      ip: '45.67.89.10',
      user: 'Administrator',
      host: 'DC-01',
      logonTypeName: 'Network',
      subStatus: '0xC000006A',
    });
  }
  for (let i = 0; i < 4; i++) {
    rdp(now - 6 * MINUTE + i * 5000, {
      code: '4625',
      user: 'Administrator',
      host: 'DC-01',
      logonTypeName: 'Network',
    });
  }
  for (let i = 0; i < 6; i++) {
    rdp(now - 12 * MINUTE + i * 10_000, {
      code: '4625',
      ip: '45.67.89.20',
      user: 'jdoe',
      host: 'WS-07',
      logonTypeNumber: '10',
    });
  }
  rdp(now - 11 * MINUTE, {
    code: '4624',
    ip: '45.67.89.20',
    user: 'jdoe',
    host: 'WS-07',
    logonTypeName: 'RemoteInteractive',
    logonTypeNumber: '10',
  });
  for (let i = 0; i < 10; i++) {
    rdp(now - 9 * MINUTE + i * 4000, {
      code: '4625',
      ip: '45.67.89.30',
      user: i % 2 ? 'WKS02$' : 'WKS01$',
      host: 'DC-01',
      logonTypeName: 'Network',
    });
  }
  for (let i = 0; i < 8; i++) {
    rdp(now - 8 * MINUTE + i * 4000, {
      code: '4625',
      ip: '45.67.89.31',
      user: 'ANONYMOUS LOGON',
      host: 'DC-01',
      logonTypeName: 'Network',
    });
  }
  return docs;
}

/** [id, severity, techniques] for every alert, sorted by id. */
const EXPECTED: [string, Alert['severity'], string[]][] = [
  ['brute-force|rdp|45.67.89.10', 'medium', ['T1110.001', 'T1021.001']],
  ['brute-force|rdp|45.67.89.20', 'medium', ['T1110.001', 'T1021.001']],
  ['brute-force|ssh|10.20.30.40', 'high', ['T1110.001', 'T1021.004']],
  ['brute-force|ssh|192.0.2.40', 'low', ['T1110.001', 'T1021.004']],
  ['brute-force|ssh|198.51.100.30', 'medium', ['T1110.001', 'T1021.004']],
  ['brute-force|ssh|203.0.113.10', 'high', ['T1110.001', 'T1021.004']],
  ['custom:ssh-per-host|ssh|web-9', 'medium', ['T1110', 'T1021.004']],
  ['distributed|ssh|svc-backup', 'high', ['T1110', 'T1021.004']],
  ['enumeration|ssh|192.0.2.40', 'low', ['T1110', 'T1021.004']],
  ['slow-brute-force|ssh|198.51.100.20', 'medium', ['T1110.001', 'T1021.004']],
  ['spraying|ssh|198.51.100.30', 'high', ['T1110.003', 'T1021.004']],
  ['success-after-failure|rdp|45.67.89.20', 'critical', ['T1078', 'T1110', 'T1021.001']],
  ['success-after-failure|ssh|203.0.113.66', 'critical', ['T1078', 'T1110', 'T1021.004']],
];

const backends: { kind: BackendKind; url: () => string }[] = [
  { kind: 'elasticsearch', url: () => inject('esUrl') },
  { kind: 'opensearch', url: () => inject('opensearchUrl') },
];

describe.each(backends)('detector over real snapshots on $kind', ({ kind, url }) => {
  const index = `test-detect-${randomUUID().slice(0, 8)}`;
  const now = Date.now();
  let client: ClusterClient;
  let config: Config;
  let short: Snapshot;
  let slow: Snapshot;
  let state: DetectorState;

  beforeAll(async () => {
    await seedIndex(url(), kind, index, scenario(now));
    config = testConfig({
      nodes: [url()],
      backend: kind,
      indexPattern: index,
      allowList: { cidrs: ['192.168.50.0/24'], users: ['*$', 'ANONYMOUS LOGON'] },
      customRules: [
        {
          name: 'ssh-per-host',
          service: 'ssh',
          groupBy: 'host.hostname',
          metric: 'count',
          threshold: 50,
          windowMs: 15 * MINUTE,
          severity: 'medium',
          technique: 'T1110',
        },
      ],
    });
    client = await createClusterClient(config, {});
    short = await fetchSnapshot(client, config, { now });
    slow = await fetchSnapshot(client, config, { now, windowMs: config.rules.slowBruteForce.windowMs });
    state = detect(
      createDetectorState(),
      { snapshot: short, slowSnapshot: slow },
      detectionSettings(config),
      now,
    );
  });
  afterAll(async () => {
    await client?.close();
    await deleteIndices(url(), [index]);
  });

  it('raises exactly the expected alerts, with their techniques and severities', () => {
    const actual = [...state.alerts]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((alert) => [alert.id, alert.severity, alert.techniques.map((entry) => entry.id)]);
    expect(actual).toEqual([...EXPECTED].sort((a, b) => a[0].localeCompare(b[0])));
    expect(state.alerts.every((alert) => alert.state === 'new' && !alert.repeatOffender)).toBe(true);
  });

  it('carries the numbers the analyst needs', () => {
    const byId = new Map(state.alerts.map((alert) => [alert.id, alert]));
    expect(byId.get('brute-force|ssh|203.0.113.10')).toMatchObject({
      failures: 60,
      distinctUsers: 1,
      topUsers: [{ name: 'root', count: 60 }],
      internalSource: false,
      summary: '60 failures · 1 user · 15m',
    });
    expect(byId.get('brute-force|ssh|203.0.113.10')?.peakRate).toBeGreaterThanOrEqual(59);
    expect(byId.get('brute-force|ssh|10.20.30.40')?.internalSource).toBe(true);
    expect(byId.get('slow-brute-force|ssh|198.51.100.20')).toMatchObject({
      failures: 12,
      windowMs: 6 * HOUR,
    });
    expect(byId.get('spraying|ssh|198.51.100.30')).toMatchObject({ distinctUsers: 8, failures: 8 });
    expect(byId.get('enumeration|ssh|192.0.2.40')).toMatchObject({ invalidUserFailures: 6, failures: 6 });
    expect(byId.get('distributed|ssh|svc-backup')).toMatchObject({
      keyKind: 'user',
      distinctIps: 6,
      failures: 9,
    });
    expect(byId.get('success-after-failure|ssh|203.0.113.66')).toMatchObject({
      failures: 7,
      success: { user: 'deploy', at: new Date(now - 5 * MINUTE).toISOString() },
    });
    expect(byId.get('success-after-failure|rdp|45.67.89.20')?.success?.user).toBe('jdoe');
    expect(byId.get('custom:ssh-per-host|ssh|web-9')).toMatchObject({ keyKind: 'other', failures: 60 });
  });

  it('keeps the numbers of suppressed and benign sources visible, with their flags', () => {
    const settings = detectionSettings(config);
    const row = (service: string, ip: string) => {
      const offender = short.services
        .find((entry) => entry.service === service)
        ?.offenders.find((o) => o.ip === ip);
      if (!offender) throw new Error(`${ip} missing from the ${service} snapshot`);
      return offenderFlags(state, settings, service, offender, now);
    };
    expect(row('ssh', '192.168.50.5')).toEqual(['over-threshold', 'allow-listed']);
    expect(row('rdp', '45.67.89.30')).toEqual(['over-threshold', 'allow-listed']);
    expect(row('rdp', '45.67.89.31')).toEqual(['over-threshold', 'allow-listed']);
    expect(row('ssh', '10.0.0.8')).toEqual([]);
    expect(row('ssh', '203.0.113.200')).toEqual([]);
    expect(short.services.find((entry) => entry.service === 'rdp')?.unknownSource).toBe(4);
  });

  it('a threshold change re-evaluates the same snapshot at once', () => {
    const lowered = withThreshold(detectionSettings(config), 'ssh', 4);
    const next = reevaluate(state, lowered, now + 1000);
    const added = next.alerts.filter((alert) => !state.alerts.some((before) => before.id === alert.id));
    expect(added.map((alert) => [alert.id, alert.severity])).toEqual([
      ['brute-force|ssh|203.0.113.200', 'medium'],
    ]);
  });
});

// A known-truth data set of SSH and RDP authentication events, in ECS as Filebeat's system
// module and Winlogbeat write them, plus a custom-schema index (the proof of concept's
// `ssh-logs` with `ip_address`). Every expected number below is written from the scenario,
// not computed by the code under test; only the timeline is tallied from the seeded times.
//
// Scenario (fast window = 15 m, 60 buckets of 15 s; t(b) = 3 s into bucket b):
//   SSH  A 203.0.113.10   12 failures (root×6, admin×4, oracle×2 "for invalid user"), web-1×8 web-2×4,
//                         success before its first failure + 2 after (root, then admin); CN/AS4134
//        B 198.51.100.7    7 "Invalid user" failures, user1..user7, web-1
//        C 2001:db8::bad   5 failures (admin×3, ubuntu×2), web-2; DE/AS3320
//        D 192.0.2.55      3 failures admin, web-1
//        E 10.0.0.5        2 successes only (not an offender)
//        noise: PAM "authentication failure" (not an sshd login) — not counted
//        outside: A×4 at from−5m, F 192.0.2.200 at now−2h (slow window only), G at now+7m (never)
//   RDP  H 45.67.89.10     9 × 4625 logon.type "Network" (Administrator×5 0xC000006A, admin×4
//                         0xC0000064, two of them lowercase), then a 4624 RemoteInteractive; RU/AS49505
//        I 45.67.89.11     6 × 4625 event_data.LogonType "10" only, scan1..3 ×2, all 0xC0000064, WS-02
//        unknown source    4 × 4625 type 3 with IpAddress "-" (no source.ip), Administrator
//        V 2001:db8:1::20  5 × 4625 event_data.LogonType "3", Administrator, DC-01
//        noise: 4625/4624 LogonType 2 (console) and 4625 "Service" — not RDP
//        outside: H×3 at from−1m (slow window only)
//   legacy (custom schema, own index): 192.0.2.10 ×4 failures, "-" ×2 and "" ×1 (unknown source),
//        192.0.2.11 ×2 failures then 1 success
import { Client as ElasticClient } from '@elastic/elasticsearch';
import { Client as OpenSearchClient } from '@opensearch-project/opensearch';
import type { BackendKind } from '../../source/cluster/types.js';
import { DEFAULT_FIELDS } from '../../source/config/services.js';
import type { CustomRule, ServiceDefinition } from '../../source/config/types.js';
import type { CustomRuleResult, ServiceSnapshot } from '../../source/contracts/snapshot.js';

export type SeedDoc = Record<string, unknown>;
export type ServiceTruth = Omit<ServiceSnapshot, 'took'>;

export const WINDOW_MS = 15 * 60_000;
export const BUCKET_MS = 15_000;
export const BUCKETS = 60;
export const SLOW_WINDOW_MS = 6 * 3_600_000;

export interface Geo {
  country: string;
  asn: number;
  org: string;
}
const CN: Geo = { country: 'CN', asn: 4134, org: 'CHINANET-BACKBONE' };
const DE: Geo = { country: 'DE', asn: 3320, org: 'Deutsche Telekom AG' };
const RU: Geo = { country: 'RU', asn: 49505, org: 'Selectel' };

function source(ip: string | undefined, geo?: Geo, port = 40000): SeedDoc | undefined {
  if (!ip) return undefined;
  return {
    ip,
    port,
    ...(geo
      ? { geo: { country_iso_code: geo.country }, as: { number: geo.asn, organization: { name: geo.org } } }
      : {}),
  };
}

/** An sshd event as Filebeat's system module (auth fileset) writes it. */
export function sshDoc(options: {
  at: number;
  ip: string;
  user: string;
  kind: 'Failed' | 'Invalid' | 'Accepted' | 'FailedInvalidUser';
  host: string;
  geo?: Geo;
}): SeedDoc {
  const { at, ip, user, kind, host, geo } = options;
  const port = 40000 + (at % 20000);
  const sshEvent = kind === 'FailedInvalidUser' ? 'Failed' : kind;
  const message =
    kind === 'Invalid'
      ? `Invalid user ${user} from ${ip} port ${port}`
      : kind === 'FailedInvalidUser'
        ? `Failed password for invalid user ${user} from ${ip} port ${port} ssh2`
        : `${kind} password for ${user} from ${ip} port ${port} ssh2`;
  return {
    '@timestamp': new Date(at).toISOString(),
    event: {
      kind: 'event',
      module: 'system',
      dataset: 'system.auth',
      action: 'ssh_login',
      category: ['authentication'],
      type: ['info'],
      outcome: kind === 'Accepted' ? 'success' : 'failure',
    },
    system: { auth: { ssh: { event: sshEvent, ...(kind === 'Invalid' ? {} : { method: 'password' }) } } },
    user: { name: user },
    source: source(ip, geo, port),
    host: { hostname: host },
    process: { name: 'sshd', pid: 2200 },
    message,
  };
}

/** A PAM failure line: Filebeat marks it `authentication_failure`, not an sshd login. */
function pamDoc(at: number, ip: string, host: string): SeedDoc {
  return {
    '@timestamp': new Date(at).toISOString(),
    event: {
      kind: 'event',
      action: 'authentication_failure',
      category: ['authentication'],
      outcome: 'failure',
    },
    user: { name: 'root' },
    source: { ip },
    host: { hostname: host },
    message: `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip} user=root`,
  };
}

/** A Windows Security 4624/4625 as Winlogbeat writes it (names and/or raw numbers). */
export function windowsDoc(options: {
  at: number;
  code: '4624' | '4625';
  ip?: string;
  user: string;
  host: string;
  logonTypeName?: string;
  logonTypeNumber?: string;
  subStatus?: string;
  geo?: Geo;
}): SeedDoc {
  const { at, code, ip, user, host, logonTypeName, logonTypeNumber, subStatus, geo } = options;
  const failed = code === '4625';
  return {
    '@timestamp': new Date(at).toISOString(),
    event: {
      kind: 'event',
      code,
      provider: 'Microsoft-Windows-Security-Auditing',
      action: failed ? 'logon-failed' : 'logged-in',
      category: ['authentication'],
      type: ['start'],
      outcome: failed ? 'failure' : 'success',
    },
    winlog: {
      channel: 'Security',
      event_id: code,
      ...(logonTypeName ? { logon: { type: logonTypeName } } : {}),
      event_data: {
        TargetUserName: user,
        IpAddress: ip ?? '-',
        WorkstationName: 'KALI',
        ...(logonTypeNumber ? { LogonType: logonTypeNumber } : {}),
        ...(failed ? { Status: '0xC000006D', SubStatus: subStatus ?? '0xC000006A' } : {}),
      },
    },
    user: { name: user },
    ...(ip ? { source: source(ip, geo) } : {}),
    host: { hostname: host },
  };
}

/** Legacy proof-of-concept schema (`ssh-logs`): flat fields, IP as keyword. */
function legacyDoc(at: number, ip: string, user: string, status: 'failed' | 'accepted'): SeedDoc {
  return {
    timestamp: new Date(at).toISOString(),
    ip_address: ip,
    username: user,
    hostname: 'bastion',
    status,
    message: `${status} login for ${user} from ${ip}`,
  };
}

export const LEGACY_FIELDS = {
  time: 'timestamp',
  sourceIp: 'ip_address',
  user: 'username',
  host: 'hostname',
  country: 'geo_country',
  asn: 'asn',
  asOrg: 'as_org',
};

export function legacyService(indexPattern: string): ServiceDefinition {
  return {
    name: 'legacy',
    label: 'Legacy SSH',
    failure: { term: { status: 'failed' } },
    success: { term: { status: 'accepted' } },
    indexPattern,
    fields: { ...LEGACY_FIELDS },
    threshold: 5,
  };
}

export function seedCustomRules(sshIndex: string): CustomRule[] {
  return [
    {
      name: 'many-users',
      service: 'ssh',
      groupBy: DEFAULT_FIELDS.sourceIp,
      metric: `distinct:${DEFAULT_FIELDS.user}`,
      threshold: 3,
      windowMs: WINDOW_MS,
      severity: 'medium',
      technique: 'T1110.003',
    },
    {
      name: 'per-host',
      indexPattern: sshIndex,
      filter: { term: { 'event.outcome': 'failure' } },
      groupBy: DEFAULT_FIELDS.host,
      metric: 'count',
      threshold: 10,
      windowMs: WINDOW_MS,
      severity: 'low',
      technique: 'T1110',
    },
  ];
}

function tally(times: number[], from: number): number[] {
  const timeline = new Array<number>(BUCKETS).fill(0);
  for (const time of times) {
    const index = Math.floor((time - from) / BUCKET_MS);
    if (index >= 0 && index < BUCKETS) timeline[index] = (timeline[index] ?? 0) + 1;
  }
  return timeline;
}

const iso = (ms: number) => new Date(ms).toISOString();

export interface Seed {
  now: number;
  window: { from: number; to: number };
  docs: { ssh: SeedDoc[]; rdp: SeedDoc[]; legacy: SeedDoc[] };
  truth: {
    ssh: ServiceTruth;
    rdp: ServiceTruth;
    legacy: ServiceTruth;
    customRules: CustomRuleResult[];
    /** The 6 h window: totals and offenders (ip, failures) only. */
    slow: Record<'ssh' | 'rdp', { failures: number; offenders: [string, number][] }>;
  };
}

export function buildSeed(now: number = Date.now()): Seed {
  // Window arithmetic written out independently of source/cluster/window.ts.
  const to = Math.floor(now / BUCKET_MS) * BUCKET_MS + BUCKET_MS;
  const from = to - WINDOW_MS;
  const t = (bucket: number, second = 3) => from + bucket * BUCKET_MS + second * 1000;

  // ---- SSH ----
  const ssh: SeedDoc[] = [];
  const sshFailTimes: number[] = [];
  const A = '203.0.113.10';
  for (let i = 0; i < 12; i++) {
    const user = i < 6 ? 'root' : i < 10 ? 'admin' : 'oracle';
    ssh.push(
      sshDoc({
        at: t(10 + i),
        ip: A,
        user,
        kind: user === 'oracle' ? 'FailedInvalidUser' : 'Failed',
        host: i % 3 === 2 ? 'web-2' : 'web-1',
        geo: CN,
      }),
    );
    sshFailTimes.push(t(10 + i));
  }
  ssh.push(sshDoc({ at: t(8), ip: A, user: 'root', kind: 'Accepted', host: 'web-1', geo: CN }));
  ssh.push(sshDoc({ at: t(23), ip: A, user: 'root', kind: 'Accepted', host: 'web-1', geo: CN }));
  ssh.push(sshDoc({ at: t(30), ip: A, user: 'admin', kind: 'Accepted', host: 'web-2', geo: CN }));
  const B = '198.51.100.7';
  for (let i = 0; i < 7; i++) {
    ssh.push(sshDoc({ at: t(40 + i), ip: B, user: `user${i + 1}`, kind: 'Invalid', host: 'web-1' }));
    sshFailTimes.push(t(40 + i));
  }
  const C = '2001:db8::bad';
  for (let i = 0; i < 5; i++) {
    ssh.push(
      sshDoc({
        at: t(45 + i, 9),
        ip: C,
        user: i < 3 ? 'admin' : 'ubuntu',
        kind: 'Failed',
        host: 'web-2',
        geo: DE,
      }),
    );
    sshFailTimes.push(t(45 + i, 9));
  }
  const D = '192.0.2.55';
  for (let i = 0; i < 3; i++) {
    ssh.push(sshDoc({ at: t(55 + i), ip: D, user: 'admin', kind: 'Failed', host: 'web-1' }));
    sshFailTimes.push(t(55 + i));
  }
  ssh.push(sshDoc({ at: t(5), ip: '10.0.0.5', user: 'deploy', kind: 'Accepted', host: 'web-1' }));
  ssh.push(sshDoc({ at: t(50), ip: '10.0.0.5', user: 'deploy', kind: 'Accepted', host: 'web-2' }));
  ssh.push(pamDoc(t(12), A, 'web-1'));
  for (let i = 0; i < 4; i++) {
    ssh.push(
      sshDoc({
        at: from - 5 * 60_000 + i * 1000,
        ip: A,
        user: 'root',
        kind: 'Failed',
        host: 'web-1',
        geo: CN,
      }),
    );
  }
  ssh.push(
    sshDoc({ at: now - 2 * 3_600_000, ip: '192.0.2.200', user: 'admin', kind: 'Failed', host: 'web-1' }),
  );
  ssh.push(sshDoc({ at: now + 7 * 60_000, ip: '203.0.113.99', user: 'root', kind: 'Failed', host: 'web-1' }));

  const sshTruth: ServiceTruth = {
    service: 'ssh',
    label: 'SSH',
    failures: 27,
    successes: 5,
    distinctIps: 4,
    unknownSource: 0,
    invalidUserFailures: 9,
    offenders: [
      {
        ip: A,
        failures: 12,
        distinctUsers: 3,
        topUsers: [
          { name: 'root', count: 6 },
          { name: 'admin', count: 4 },
          { name: 'oracle', count: 2 },
        ],
        invalidUserFailures: 2,
        hosts: [
          { name: 'web-1', count: 8 },
          { name: 'web-2', count: 4 },
        ],
        firstFailure: iso(t(10)),
        lastFailure: iso(t(21)),
        successesAfterFailure: 2,
        firstSuccessAfterFailure: iso(t(23)),
        successUser: 'root',
        country: 'CN',
        asn: 4134,
        asOrg: 'CHINANET-BACKBONE',
      },
      {
        ip: B,
        failures: 7,
        distinctUsers: 7,
        topUsers: [1, 2, 3, 4, 5].map((n) => ({ name: `user${n}`, count: 1 })),
        invalidUserFailures: 7,
        hosts: [{ name: 'web-1', count: 7 }],
        firstFailure: iso(t(40)),
        lastFailure: iso(t(46)),
        successesAfterFailure: 0,
        firstSuccessAfterFailure: null,
        successUser: null,
        country: null,
        asn: null,
        asOrg: null,
      },
      {
        ip: C,
        failures: 5,
        distinctUsers: 2,
        topUsers: [
          { name: 'admin', count: 3 },
          { name: 'ubuntu', count: 2 },
        ],
        invalidUserFailures: 0,
        hosts: [{ name: 'web-2', count: 5 }],
        firstFailure: iso(t(45, 9)),
        lastFailure: iso(t(49, 9)),
        successesAfterFailure: 0,
        firstSuccessAfterFailure: null,
        successUser: null,
        country: 'DE',
        asn: 3320,
        asOrg: 'Deutsche Telekom AG',
      },
      {
        ip: D,
        failures: 3,
        distinctUsers: 1,
        topUsers: [{ name: 'admin', count: 3 }],
        invalidUserFailures: 0,
        hosts: [{ name: 'web-1', count: 3 }],
        firstFailure: iso(t(55)),
        lastFailure: iso(t(57)),
        successesAfterFailure: 0,
        firstSuccessAfterFailure: null,
        successUser: null,
        country: null,
        asn: null,
        asOrg: null,
      },
    ],
    offendersTruncated: false,
    timeline: tally(sshFailTimes, from),
    targetedUsers: [
      { user: 'admin', failures: 10, distinctIps: 3, invalidUserFailures: 0 },
      { user: 'root', failures: 6, distinctIps: 1, invalidUserFailures: 0 },
      { user: 'oracle', failures: 2, distinctIps: 1, invalidUserFailures: 2 },
      { user: 'ubuntu', failures: 2, distinctIps: 1, invalidUserFailures: 0 },
      ...[1, 2, 3, 4, 5, 6, 7].map((n) => ({
        user: `user${n}`,
        failures: 1,
        distinctIps: 1,
        invalidUserFailures: 1,
      })),
    ],
  };

  // ---- RDP ----
  const rdp: SeedDoc[] = [];
  const rdpFailTimes: number[] = [];
  const H = '45.67.89.10';
  for (let i = 0; i < 9; i++) {
    const real = i < 5;
    rdp.push(
      windowsDoc({
        at: t(20 + i),
        code: '4625',
        ip: H,
        user: real ? 'Administrator' : 'admin',
        host: 'DC-01',
        logonTypeName: 'Network',
        subStatus: real ? '0xC000006A' : i >= 7 ? '0xc0000064' : '0xC0000064',
        geo: RU,
      }),
    );
    rdpFailTimes.push(t(20 + i));
  }
  rdp.push(
    windowsDoc({
      at: t(35, 7),
      code: '4624',
      ip: H,
      user: 'Administrator',
      host: 'DC-01',
      logonTypeName: 'RemoteInteractive',
      logonTypeNumber: '10',
      geo: RU,
    }),
  );
  const I = '45.67.89.11';
  for (let i = 0; i < 6; i++) {
    rdp.push(
      windowsDoc({
        at: t(30 + i),
        code: '4625',
        ip: I,
        user: `scan${(i % 3) + 1}`,
        host: 'WS-02',
        logonTypeNumber: '10',
        subStatus: '0xC0000064',
      }),
    );
    rdpFailTimes.push(t(30 + i));
  }
  for (let i = 0; i < 4; i++) {
    rdp.push(
      windowsDoc({
        at: t(50 + i),
        code: '4625',
        user: 'Administrator',
        host: 'DC-01',
        logonTypeName: 'Network',
        logonTypeNumber: '3',
      }),
    );
    rdpFailTimes.push(t(50 + i));
  }
  const V = '2001:db8:1::20';
  for (let i = 0; i < 5; i++) {
    rdp.push(
      windowsDoc({
        at: t(52 + i, 11),
        code: '4625',
        ip: V,
        user: 'Administrator',
        host: 'DC-01',
        logonTypeNumber: '3',
      }),
    );
    rdpFailTimes.push(t(52 + i, 11));
  }
  rdp.push(
    windowsDoc({
      at: t(25),
      code: '4625',
      ip: H,
      user: 'Administrator',
      host: 'DC-01',
      logonTypeName: 'Interactive',
      logonTypeNumber: '2',
    }),
  );
  rdp.push(
    windowsDoc({
      at: t(26),
      code: '4624',
      ip: H,
      user: 'Administrator',
      host: 'DC-01',
      logonTypeName: 'Interactive',
      logonTypeNumber: '2',
    }),
  );
  rdp.push(
    windowsDoc({
      at: t(27),
      code: '4625',
      ip: '45.67.89.12',
      user: 'svc',
      host: 'DC-01',
      logonTypeName: 'Service',
      logonTypeNumber: '5',
    }),
  );
  for (let i = 0; i < 3; i++) {
    rdp.push(
      windowsDoc({
        at: from - 60_000 + i * 1000,
        code: '4625',
        ip: H,
        user: 'Administrator',
        host: 'DC-01',
        logonTypeName: 'Network',
        geo: RU,
      }),
    );
  }

  const rdpTruth: ServiceTruth = {
    service: 'rdp',
    label: 'RDP',
    failures: 24,
    successes: 1,
    distinctIps: 3,
    unknownSource: 4,
    invalidUserFailures: 10,
    offenders: [
      {
        ip: H,
        failures: 9,
        distinctUsers: 2,
        topUsers: [
          { name: 'Administrator', count: 5 },
          { name: 'admin', count: 4 },
        ],
        invalidUserFailures: 4,
        hosts: [{ name: 'DC-01', count: 9 }],
        firstFailure: iso(t(20)),
        lastFailure: iso(t(28)),
        successesAfterFailure: 1,
        firstSuccessAfterFailure: iso(t(35, 7)),
        successUser: 'Administrator',
        country: 'RU',
        asn: 49505,
        asOrg: 'Selectel',
      },
      {
        ip: I,
        failures: 6,
        distinctUsers: 3,
        topUsers: [
          { name: 'scan1', count: 2 },
          { name: 'scan2', count: 2 },
          { name: 'scan3', count: 2 },
        ],
        invalidUserFailures: 6,
        hosts: [{ name: 'WS-02', count: 6 }],
        firstFailure: iso(t(30)),
        lastFailure: iso(t(35)),
        successesAfterFailure: 0,
        firstSuccessAfterFailure: null,
        successUser: null,
        country: null,
        asn: null,
        asOrg: null,
      },
      {
        ip: V,
        failures: 5,
        distinctUsers: 1,
        topUsers: [{ name: 'Administrator', count: 5 }],
        invalidUserFailures: 0,
        hosts: [{ name: 'DC-01', count: 5 }],
        firstFailure: iso(t(52, 11)),
        lastFailure: iso(t(56, 11)),
        successesAfterFailure: 0,
        firstSuccessAfterFailure: null,
        successUser: null,
        country: null,
        asn: null,
        asOrg: null,
      },
    ],
    offendersTruncated: false,
    timeline: tally(rdpFailTimes, from),
    targetedUsers: [
      { user: 'Administrator', failures: 14, distinctIps: 2, invalidUserFailures: 0 },
      { user: 'admin', failures: 4, distinctIps: 1, invalidUserFailures: 4 },
      { user: 'scan1', failures: 2, distinctIps: 1, invalidUserFailures: 2 },
      { user: 'scan2', failures: 2, distinctIps: 1, invalidUserFailures: 2 },
      { user: 'scan3', failures: 2, distinctIps: 1, invalidUserFailures: 2 },
    ],
  };

  // ---- legacy custom schema ----
  const legacy: SeedDoc[] = [];
  const legacyFailTimes: number[] = [];
  const addLegacy = (at: number, ip: string, user: string, status: 'failed' | 'accepted') => {
    legacy.push(legacyDoc(at, ip, user, status));
    if (status === 'failed') legacyFailTimes.push(at);
  };
  for (let i = 0; i < 4; i++) addLegacy(t(2 + i), '192.0.2.10', 'root', 'failed');
  addLegacy(t(7), '-', 'root', 'failed');
  addLegacy(t(8), '-', 'guest', 'failed');
  addLegacy(t(9), '', 'root', 'failed');
  addLegacy(t(12), '192.0.2.11', 'pi', 'failed');
  addLegacy(t(13), '192.0.2.11', 'pi', 'failed');
  addLegacy(t(14), '192.0.2.11', 'pi', 'accepted');

  const legacyTruth: ServiceTruth = {
    service: 'legacy',
    label: 'Legacy SSH',
    failures: 9,
    successes: 1,
    distinctIps: 2,
    unknownSource: 3,
    invalidUserFailures: 0,
    offenders: [
      {
        ip: '192.0.2.10',
        failures: 4,
        distinctUsers: 1,
        topUsers: [{ name: 'root', count: 4 }],
        invalidUserFailures: 0,
        hosts: [{ name: 'bastion', count: 4 }],
        firstFailure: iso(t(2)),
        lastFailure: iso(t(5)),
        successesAfterFailure: 0,
        firstSuccessAfterFailure: null,
        successUser: null,
        country: null,
        asn: null,
        asOrg: null,
      },
      {
        ip: '192.0.2.11',
        failures: 2,
        distinctUsers: 1,
        topUsers: [{ name: 'pi', count: 2 }],
        invalidUserFailures: 0,
        hosts: [{ name: 'bastion', count: 2 }],
        firstFailure: iso(t(12)),
        lastFailure: iso(t(13)),
        successesAfterFailure: 1,
        firstSuccessAfterFailure: iso(t(14)),
        successUser: 'pi',
        country: null,
        asn: null,
        asOrg: null,
      },
    ],
    offendersTruncated: false,
    timeline: tally(legacyFailTimes, from),
    targetedUsers: [
      // '-', '' and 192.0.2.10 all count as distinct values of ip_address for root.
      { user: 'root', failures: 6, distinctIps: 3, invalidUserFailures: 0 },
      { user: 'pi', failures: 2, distinctIps: 1, invalidUserFailures: 0 },
      { user: 'guest', failures: 1, distinctIps: 1, invalidUserFailures: 0 },
    ],
  };

  const customRules: CustomRuleResult[] = [
    {
      rule: 'many-users',
      service: 'ssh',
      windowMs: WINDOW_MS,
      groups: [
        { key: B, value: 7, count: 7 },
        { key: A, value: 3, count: 12 },
        { key: C, value: 2, count: 5 },
        { key: D, value: 1, count: 3 },
      ],
    },
    {
      rule: 'per-host',
      service: null,
      windowMs: WINDOW_MS,
      // Any `event.outcome: failure` in the SSH index, so the PAM line counts here.
      groups: [
        { key: 'web-1', value: 19, count: 19 },
        { key: 'web-2', value: 9, count: 9 },
      ],
    },
  ];

  return {
    now,
    window: { from, to },
    docs: { ssh, rdp, legacy },
    truth: {
      ssh: sshTruth,
      rdp: rdpTruth,
      legacy: legacyTruth,
      customRules,
      slow: {
        ssh: {
          failures: 27 + 4 + 1,
          offenders: [
            [A, 16],
            [B, 7],
            [C, 5],
            [D, 3],
            ['192.0.2.200', 1],
          ],
        },
        rdp: {
          failures: 24 + 3,
          offenders: [
            [H, 12],
            [I, 6],
            [V, 5],
          ],
        },
      },
    },
  };
}

/** Mapping as the Beats/Agent templates make it, reduced to what the snapshot reads. */
export const ECS_MAPPINGS: Record<string, unknown> = {
  dynamic_templates: [
    {
      strings_as_keyword: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } },
    },
  ],
  properties: {
    '@timestamp': { type: 'date' },
    message: { type: 'text' },
    source: {
      properties: {
        ip: { type: 'ip' },
        port: { type: 'long' },
        as: {
          properties: {
            number: { type: 'long' },
            organization: { properties: { name: { type: 'keyword' } } },
          },
        },
        geo: { properties: { country_iso_code: { type: 'keyword' } } },
      },
    },
    user: { properties: { name: { type: 'keyword' } } },
    host: { properties: { hostname: { type: 'keyword' } } },
  },
};

/** The proof of concept's `ssh-logs` mapping; `ipType: 'text'` reproduces a mis-typed field. */
export function legacyMappings(ipType: 'keyword' | 'ip' | 'text' = 'keyword'): Record<string, unknown> {
  return {
    properties: {
      timestamp: { type: 'date' },
      ip_address: { type: ipType },
      username: { type: 'keyword' },
      hostname: { type: 'keyword' },
      status: { type: 'keyword' },
      message: { type: 'text' },
    },
  };
}

/** Create `index` (1 shard, no replica) with `mappings`, bulk-index `docs`, refresh. */
export async function seedIndex(
  url: string,
  kind: BackendKind,
  index: string,
  docs: SeedDoc[],
  mappings: Record<string, unknown> = ECS_MAPPINGS,
): Promise<void> {
  const settings = { number_of_shards: 1, number_of_replicas: 0 };
  const operations = docs.flatMap((doc) => [{ create: { _index: index } }, doc]);
  if (kind === 'elasticsearch') {
    const client = new ElasticClient({ node: url });
    try {
      await client.indices.create({ index, settings, mappings });
      if (operations.length > 0) {
        const result = await client.bulk({ operations, refresh: true });
        if (result.errors)
          throw new Error(`bulk into ${index} had errors: ${JSON.stringify(result.items[0])}`);
      }
    } finally {
      await client.close();
    }
  } else {
    const client = new OpenSearchClient({ node: url });
    try {
      await client.indices.create({ index, body: { settings, mappings } });
      if (operations.length > 0) {
        const result = await client.bulk({ body: operations, refresh: true });
        if (result.body.errors)
          throw new Error(`bulk into ${index} had errors: ${JSON.stringify(result.body.items[0])}`);
      }
    } finally {
      await client.close();
    }
  }
}

/** Delete indices this test created (never a wildcard). */
export async function deleteIndices(url: string, indices: string[]): Promise<void> {
  for (const index of indices) {
    if (index.includes('*')) throw new Error('refusing to delete a wildcard');
    await fetch(`${url}/${encodeURIComponent(index)}`, { method: 'DELETE' });
  }
}

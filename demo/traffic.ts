// Synthetic, deterministic authentication traffic for the demo and for the detector's
// integration test: SSH and RDP attacks of every kind soc-watch detects, plus benign logins.
// Documents are built by the same ECS builders as `soc-watch ingest`, so the demo looks
// exactly like ingested or Beats-shipped data.
//
// Determinism: time is cut into slots per scenario; a slot's events depend only on the seed,
// the scenario and the slot number. So generateTraffic over [a, c) equals generateTraffic
// over [a, b) plus [b, c): the demo streams second by second what a test generates at once.
//
// Addresses come only from the documentation ranges (192.0.2.0/24, 198.51.100.0/24,
// 203.0.113.0/24, 2001:db8::/32) and AS numbers from the documentation ASNs (64496–64511).
import type { BuiltInRule } from '../source/detect/alert.js';
import { type EcsDoc, type SourceEnrichment, sshAuthDoc, windowsLogonDoc } from '../source/ingest/ecs.js';

export interface TrafficOptions {
  seed: number;
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
}

export interface DemoAttack {
  /** The rule this scenario is built to trigger. */
  rule: BuiltInRule;
  service: 'ssh' | 'rdp';
  /** Source IP, or the account for `distributed`. */
  key: string;
  /**
   * Other rules whose defaults the same traffic meets by construction (e.g. a sprayer also
   * exceeds the brute-force count): exactly the other alerts it raises. Never slow-brute-force
   * for a source over the brute-force threshold: that rule excludes them (docs/detection.md).
   */
  alsoCrosses: BuiltInRule[];
  scenario: string;
}

const MINUTE = 60_000;

// --- addresses, accounts, hosts --------------------------------------------------------

export const FAST_SSH_IP = '203.0.113.10';
export const SLOW_SSH_IP = '198.51.100.23';
export const SPRAY_SSH_IP = '192.0.2.77';
export const ENUM_SSH_IP = '2001:db8:feed::99';
export const SUCCESS_SSH_IP = '192.0.2.200';
export const DISTRIBUTED_USER = 'deploy';
export const RDP_NLA_IP = '203.0.113.50';
export const RDP_CLASSIC_IP = '198.51.100.66';

/** 60 sources of the distributed attack: each tries once an hour (never near any per-IP threshold). */
export const DISTRIBUTED_IPS: readonly string[] = [
  ...Array.from({ length: 40 }, (_, i) => `198.51.100.${128 + i}`),
  ...Array.from({ length: 20 }, (_, i) => `2001:db8:77::${(i + 1).toString(16)}`),
];

const SPRAY_USERS = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
  'olivia',
  'peggy',
  'rupert',
  'sybil',
  'trent',
  'victor',
  'walter',
  'backup',
];
const ENUM_USERS = [
  'oracle',
  'test',
  'guest',
  'ftpuser',
  'pi',
  'ubnt',
  'hadoop',
  'minecraft',
  'nagios',
  'tomcat',
  'teamspeak',
  'ts3',
  'vagrant',
  'odoo',
  'zabbix',
  'steam',
  'user1',
  'support',
  'admin1',
  'default',
];
const SLOW_USERS = ['root', 'admin', 'ubuntu'];

const BENIGN_SSH: readonly { user: string; ip: string }[] = [
  { user: 'alice', ip: '192.0.2.10' },
  { user: 'bob', ip: '192.0.2.11' },
  { user: 'carol', ip: '192.0.2.12' },
  { user: 'dave', ip: '2001:db8:1::10' },
];
const BENIGN_RDP = { user: 'jdoe', ip: '192.0.2.30' };

/** Sources and accounts of benign traffic: no alert may name them. */
export const DEMO_BENIGN = {
  ips: [...BENIGN_SSH.map((entry) => entry.ip), BENIGN_RDP.ip],
  users: [...BENIGN_SSH.map((entry) => entry.user), BENIGN_RDP.user],
} as const;

const SSH_HOSTS = ['web-01', 'web-02', 'bastion-01', 'db-01'] as const;
const RDP_HOSTS = { files: 'SRV-FILE01.corp.example', apps: 'SRV-APP02.corp.example' } as const;

const ENRICHMENT: Readonly<Record<string, SourceEnrichment>> = {
  [FAST_SSH_IP]: geo('CN', 'China', 64500, 'Example Transit (documentation ASN)'),
  [SLOW_SSH_IP]: geo('RU', 'Russia', 64501, 'Example Hosting (documentation ASN)'),
  [SPRAY_SSH_IP]: geo('BR', 'Brazil', 64502, 'Example Broadband (documentation ASN)'),
  [ENUM_SSH_IP]: geo('VN', 'Vietnam', 64503, 'Example Cloud (documentation ASN)'),
  [RDP_NLA_IP]: geo('NL', 'Netherlands', 64504, 'Example VPS (documentation ASN)'),
  [RDP_CLASSIC_IP]: geo('US', 'United States', 64505, 'Example Datacenter (documentation ASN)'),
  [DISTRIBUTED_IPS[0]!]: geo('DE', 'Germany', 64506, 'Example Residential (documentation ASN)'),
  [DISTRIBUTED_IPS[1]!]: geo('IN', 'India', 64507, 'Example Mobile (documentation ASN)'),
  [DISTRIBUTED_IPS[2]!]: geo('FR', 'France', 64508, 'Example Fibre (documentation ASN)'),
};

function geo(iso: string, name: string, asn: number, org: string): SourceEnrichment {
  return {
    geo: { country_iso_code: iso, country_name: name },
    as: { number: asn, organization: { name: org } },
  };
}

// --- the truth ---------------------------------------------------------------------------

export const DEMO_TRUTH: readonly DemoAttack[] = [
  {
    rule: 'brute-force',
    service: 'ssh',
    key: FAST_SSH_IP,
    alsoCrosses: [],
    scenario: 'ssh-fast',
  },
  { rule: 'slow-brute-force', service: 'ssh', key: SLOW_SSH_IP, alsoCrosses: [], scenario: 'ssh-slow' },
  {
    rule: 'spraying',
    service: 'ssh',
    key: SPRAY_SSH_IP,
    alsoCrosses: ['brute-force'],
    scenario: 'ssh-spray',
  },
  {
    rule: 'enumeration',
    service: 'ssh',
    key: ENUM_SSH_IP,
    alsoCrosses: ['brute-force', 'spraying'],
    scenario: 'ssh-enum',
  },
  {
    rule: 'distributed',
    service: 'ssh',
    key: DISTRIBUTED_USER,
    alsoCrosses: [],
    scenario: 'ssh-distributed',
  },
  {
    rule: 'success-after-failure',
    service: 'ssh',
    key: SUCCESS_SSH_IP,
    alsoCrosses: ['brute-force'],
    scenario: 'ssh-success',
  },
  {
    rule: 'brute-force',
    service: 'rdp',
    key: RDP_NLA_IP,
    alsoCrosses: [],
    scenario: 'rdp-nla',
  },
  {
    rule: 'brute-force',
    service: 'rdp',
    key: RDP_CLASSIC_IP,
    alsoCrosses: [],
    scenario: 'rdp-classic',
  },
];

// --- randomness ----------------------------------------------------------------------------

/** A small seeded generator (mulberry32) for one slot of one scenario. */
export function slotRandom(seed: number, scenario: number, slot: number): () => number {
  let state = mix(mix(mix(seed >>> 0) ^ scenario) ^ (slot >>> 0)) ^ mix(Math.floor(slot / 2 ** 32));
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function between(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low));
}

// --- event builders -------------------------------------------------------------------------

interface SshEvent {
  at: number;
  host: string;
  pid: number;
  event: 'Failed' | 'Invalid' | 'Accepted';
  user: string;
  ip: string;
  port: number;
  method?: 'password' | 'publickey';
}

function ssh(e: SshEvent): EcsDoc {
  let message: string;
  if (e.event === 'Invalid') message = `Invalid user ${e.user} from ${e.ip} port ${e.port}`;
  else if (e.event === 'Failed') message = `Failed password for ${e.user} from ${e.ip} port ${e.port} ssh2`;
  else if (e.method === 'publickey') {
    message = `Accepted publickey for ${e.user} from ${e.ip} port ${e.port} ssh2: ED25519 SHA256:demo${e.user}key`;
  } else message = `Accepted password for ${e.user} from ${e.ip} port ${e.port} ssh2`;
  const enrichment = ENRICHMENT[e.ip];
  return sshAuthDoc({
    timestamp: e.at,
    host: e.host,
    process: 'sshd',
    pid: e.pid,
    message,
    event: e.event,
    ...(e.event === 'Invalid' ? {} : { method: e.method ?? 'password' }),
    ...(e.method === 'publickey' ? { signature: `ED25519 SHA256:demo${e.user}key` } : {}),
    user: e.user,
    source: e.ip,
    port: e.port,
    ...(enrichment ? { enrichment } : {}),
  });
}

interface RdpEvent {
  at: number;
  computer: string;
  code: '4624' | '4625';
  logonType: '3' | '10';
  user: string;
  /** Undefined: logged as `-` (NLA failures often carry no address). */
  ip: string | undefined;
  port: number;
  workstation: string;
  subStatus?: string;
  recordId: number;
}

function rdp(e: RdpEvent): EcsDoc {
  const failure = e.code === '4625';
  const data: Record<string, string> = {
    SubjectUserSid: failure ? 'S-1-0-0' : 'S-1-5-18',
    SubjectUserName: '-',
    SubjectDomainName: '-',
    SubjectLogonId: '0x0',
    TargetUserSid: failure ? 'S-1-0-0' : 'S-1-5-21-1004336348-1177238915-682003330-1104',
    TargetUserName: e.user,
    TargetDomainName: 'CORP',
    LogonType: e.logonType,
    LogonProcessName: e.logonType === '3' ? 'NtLmSsp ' : 'User32 ',
    AuthenticationPackageName: e.logonType === '3' ? 'NTLM' : 'Negotiate',
    WorkstationName: e.workstation,
    IpAddress: e.ip ?? '-',
    IpPort: e.ip ? String(e.port) : '-',
  };
  if (failure) {
    data.Status = '0xc000006d';
    data.SubStatus = e.subStatus ?? '0xc000006a';
    data.FailureReason = 'Unknown user name or bad password.';
  } else {
    data.TargetLogonId = `0x${(e.recordId % 0xffffff).toString(16)}`;
  }
  const enrichment = e.ip ? ENRICHMENT[e.ip] : undefined;
  return windowsLogonDoc({
    timestamp: e.at,
    code: e.code,
    computer: e.computer,
    recordId: String(e.recordId),
    message: failure ? 'An account failed to log on.' : 'An account was successfully logged on.',
    eventData: data,
    ...(enrichment ? { enrichment } : {}),
  });
}

// --- scenarios ------------------------------------------------------------------------------

interface Scenario {
  name: string;
  periodMs: number;
  /** Events of one slot; every event time must lie in [start, start + periodMs). */
  slot(start: number, slot: number, random: () => number): EcsDoc[];
}

const ephemeral = (random: () => number) => between(random, 32_768, 61_000);
const pid = (random: () => number) => between(random, 2_000, 60_000);
const recordId = (at: number, scenario: number) => Math.floor(at / 10) * 16 + scenario;

const SCENARIOS: readonly Scenario[] = [
  {
    // One attempt every ~2 s on root: a classic fast brute force.
    name: 'ssh-fast',
    periodMs: 2_000,
    slot: (start, _slot, random) => [
      ssh({
        at: start + between(random, 0, 1_500),
        host: 'web-01',
        pid: pid(random),
        event: 'Failed',
        user: 'root',
        ip: FAST_SSH_IP,
        port: ephemeral(random),
      }),
    ],
  },
  {
    // One attempt every 5 minutes (±30 s): at most 4 in any 15 minutes, ~72 in 6 hours.
    name: 'ssh-slow',
    periodMs: 5 * MINUTE,
    slot: (start, slot, random) => [
      ssh({
        at: start + between(random, 0, 60_000),
        host: 'bastion-01',
        pid: pid(random),
        event: 'Failed',
        user: SLOW_USERS[slot % SLOW_USERS.length]!,
        ip: SLOW_SSH_IP,
        port: ephemeral(random),
      }),
    ],
  },
  {
    // One real account after another, one attempt each, every 20 s.
    name: 'ssh-spray',
    periodMs: 20_000,
    slot: (start, slot, random) => [
      ssh({
        at: start + between(random, 0, 15_000),
        host: 'web-02',
        pid: pid(random),
        event: 'Failed',
        user: SPRAY_USERS[slot % SPRAY_USERS.length]!,
        ip: SPRAY_SSH_IP,
        port: ephemeral(random),
      }),
    ],
  },
  {
    // Accounts that do not exist, from IPv6, every 15 s.
    name: 'ssh-enum',
    periodMs: 15_000,
    slot: (start, slot, random) => [
      ssh({
        at: start + between(random, 0, 12_000),
        host: 'web-01',
        pid: pid(random),
        event: 'Invalid',
        user: ENUM_USERS[slot % ENUM_USERS.length]!,
        ip: ENUM_SSH_IP,
        port: ephemeral(random),
      }),
    ],
  },
  {
    // One account, one attempt a minute, each from the next of 60 addresses (each once an hour).
    name: 'ssh-distributed',
    periodMs: MINUTE,
    slot: (start, slot, random) => [
      ssh({
        at: start + between(random, 0, 50_000),
        host: 'db-01',
        pid: pid(random),
        event: 'Failed',
        user: DISTRIBUTED_USER,
        ip: DISTRIBUTED_IPS[slot % DISTRIBUTED_IPS.length]!,
        port: ephemeral(random),
      }),
    ],
  },
  {
    // Every 10 minutes: 6 wrong passwords for admin, then the right one.
    name: 'ssh-success',
    periodMs: 10 * MINUTE,
    slot: (start, _slot, random) => {
      const begin = start + between(random, 0, 5 * MINUTE);
      const connection = pid(random);
      const port = ephemeral(random);
      const docs: EcsDoc[] = [];
      for (let i = 0; i < 6; i += 1) {
        docs.push(
          ssh({
            at: begin + i * 15_000,
            host: 'web-02',
            pid: connection + Math.floor(i / 3),
            event: 'Failed',
            user: 'admin',
            ip: SUCCESS_SSH_IP,
            port: port + Math.floor(i / 3),
          }),
        );
      }
      docs.push(
        ssh({
          at: begin + 6 * 15_000 + 5_000,
          host: 'web-02',
          pid: connection + 2,
          event: 'Accepted',
          user: 'admin',
          ip: SUCCESS_SSH_IP,
          port: port + 2,
        }),
      );
      return docs;
    },
  },
  {
    // Staff logging in with keys; every tenth login (one every two hours per person) is preceded by one
    // mistyped password: a handful in six hours, under every per-source threshold.
    name: 'ssh-benign',
    periodMs: 3 * MINUTE,
    slot: (start, slot, random) => {
      const typo = slot % 10 === 3;
      const who = typo ? BENIGN_SSH[Math.floor(slot / 10) % BENIGN_SSH.length]! : pick(random, BENIGN_SSH);
      const host = pick(random, SSH_HOSTS);
      const at = start + between(random, 0, 2 * MINUTE);
      const docs: EcsDoc[] = [];
      const connection = pid(random);
      const port = ephemeral(random);
      if (typo) {
        docs.push(ssh({ at, host, pid: connection, event: 'Failed', user: who.user, ip: who.ip, port }));
      }
      docs.push(
        ssh({
          at: at + (typo ? 8_000 : 0),
          host,
          pid: connection,
          event: 'Accepted',
          user: who.user,
          ip: who.ip,
          port,
          method: typo ? 'password' : 'publickey',
        }),
      );
      return docs;
    },
  },
  {
    // RDP with NLA: failures are logon type 3; a quarter carry no source address at all.
    name: 'rdp-nla',
    periodMs: 3_000,
    slot: (start, slot, random) => {
      const at = start + between(random, 0, 2_500);
      const hidden = slot % 4 === 0;
      return [
        rdp({
          at,
          computer: RDP_HOSTS.files,
          code: '4625',
          logonType: '3',
          user: 'Administrator',
          ip: hidden ? undefined : RDP_NLA_IP,
          port: ephemeral(random),
          workstation: hidden ? 'WIN-3BQK9UJ7T2D' : 'kali',
          recordId: recordId(at, 8),
        }),
      ];
    },
  },
  {
    // RDP without NLA: failures are logon type 10 (RemoteInteractive).
    name: 'rdp-classic',
    periodMs: 5_000,
    slot: (start, _slot, random) => {
      const at = start + between(random, 0, 4_000);
      return [
        rdp({
          at,
          computer: RDP_HOSTS.apps,
          code: '4625',
          logonType: '10',
          user: 'Administrator',
          ip: RDP_CLASSIC_IP,
          port: ephemeral(random),
          workstation: 'DESKTOP-7QK2H1M',
          recordId: recordId(at, 9),
        }),
      ];
    },
  },
  {
    // An administrator's RDP sessions; one in nine (every 3 hours) starts with a mistyped password.
    name: 'rdp-benign',
    periodMs: 20 * MINUTE,
    slot: (start, slot, random) => {
      const at = start + between(random, 0, 15 * MINUTE);
      const port = ephemeral(random);
      const docs: EcsDoc[] = [];
      const base = {
        computer: RDP_HOSTS.apps,
        logonType: '10' as const,
        user: BENIGN_RDP.user,
        ip: BENIGN_RDP.ip,
        port,
        workstation: 'LAPTOP-JDOE',
      };
      if (slot % 9 === 1) docs.push(rdp({ ...base, at, code: '4625', recordId: recordId(at, 10) }));
      docs.push(rdp({ ...base, at: at + 20_000, code: '4624', recordId: recordId(at + 20_000, 10) }));
      return docs;
    },
  },
];

export const SCENARIO_NAMES: readonly string[] = SCENARIOS.map((scenario) => scenario.name);

/** All events with from ≤ @timestamp < to, oldest first. */
export function generateTraffic(options: TrafficOptions): EcsDoc[] {
  const { seed, from, to } = options;
  if (!(to > from)) return [];
  const timed: { at: number; doc: EcsDoc }[] = [];
  SCENARIOS.forEach((scenario, index) => {
    const first = Math.floor(from / scenario.periodMs);
    const last = Math.ceil(to / scenario.periodMs);
    for (let slot = first; slot < last; slot += 1) {
      const start = slot * scenario.periodMs;
      for (const doc of scenario.slot(start, slot, slotRandom(seed, index, slot))) {
        const at = Date.parse(doc['@timestamp']);
        if (at >= from && at < to) timed.push({ at, doc });
      }
    }
  });
  timed.sort((a, b) => a.at - b.at);
  return timed.map((entry) => entry.doc);
}

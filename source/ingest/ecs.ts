// ECS documents as Filebeat's system module / Elastic Agent's System integration write them
// (packages/system auth `message.yml` and security `standard.yml` pipelines), so the built-in
// service filters (source/cluster/services.ts) and every other ECS query see soc-watch's
// ingested data and Beats-shipped data alike. The parsers and the demo generator both build
// their documents here; nothing else decides field names.
import { parseIp } from '../core/net.js';
import { LOGON_TYPE_NAMES, statusDescription } from './windows-codes.js';

export const ECS_VERSION = '8.11.0';

export interface GeoFields {
  country_iso_code?: string;
  country_name?: string;
}

export interface AsFields {
  number?: number;
  organization?: { name?: string };
}

export interface EcsDoc {
  '@timestamp': string;
  message?: string;
  ecs: { version: string };
  event: {
    kind: 'event';
    category: string[];
    type: string[];
    action: string;
    outcome?: 'success' | 'failure';
    dataset: 'system.auth' | 'system.security';
    module: 'system';
    code?: string;
    provider?: string;
  };
  host?: { hostname: string; name: string };
  process?: { name: string; pid?: number };
  source?: {
    ip?: string;
    address?: string;
    port?: number;
    domain?: string;
    geo?: GeoFields;
    as?: AsFields;
  };
  user?: { name?: string; domain?: string; id?: string };
  system?: { auth: { ssh: { event: SshEventName; method?: string; signature?: string } } };
  winlog?: {
    channel: string;
    computer_name: string;
    event_id: string;
    provider_name: string;
    record_id?: string;
    logon?: {
      type?: string;
      id?: string;
      failure?: { reason?: string; status?: string; sub_status?: string };
    };
    event_data: Record<string, string>;
  };
  related?: { ip?: string[]; user?: string[]; hosts?: string[] };
}

/** `system.auth.ssh.event` values the pipeline produces (Invalid/Failed count as ssh_login failures). */
export type SshEventName = 'Accepted' | 'Failed' | 'Invalid';

export interface SourceEnrichment {
  geo?: GeoFields;
  as?: AsFields;
}

export interface SshAuthInput {
  /** Epoch milliseconds. */
  timestamp: number;
  host?: string;
  /** Program name from the log (`sshd`, or `sshd-session` on OpenSSH ≥ 9.8). */
  process: string;
  pid?: number;
  message: string;
  event: SshEventName;
  method?: string;
  signature?: string;
  user?: string;
  /** Address or host name as sshd logged it (`UseDNS yes` logs names). */
  source?: string;
  port?: number;
  enrichment?: SourceEnrichment;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Is this an address the `ip` field type accepts? Dotted quads quickly; everything else via ipaddr.js. */
function isAddress(text: string): boolean {
  if (IPV4.test(text)) return true;
  return text.includes(':') && parseIp(text) !== undefined;
}

/** Address or name → ECS: an IP goes to source.ip, anything else to source.domain (as the pipeline's `convert … on_failure` does). */
function sourceFields(
  address: string | undefined,
  port: number | undefined,
  enrichment: SourceEnrichment | undefined,
): EcsDoc['source'] | undefined {
  if (address === undefined || address === '') return port === undefined ? undefined : { port };
  const source: NonNullable<EcsDoc['source']> = { address };
  if (isAddress(address)) source.ip = address;
  else source.domain = address;
  if (port !== undefined) source.port = port;
  if (enrichment?.geo) source.geo = enrichment.geo;
  if (enrichment?.as) source.as = enrichment.as;
  return source;
}

function related(
  ip: string | undefined,
  user: string | undefined,
  host: string | undefined,
): EcsDoc['related'] {
  const out: NonNullable<EcsDoc['related']> = {};
  if (ip) out.ip = [ip];
  if (user) out.user = [user];
  if (host) out.hosts = [host];
  return out;
}

/** One sshd authentication event (a failure or a success). Plain assignments: this runs per event. */
export function sshAuthDoc(input: SshAuthInput): EcsDoc {
  const success = input.event === 'Accepted';
  const ssh: NonNullable<EcsDoc['system']>['auth']['ssh'] = { event: input.event };
  if (input.method) ssh.method = input.method;
  if (input.signature) ssh.signature = input.signature;
  const process: NonNullable<EcsDoc['process']> = { name: input.process };
  if (input.pid !== undefined) process.pid = input.pid;
  const doc: EcsDoc = {
    '@timestamp': new Date(input.timestamp).toISOString(),
    message: input.message,
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'event',
      category: success ? ['authentication', 'session'] : ['authentication'],
      type: ['info'],
      action: 'ssh_login',
      outcome: success ? 'success' : 'failure',
      dataset: 'system.auth',
      module: 'system',
    },
    process,
    system: { auth: { ssh } },
  };
  if (input.host) doc.host = { hostname: input.host, name: input.host };
  const source = sourceFields(input.source, input.port, input.enrichment);
  if (source) doc.source = source;
  if (input.user !== undefined && input.user !== '') doc.user = { name: input.user };
  doc.related = related(source?.ip, doc.user?.name, input.host);
  return doc;
}

/** A number as JSON.stringify writes it (a pid or port out of range is `null`, as there). */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * `JSON.stringify(sshAuthDoc(input))`, written out directly: the follower's hot path (one call
 * per failed login). Building the document's ~15 objects and then walking them cost more than
 * the rest of the parse; here each string value goes through JSON.stringify alone and the rest
 * is constant text. The key order is sshAuthDoc's; a test compares the two on every fixture.
 * `timestamp`: the event time as ISO 8601 when the caller has it already.
 */
export function sshAuthJson(
  input: SshAuthInput,
  timestamp = new Date(input.timestamp).toISOString(),
): string {
  const success = input.event === 'Accepted';
  let out = `{"@timestamp":"${timestamp}","message":${JSON.stringify(input.message)},"ecs":{"version":"${ECS_VERSION}"},"event":{"kind":"event","category":${success ? '["authentication","session"]' : '["authentication"]'},"type":["info"],"action":"ssh_login","outcome":"${success ? 'success' : 'failure'}","dataset":"system.auth","module":"system"},"process":{"name":${JSON.stringify(input.process)}`;
  if (input.pid !== undefined) out += `,"pid":${jsonNumber(input.pid)}`;
  out += `},"system":{"auth":{"ssh":{"event":${JSON.stringify(input.event)}`;
  if (input.method) out += `,"method":${JSON.stringify(input.method)}`;
  if (input.signature) out += `,"signature":${JSON.stringify(input.signature)}`;
  out += '}}}';
  let host: string | undefined;
  if (input.host) {
    host = JSON.stringify(input.host);
    out += `,"host":{"hostname":${host},"name":${host}}`;
  }
  let ip: string | undefined;
  const address = input.source;
  if (address !== undefined && address !== '') {
    const quoted = JSON.stringify(address);
    out += `,"source":{"address":${quoted}`;
    if (isAddress(address)) {
      ip = quoted;
      out += `,"ip":${quoted}`;
    } else out += `,"domain":${quoted}`;
    if (input.port !== undefined) out += `,"port":${jsonNumber(input.port)}`;
    if (input.enrichment?.geo) out += `,"geo":${JSON.stringify(input.enrichment.geo)}`;
    if (input.enrichment?.as) out += `,"as":${JSON.stringify(input.enrichment.as)}`;
    out += '}';
  } else if (input.port !== undefined) out += `,"source":{"port":${jsonNumber(input.port)}}`;
  let user: string | undefined;
  if (input.user !== undefined && input.user !== '') {
    user = JSON.stringify(input.user);
    out += `,"user":{"name":${user}}`;
  }
  out += ',"related":{';
  let comma = '';
  if (ip) {
    out += `"ip":[${ip}]`;
    comma = ',';
  }
  if (user) {
    out += `${comma}"user":[${user}]`;
    comma = ',';
  }
  if (host) out += `${comma}"hosts":[${host}]`;
  return `${out}}}`;
}

export interface WindowsLogonInput {
  timestamp: number;
  /** `4624` (success) or `4625` (failure). */
  code: '4624' | '4625';
  /** Computer name as the event gives it (often an FQDN). */
  computer: string;
  channel?: string;
  provider?: string;
  recordId?: string;
  message?: string;
  /** EventData, every value a string as Winlogbeat writes them. */
  eventData: Record<string, string>;
  /** ECS `source.ip` / `source.port` of an exported document (used when EventData has no address). */
  sourceIp?: string;
  sourcePort?: string;
  enrichment?: SourceEnrichment;
}

const ABSENT = new Set(['', '-']);
const WINDOWS_SSHD = /(?:^|\\)sshd(?:-session)?\.exe$/i;

function present(value: string | undefined): string | undefined {
  return value === undefined || ABSENT.has(value.trim()) ? undefined : value.trim();
}

/** One Windows Security logon event (4624/4625) as the System integration's security pipeline writes it. */
export function windowsLogonDoc(input: WindowsLogonInput): EcsDoc {
  const data = input.eventData;
  const success = input.code === '4624';
  const ip = present(data.IpAddress) ?? present(input.sourceIp);
  const portText = present(data.IpPort) ?? present(input.sourcePort);
  const port = portText !== undefined && /^\d{1,5}$/.test(portText) ? Number(portText) : undefined;
  const workstation = present(data.WorkstationName);
  const user = present(data.TargetUserName);
  const domain = present(data.TargetDomainName);
  const sid = present(data.TargetUserSid);
  const logonType = present(data.LogonType);
  const logonTypeName = logonType === undefined ? undefined : LOGON_TYPE_NAMES[logonType];

  const doc: EcsDoc = {
    '@timestamp': new Date(input.timestamp).toISOString(),
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'event',
      category: ['authentication'],
      type: ['start'],
      action: success ? 'logged-in' : 'logon-failed',
      outcome: success ? 'success' : 'failure',
      dataset: 'system.security',
      module: 'system',
      code: input.code,
      provider: input.provider ?? 'Microsoft-Windows-Security-Auditing',
    },
    host: { hostname: input.computer, name: input.computer },
    winlog: {
      channel: input.channel ?? 'Security',
      computer_name: input.computer,
      event_id: input.code,
      provider_name: input.provider ?? 'Microsoft-Windows-Security-Auditing',
      ...(input.recordId ? { record_id: input.recordId } : {}),
      event_data: { ...data },
    },
  };
  if (input.message) doc.message = input.message;

  const logon: NonNullable<NonNullable<EcsDoc['winlog']>['logon']> = {};
  if (logonTypeName) logon.type = logonTypeName;
  const logonId = present(data.TargetLogonId);
  if (logonId) logon.id = logonId;
  if (!success) {
    const failure: { reason?: string; status?: string; sub_status?: string } = {};
    const reason = present(data.FailureReason);
    if (reason) failure.reason = reason;
    const status = statusDescription(data.Status);
    if (status) failure.status = status;
    const subStatus = statusDescription(data.SubStatus);
    if (subStatus) failure.sub_status = subStatus;
    if (Object.keys(failure).length > 0) logon.failure = failure;
  }
  if (Object.keys(logon).length > 0) doc.winlog!.logon = logon;
  // Windows' own OpenSSH server logs its logons as 4624/4625 with logon type 8 from sshd.exe:
  // those are SSH logins (the SSH service counts documents carrying system.auth.ssh.event).
  if (logonType === '8' && WINDOWS_SSHD.test(data.ProcessName ?? '')) {
    const invalid = !success && data.SubStatus?.toLowerCase() === '0xc0000064';
    doc.system = { auth: { ssh: { event: success ? 'Accepted' : invalid ? 'Invalid' : 'Failed' } } };
  }

  const source: NonNullable<EcsDoc['source']> = {};
  if (ip && isAddress(ip)) {
    source.ip = ip;
    source.address = ip;
    if (input.enrichment?.geo) source.geo = input.enrichment.geo;
    if (input.enrichment?.as) source.as = input.enrichment.as;
  }
  if (port !== undefined && source.ip) source.port = port;
  if (workstation) source.domain = workstation;
  if (Object.keys(source).length > 0) doc.source = source;

  if (user || domain || sid) {
    doc.user = {};
    if (user) doc.user.name = user;
    if (domain) doc.user.domain = domain;
    if (sid) doc.user.id = sid;
  }
  doc.related = related(source.ip, user, input.computer);
  return doc;
}

// Windows Security logon events (4624 success, 4625 failure) from JSON, in every shape we meet:
//  * Winlogbeat / Elastic Agent documents (ECS + winlog.*), also as search hits (`_source`)
//    or with dotted keys (`"winlog.event_data.IpAddress": …`);
//  * PowerShell `Get-WinEvent | ConvertTo-Json`: Id, TimeCreated (`/Date(ms)/` in Windows
//    PowerShell 5.1, ISO in PowerShell 7), MachineName, RecordId, and the event data as the
//    positional `Properties` array (no names: the 4624/4625 templates give them);
//  * plain exports with `EventID` + `EventData` as an object, or as an array of
//    `{Name, Value}` / `{Name, #text}` (XML converted to JSON), or the fields at the top
//    level (NXLog), or evtx_dump's `{Event: {System, EventData}}`.
// Values are normalised to what Winlogbeat writes: strings; Status codes `0xc000006d`.
import type { SourceEnrichment, WindowsLogonInput } from './ecs.js';
import { parseIsoTimestamp, type Zone } from './timestamps.js';
import { FAILURE_REASONS, LOGON_TYPE_NAMES, normalizeStatus } from './windows-codes.js';

/** `note`: a skip worth telling the user about (a logon event id outside the Security log). */
export type WindowsResult =
  | { logon: WindowsLogonInput }
  | { skip: string; note?: string }
  | { error: string };

const SECURITY_PROVIDER = 'microsoft-windows-security-auditing';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Look a dotted path up through nested objects and dotted keys alike. */
export function lookup(record: unknown, path: string): unknown {
  if (!isObject(record)) return undefined;
  if (path in record) return record[path];
  const parts = path.split('.');
  for (let i = parts.length - 1; i >= 1; i -= 1) {
    const head = parts.slice(0, i).join('.');
    if (head in record) {
      const found = lookup(record[head], parts.slice(i).join('.'));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function first(record: unknown, paths: readonly string[]): unknown {
  for (const path of paths) {
    const value = lookup(record, path);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

/** Scalars and XML-to-JSON wrappers (`{"#text": …}`, `{"Value": …}`) → text. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isObject(value)) {
    for (const key of ['#text', 'Value', 'value', '$']) {
      if (key in value) return text(value[key]);
    }
  }
  return undefined;
}

const EVENT_ID_PATHS = [
  'event.code',
  'winlog.event_id',
  'EventID',
  'EventId',
  'eventId',
  'event_id',
  'Id',
  'EventCode',
];
const TIME_PATHS = [
  '@timestamp',
  'TimeCreated',
  'TimeGenerated',
  'EventTime',
  'TimeCreated.SystemTime',
  'TimeCreated.#attributes.SystemTime',
  'timestamp',
  'Timestamp',
];
const COMPUTER_PATHS = [
  'winlog.computer_name',
  'MachineName',
  'Computer',
  'ComputerName',
  'Hostname',
  'host.hostname',
  'host.name',
];
const RECORD_PATHS = [
  'winlog.record_id',
  'RecordId',
  'RecordID',
  'EventRecordID',
  'RecordNumber',
  'record_id',
];
const CHANNEL_PATHS = ['winlog.channel', 'LogName', 'Channel', 'channel'];
const PROVIDER_PATHS = [
  'winlog.provider_name',
  'event.provider',
  'ProviderName',
  'SourceName',
  'Provider.#attributes.Name',
  'Provider.Name',
  'Provider',
];
const DATA_PATHS = ['winlog.event_data', 'EventData', 'event_data', 'EventData.Data', 'Properties'];

// Positions of the named fields in 4624/4625's event data (the same in every template version
// for these fields), for PowerShell's nameless `Properties` array.
const POSITIONS: Readonly<Record<'4624' | '4625', readonly string[]>> = {
  '4624': [
    'SubjectUserSid',
    'SubjectUserName',
    'SubjectDomainName',
    'SubjectLogonId',
    'TargetUserSid',
    'TargetUserName',
    'TargetDomainName',
    'TargetLogonId',
    'LogonType',
    'LogonProcessName',
    'AuthenticationPackageName',
    'WorkstationName',
    'LogonGuid',
    'TransmittedServices',
    'LmPackageName',
    'KeyLength',
    'ProcessId',
    'ProcessName',
    'IpAddress',
    'IpPort',
    'ImpersonationLevel',
    'RestrictedAdminMode',
    'TargetOutboundUserName',
    'TargetOutboundDomainName',
    'VirtualAccount',
    'TargetLinkedLogonId',
    'ElevatedToken',
  ],
  '4625': [
    'SubjectUserSid',
    'SubjectUserName',
    'SubjectDomainName',
    'SubjectLogonId',
    'TargetUserSid',
    'TargetUserName',
    'TargetDomainName',
    'Status',
    'FailureReason',
    'SubStatus',
    'LogonType',
    'LogonProcessName',
    'AuthenticationPackageName',
    'WorkstationName',
    'TransmittedServices',
    'LmPackageName',
    'KeyLength',
    'ProcessId',
    'ProcessName',
    'IpAddress',
    'IpPort',
  ],
};

// Top-level field names an NXLog-style flat record may carry.
const FLAT_FIELDS = new Set([...POSITIONS['4624'], ...POSITIONS['4625']]);

const LOGON_TYPE_NUMBERS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(LOGON_TYPE_NAMES).map(([number, name]) => [name.toLowerCase(), number]),
);

/** Whether a JSON record looks like a Windows event at all (for per-line format detection). */
export function isWindowsRecord(record: Json): boolean {
  const inner = unwrap(record);
  return (
    first(inner, EVENT_ID_PATHS) !== undefined &&
    (lookup(inner, 'winlog') !== undefined || hasEventData(inner))
  );
}

function hasEventData(record: Json): boolean {
  return DATA_PATHS.some((path) => lookup(record, path) !== undefined) || 'TargetUserName' in record;
}

/** Search hits → `_source`; evtx_dump → System and EventData side by side. */
function unwrap(record: Json): Json {
  if (isObject(record._source)) return record._source;
  const event = record.Event;
  if (isObject(event) && (isObject(event.System) || isObject(event.EventData))) {
    return { ...(isObject(event.System) ? event.System : {}), EventData: event.EventData };
  }
  return record;
}

/** `/Date(1696327201123)/`, ISO strings, epoch numbers, PowerShell 5.1 `{value, DateTime}` wrappers → epoch ms. */
export function windowsTime(value: unknown, zone: Zone): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value > 1e11 ? value : value * 1000;
  if (isObject(value)) {
    for (const key of ['value', 'SystemTime', '#attributes', 'DateTime']) {
      if (key in value) {
        const found = windowsTime(value[key], zone);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  }
  if (typeof value !== 'string') return undefined;
  const dotnet = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value.trim());
  if (dotnet) return Number(dotnet[1]);
  const iso = parseIsoTimestamp(value.trim(), zone);
  if (iso !== undefined) return iso;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function eventData(inner: Json, code: '4624' | '4625'): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = first(inner, DATA_PATHS);
  if (Array.isArray(raw)) {
    const named = raw.every(
      (item) =>
        isObject(item) && (text(item.Name ?? item['@Name']) !== undefined || isObject(item['#attributes'])),
    );
    raw.forEach((item, index) => {
      const name = named
        ? text(isObject(item) ? (item.Name ?? item['@Name'] ?? lookup(item, '#attributes.Name')) : undefined)
        : POSITIONS[code][index];
      const value = isObject(item) ? text(item['#text'] ?? item.Value ?? item.value ?? item.$) : text(item);
      if (name !== undefined && value !== undefined) out[name] = value;
    });
  } else if (isObject(raw)) {
    // XML converted to JSON nests the items under `Data`.
    const data = raw.Data !== undefined && !('TargetUserName' in raw) ? raw.Data : raw;
    if (Array.isArray(data)) return eventData({ EventData: data }, code);
    if (isObject(data)) {
      for (const [key, value] of Object.entries(data)) {
        const converted = text(value);
        if (converted !== undefined) out[key] = converted;
      }
    }
  } else {
    for (const key of FLAT_FIELDS) {
      const value = text(inner[key]);
      if (value !== undefined) out[key] = value;
    }
  }
  return normalizeData(out, inner, code);
}

function normalizeData(
  data: Record<string, string>,
  inner: Json,
  code: '4624' | '4625',
): Record<string, string> {
  for (const key of ['Status', 'SubStatus'] as const) {
    if (data[key] !== undefined) {
      const status = normalizeStatus(data[key]);
      if (status) data[key] = status;
    }
  }
  if (data.FailureReason && FAILURE_REASONS[data.FailureReason.trim()]) {
    data.FailureReason = FAILURE_REASONS[data.FailureReason.trim()]!;
  }
  if (data.LogonType !== undefined) {
    const byName = LOGON_TYPE_NUMBERS[data.LogonType.trim().toLowerCase()];
    data.LogonType = byName ?? data.LogonType.trim();
  } else {
    const named = text(lookup(inner, 'winlog.logon.type'));
    const number = named === undefined ? undefined : LOGON_TYPE_NUMBERS[named.toLowerCase()];
    if (number) data.LogonType = number;
  }
  if (code === '4625' && data.SubStatus === undefined) {
    const sub = text(lookup(inner, 'winlog.event_data.SubStatus'));
    if (sub) data.SubStatus = normalizeStatus(sub) ?? sub;
  }
  return data;
}

function enrichment(inner: Json): SourceEnrichment | undefined {
  const geo = lookup(inner, 'source.geo');
  const as = lookup(inner, 'source.as');
  const out: SourceEnrichment = {};
  if (isObject(geo)) {
    const iso = text(geo.country_iso_code);
    const name = text(geo.country_name);
    if (iso || name)
      out.geo = { ...(iso ? { country_iso_code: iso } : {}), ...(name ? { country_name: name } : {}) };
  }
  if (isObject(as)) {
    const number = Number(text(as.number));
    const org = text(lookup(as, 'organization.name'));
    if (Number.isInteger(number) || org) {
      out.as = {
        ...(Number.isInteger(number) ? { number } : {}),
        ...(org ? { organization: { name: org } } : {}),
      };
    }
  }
  return out.geo || out.as ? out : undefined;
}

export function decodeWindowsRecord(record: Json, zone: Zone): WindowsResult {
  const inner = unwrap(record);
  const id = text(first(inner, EVENT_ID_PATHS))?.trim();
  if (id === undefined) return { error: 'Windows event without an event id' };
  if (id !== '4624' && id !== '4625') return { skip: `event ${id}` };
  // 4624/4625 are logon events only from the Security-Auditing provider in the Security log:
  // the same numbers occur elsewhere (Microsoft-Windows-EventSystem's Application-log 4625,
  // with param1-param3 as data). Records that name neither (flat exports) are taken as logons.
  const provider = text(first(inner, PROVIDER_PATHS))?.trim();
  const channel = text(first(inner, CHANNEL_PATHS))?.trim();
  if (
    (provider && provider.toLowerCase() !== SECURITY_PROVIDER) ||
    (channel && channel.toLowerCase() !== 'security')
  ) {
    const from = [provider ? `provider ${provider}` : '', channel ? `log ${channel}` : '']
      .filter(Boolean)
      .join(', ');
    return { skip: `event ${id}`, note: `Windows event ${id} not from the Security log (${from})` };
  }
  const timestamp = windowsTime(first(inner, TIME_PATHS), zone);
  if (timestamp === undefined) return { error: `Windows event ${id} without a readable time` };
  const computer = text(first(inner, COMPUTER_PATHS))?.trim();
  if (!computer) return { error: `Windows event ${id} without a computer name` };
  const data = eventData(inner, id);
  if (Object.keys(data).length === 0) return { error: `Windows event ${id} without event data` };

  const logon: WindowsLogonInput = { timestamp, code: id, computer, eventData: data };
  const recordId = text(first(inner, RECORD_PATHS));
  if (recordId) logon.recordId = recordId;
  if (channel) logon.channel = channel;
  if (provider) logon.provider = provider;
  // Winlogbeat 7+ and Elastic Agent carry the address in ECS source.ip (event_data.IpAddress
  // may be absent): either place will do.
  const sourceIp = text(lookup(inner, 'source.ip'))?.trim();
  if (sourceIp) logon.sourceIp = sourceIp;
  const sourcePort = text(lookup(inner, 'source.port'))?.trim();
  if (sourcePort) logon.sourcePort = sourcePort;
  const message = text(first(inner, ['message', 'Message']));
  if (message) logon.message = message;
  const extra = enrichment(inner);
  if (extra) logon.enrichment = extra;
  return { logon };
}

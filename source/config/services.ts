// Built-in services. Their filters match what Filebeat's system module, Elastic Agent's
// System integration and Winlogbeat write (ECS), and what `soc-watch ingest` writes.
import type { FieldMap, QueryDsl, ServiceDefinition } from './types.js';

export const DEFAULT_FIELDS: FieldMap = {
  time: '@timestamp',
  sourceIp: 'source.ip',
  user: 'user.name',
  host: 'host.hostname',
  country: 'source.geo.country_iso_code',
  asn: 'source.as.number',
  asOrg: 'source.as.organization.name',
};

const sshEvent: QueryDsl = {
  bool: {
    should: [{ term: { 'event.action': 'ssh_login' } }, { exists: { field: 'system.auth.ssh.event' } }],
    minimum_should_match: 1,
  },
};

// With NLA, failed RDP logons are logged as type 3 (Network); without it, type 10.
// Beats write names in winlog.logon.type; raw exports keep numbers in event_data.LogonType.
const rdpLogonType: QueryDsl = {
  bool: {
    should: [
      { terms: { 'winlog.logon.type': ['RemoteInteractive', 'Network'] } },
      { terms: { 'winlog.event_data.LogonType': ['3', '10'] } },
    ],
    minimum_should_match: 1,
  },
};

export function builtInServices(fields: FieldMap = DEFAULT_FIELDS): ServiceDefinition[] {
  return [
    {
      name: 'ssh',
      label: 'SSH',
      failure: { bool: { filter: [sshEvent, { term: { 'event.outcome': 'failure' } }] } },
      success: { bool: { filter: [sshEvent, { term: { 'event.outcome': 'success' } }] } },
      invalidUser: {
        bool: {
          should: [
            { term: { 'system.auth.ssh.event': 'Invalid' } },
            { match_phrase: { message: 'invalid user' } },
          ],
          minimum_should_match: 1,
        },
      },
      fields: { ...fields },
      technique: 'T1021.004',
      threshold: 5,
    },
    {
      name: 'rdp',
      label: 'RDP',
      failure: { bool: { filter: [{ term: { 'event.code': '4625' } }, rdpLogonType] } },
      success: { bool: { filter: [{ term: { 'event.code': '4624' } }, rdpLogonType] } },
      // 0xC0000064: no such user (vs 0xC000006A bad password on a real account). Raw exports
      // and some forwarders write the hex in lowercase; keyword terms are case-sensitive.
      invalidUser: { terms: { 'winlog.event_data.SubStatus': ['0xC0000064', '0xc0000064'] } },
      fields: { ...fields },
      technique: 'T1021.001',
      threshold: 5,
    },
  ];
}

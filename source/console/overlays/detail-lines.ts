// The text of the detail view (Enter) for an offender or an alert: every number, the top
// users and hosts, first/last times and a Kibana Discover link. Pure: lines in, the
// component only lays them out. All values from the cluster are sanitized here.
import type { NamedCount, Offender } from '../../contracts/snapshot.js';
import { formatAge } from '../../core/duration.js';
import { sanitize } from '../../core/sanitize.js';
import type { Alert } from '../../detect/alert.js';
import { discoverUrl } from '../../slack/kibana.js';
import { formatCount } from '../draw/cells.js';
import type { Glyphs } from '../draw/glyphs.js';
import { alertStateText, ruleLabel, SEVERITY_LABEL } from '../feed/alert-columns.js';
import { flagSpecs, type OffenderFlag } from '../panes/flags.js';
import { geoText } from '../panes/offender-columns.js';
import type { KibanaTarget } from '../state/state.js';

export const NO_KIBANA = 'set kibanaUrl to get a Discover link';

export interface DetailContent {
  title: string;
  lines: string[];
  /** Discover URL, when a Kibana URL is configured. */
  link: string | undefined;
  /** Why there is no link (no kibanaUrl), said in its place. */
  noLink?: string;
  users: NamedCount[];
  hosts: NamedCount[];
}

/** `2024-05-01 12:00:05 (3m ago)` in local time; `-` when unknown. */
export function when(time: string | number | null | undefined, now: number): string {
  if (time === null || time === undefined) return '-';
  const epoch = typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(epoch)) return '-';
  const date = new Date(epoch);
  const two = (value: number) => String(value).padStart(2, '0');
  const stamp = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(
    date.getMinutes(),
  )}:${two(date.getSeconds())}`;
  return `${stamp} (${formatAge(now - epoch)})`;
}

function clean(list: readonly NamedCount[]): NamedCount[] {
  return list.map((entry) => ({ name: sanitize(entry.name), count: entry.count }));
}

export function offenderDetail(input: {
  offender: Offender;
  serviceLabel: string;
  flags: readonly OffenderFlag[];
  threshold: number;
  alerts: readonly Alert[];
  window: { from: string; to: string } | undefined;
  kibana: KibanaTarget | null;
  now: number;
  glyphs: Glyphs;
}): DetailContent {
  const { offender, now, glyphs } = input;
  const dot = ` ${glyphs.dot} `;
  const flags = flagSpecs(input.flags).map((spec) => `${spec.mark} ${spec.label}`);
  const lines = [
    [
      `failures ${formatCount(offender.failures)} (threshold ${input.threshold})`,
      `distinct users ${formatCount(offender.distinctUsers)}`,
      `invalid-user failures ${formatCount(offender.invalidUserFailures)}`,
      `successes after failures ${formatCount(offender.successesAfterFailure)}`,
    ].join(dot),
    `first failure ${when(offender.firstFailure, now)}${dot}last failure ${when(offender.lastFailure, now)}`,
    `origin ${offender.detailed === false ? 'not fetched yet' : geoText(offender) || 'unknown'}`,
    `flags ${flags.length > 0 ? flags.join(', ') : 'none'}`,
  ];
  if (offender.detailed === false) {
    lines.push(
      'top users, hosts and origin: not fetched yet (beyond the busiest IPs; asked for in the next round trip)',
    );
  }
  if (offender.successesAfterFailure > 0) {
    const user = offender.successUser ? ` as ${sanitize(offender.successUser)}` : '';
    lines.push(`login succeeded after failures: ${when(offender.firstSuccessAfterFailure, now)}${user}`);
  }
  if (input.alerts.length > 0) {
    lines.push(
      `alerts ${input.alerts
        .map(
          (alert) =>
            `${SEVERITY_LABEL[alert.severity]} ${ruleLabel(alert.rule)} (${alertStateText(alert, now, glyphs).text})`,
        )
        .join(', ')}`,
    );
  }
  const link = offenderLink(offender, input.kibana, input.window, now);
  return {
    title: `${sanitize(offender.ip)}${dot}${input.serviceLabel}`,
    lines,
    link,
    ...(input.kibana ? {} : { noLink: NO_KIBANA }),
    users: clean(offender.topUsers),
    hosts: clean(offender.hosts),
  };
}

export function alertDetail(input: {
  alert: Alert;
  serviceLabel: string;
  kibana: KibanaTarget | null;
  now: number;
  glyphs: Glyphs;
}): DetailContent {
  const { alert, now, glyphs } = input;
  const dot = ` ${glyphs.dot} `;
  const lines = [
    `state ${alertStateText(alert, now, glyphs).text}${
      alert.mutedUntil !== null && alert.mutedUntil > now ? ` until ${when(alert.mutedUntil, now)}` : ''
    }`,
    `ATT&CK ${alert.techniques.map((technique) => `${sanitize(technique.id)} ${sanitize(technique.name)}`).join(', ')}`,
    sanitize(alert.summary),
    [
      `failures ${formatCount(alert.failures)}`,
      `distinct users ${formatCount(alert.distinctUsers)}`,
      `distinct IPs ${formatCount(alert.distinctIps)}`,
      `invalid-user failures ${formatCount(alert.invalidUserFailures)}`,
      `peak ${formatCount(alert.peakRate)}/min`,
      ...(alert.threshold !== undefined ? [`threshold ${alert.threshold}`] : []),
    ].join(dot),
    `first failure ${when(alert.firstFailure, now)}${dot}last failure ${when(alert.lastFailure, now)} (event time)`,
    `first seen ${when(alert.firstSeen, now)}${dot}last seen ${when(alert.lastSeen, now)} (this console's clock)`,
    [
      `origin ${geoText({ country: alert.country, asn: alert.asn, asOrg: null }) || 'unknown'}`,
      alert.internalSource ? 'internal source' : 'external source',
      ...(alert.repeatOffender ? ['repeat offender'] : []),
    ].join(dot),
  ];
  if (alert.success) {
    const user = alert.success.user ? ` as ${sanitize(alert.success.user)}` : '';
    lines.push(`login succeeded ${when(alert.success.at, now)}${user}`);
  }
  const escalation = alert.escalation;
  if (escalation?.kind === 'failed') lines.push(`Slack delivery failed: ${sanitize(escalation.reason)}`);
  const link = alertLink(alert, input.kibana);
  return {
    title: `${SEVERITY_LABEL[alert.severity]} ${ruleLabel(alert.rule)}${dot}${input.serviceLabel}${dot}${sanitize(alert.key)}`,
    lines,
    link,
    ...(input.kibana ? {} : { noLink: NO_KIBANA }),
    users: clean(alert.topUsers),
    hosts: clean(alert.hosts),
  };
}

/** The Discover link of an offender: its IP over the loaded window. */
export function offenderLink(
  offender: Offender,
  kibana: KibanaTarget | null,
  window: { from: string; to: string } | undefined,
  now: number,
): string | undefined {
  if (!kibana) return undefined;
  const from = window ? Date.parse(window.from) : now - 3_600_000;
  const to = window ? Date.parse(window.to) : now;
  return discoverUrl({ kibanaUrl: kibana.url, field: kibana.ipField, value: offender.ip, from, to });
}

/** The Discover link of an alert: its key from a minute before its first failure. */
export function alertLink(alert: Alert, kibana: KibanaTarget | null): string | undefined {
  if (!kibana) return undefined;
  const from = Date.parse(alert.firstFailure ?? '') || alert.firstSeen;
  const to = Math.max(Date.parse(alert.lastFailure ?? '') || alert.lastSeen, alert.lastSeen) + 60_000;
  return discoverUrl({
    kibanaUrl: kibana.url,
    field: alert.keyKind === 'user' ? kibana.userField : alert.keyKind === 'ip' ? kibana.ipField : undefined,
    value: alert.key,
    from: from - 60_000,
    to,
  });
}

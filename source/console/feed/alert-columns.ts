// The alert feed's columns and cell text. Alert keys are IPs or account names taken from
// logs, and summaries quote them: all sanitized before they are measured and cut.

import type { Severity } from '../../contracts/rules.js';
import { formatAge } from '../../core/duration.js';
import { sanitize } from '../../core/sanitize.js';
import { type Alert, alertStartedAt, type EscalationRetry, type RuleId } from '../../detect/alert.js';
import { formatCount } from '../draw/cells.js';
import { type ColumnSpec, capToContent, layoutColumns, type PlacedColumn } from '../draw/columns.js';
import type { Glyphs } from '../draw/glyphs.js';
import type { SortState } from '../state/sort.js';

export type AlertColumn =
  | 'mark'
  | 'severity'
  | 'time'
  | 'rule'
  | 'service'
  | 'key'
  | 'counts'
  | 'technique'
  | 'state';

export const SEVERITY_LABEL: Record<Severity, string> = {
  critical: 'CRIT',
  high: 'HIGH',
  medium: 'MED',
  low: 'LOW',
};

const RULE_LABEL: Record<string, string> = {
  'brute-force': 'brute force',
  'slow-brute-force': 'slow brute force',
  spraying: 'spraying',
  enumeration: 'enumeration',
  distributed: 'distributed',
  'success-after-failure': 'success after fail',
};

export function ruleLabel(rule: RuleId): string {
  return RULE_LABEL[rule] ?? sanitize(rule.replace(/^custom:/, ''));
}

const SORTED_COLUMN: Record<string, AlertColumn> = { time: 'time', severity: 'severity', failures: 'counts' };

/** Columns whose width follows their content (the others have fixed-size values). */
export const ALERT_CONTENT_COLUMNS: readonly AlertColumn[] = [
  'rule',
  'service',
  'key',
  'counts',
  'technique',
  'state',
];

export function alertColumns(
  width: number,
  sort: SortState,
  glyphs: Glyphs,
  content: Partial<Record<AlertColumn, number>> = {},
): PlacedColumn<AlertColumn>[] {
  const arrow = sort.descending ? glyphs.down : glyphs.up;
  const sorted = SORTED_COLUMN[sort.column];
  const title = (key: AlertColumn, text: string) => (key === sorted ? `${text}${arrow}` : text);
  const specs: ColumnSpec<AlertColumn>[] = [
    { key: 'mark', title: '', min: 1, max: 1, align: 'left', priority: 100 },
    { key: 'severity', title: title('severity', 'SEV'), min: 4, max: 5, align: 'left', priority: 95 },
    // STARTED: the attack's first failure, event time (from the data) on this host's clock zone.
    { key: 'time', title: title('time', 'STARTED'), min: 8, max: 9, align: 'left', priority: 60 },
    { key: 'rule', title: 'RULE', min: 11, max: 18, align: 'left', priority: 90 },
    { key: 'service', title: 'SVC', min: 3, max: 8, align: 'left', priority: 70 },
    { key: 'key', title: 'SOURCE/ACCOUNT', min: 15, max: 39, align: 'left', priority: 92, cut: 'middle' },
    { key: 'technique', title: 'ATT&CK', min: 10, max: 30, align: 'left', priority: 55, cut: 'items' },
    { key: 'state', title: 'STATE', min: 10, max: 30, align: 'left', priority: 94 },
    // Last: counts change on every poll of a live attack, and a terminal update rewrites a
    // line from its first change to its end.
    { key: 'counts', title: title('counts', 'COUNTS'), min: 9, max: 40, align: 'left', priority: 50 },
  ];
  return layoutColumns(capToContent(specs, content), width);
}

function clock(epochMs: number): string {
  const date = new Date(epochMs);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

export interface AlertStateText {
  text: string;
  tone: 'danger' | 'warn' | 'ok' | 'muted' | 'plain';
}

/** Lifecycle plus escalation, in words and symbols (never colour alone). */
export function alertStateText(alert: Alert, now: number, glyphs: Glyphs): AlertStateText {
  const muted = alert.mutedUntil !== null && alert.mutedUntil > now;
  // A8: not firing because the threshold was raised above its count says so.
  const lifecycle =
    alert.state === 'quiet' && alert.belowThreshold ? `below threshold ${alert.belowThreshold}` : alert.state;
  const base = muted ? 'muted' : alert.acknowledged ? 'ack' : lifecycle;
  // A6: its service's last poll was partial; the counts are the last whole ones.
  const partial = alert.partial ? ` ${glyphs.dot} partial` : '';
  const escalation = alert.escalation;
  if (!escalation) {
    return {
      text: `${base}${partial}`,
      tone: alert.partial
        ? 'warn'
        : muted || alert.state === 'closed'
          ? 'muted'
          : base === 'new'
            ? 'warn'
            : 'plain',
    };
  }
  const join = (text: string) =>
    `${base === 'new' || base === 'active' ? text : `${base} ${glyphs.dot} ${text}`}${partial}`;
  switch (escalation.kind) {
    case 'sending':
      return {
        text: join(
          escalation.retry ? retryText(escalation.retry, now) : glyphs.ascii ? 'sending...' : 'sending…',
        ),
        tone: 'warn',
      };
    case 'sent':
      return { text: join(`escalated ${glyphs.check}`), tone: 'ok' };
    case 'failed':
      return { text: join(`failed ${glyphs.cross}`), tone: 'danger' };
    case 'already':
      return {
        text: join(`by ${sanitize(escalation.by)} ${formatAge(now - escalation.at)}`),
        tone: 'ok',
      };
  }
}

/**
 * A Slack send waiting to retry: "rate-limited, retry in 2s" when Slack set the wait
 * (Retry-After; counted down from the console clock of the last event), else
 * "Slack 500, retry 2/3".
 */
export function retryText(retry: EscalationRetry, now: number): string {
  if (retry.retryAfter) {
    const left = Math.max(0, Math.ceil((retry.at + retry.delayMs - now) / 1000));
    return `${retry.reason}, retry in ${left}s`;
  }
  return `${retry.reason}, retry ${retry.attempt}/${retry.max}`;
}

/** The numbers that matter for the rule, shortest first so a narrow column keeps the main one. */
export function countsText(alert: Alert): string {
  const parts = [`${formatCount(alert.failures)} fails`];
  if (alert.rule === 'distributed') parts.unshift(`${formatCount(alert.distinctIps)} IPs`);
  else if (alert.distinctUsers > 1) parts.push(`${formatCount(alert.distinctUsers)} users`);
  if (alert.rule === 'enumeration') parts.push(`${formatCount(alert.invalidUserFailures)} invalid`);
  return parts.join(', ');
}

export function alertCells(
  alert: Alert,
  serviceLabel: string,
  selected: boolean,
  now: number,
  glyphs: Glyphs,
): Record<AlertColumn, string> {
  return {
    mark: selected ? glyphs.selected : isQuietAt(alert, now) ? quietMark(glyphs) : ' ',
    severity: SEVERITY_LABEL[alert.severity],
    // The attack's own first failure (event time), not when this console first saw it (A5).
    time: clock(alertStartedAt(alert)),
    rule: ruleLabel(alert.rule),
    service: sanitize(serviceLabel),
    key: sanitize(alert.key),
    counts: countsText(alert),
    technique: alert.techniques.map((technique) => sanitize(technique.id)).join(','),
    state: alertStateText(alert, now, glyphs).text,
  };
}

/** Acknowledged or muted: dimmed in the feed and marked (the mark survives NO_COLOR). */
export function isQuietAt(alert: Alert, now: number): boolean {
  return alert.acknowledged || (alert.mutedUntil !== null && alert.mutedUntil > now);
}

export const quietMark = (glyphs: Glyphs) => (glyphs.ascii ? '-' : '·');

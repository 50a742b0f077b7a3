// `soc-watch once` without --json: the snapshot as a readable table. Pure (snapshot in, text
// out). Every string that came from the logs (IPs from keyword fields, user names, host names,
// AS organisations) passes through sanitize() and is cut to its column by display width, so
// an attacker's user name can neither inject escape sequences nor break the layout.
import cliTruncate from 'cli-truncate';
import sparkly from 'sparkly';
import stringWidth from 'string-width';
import type { NamedCount, Offender, ServiceSnapshot, Snapshot } from '../contracts/snapshot.js';
import { formatDuration } from '../core/duration.js';
import { sanitize } from '../core/sanitize.js';

export interface TableOptions {
  ascii?: boolean;
  /** Offender rows per service (default 20). */
  limit?: number;
}

type Align = 'left' | 'right';
interface Column {
  title: string;
  /** Widest the column may get; it is as wide as its widest cell up to this. */
  width: number;
  align: Align;
  value: (offender: Offender) => string;
}

function fitCell(text: string, width: number, align: Align): string {
  const clean = sanitize(text);
  const cut = stringWidth(clean) > width ? cliTruncate(clean, width, { position: 'end' }) : clean;
  const padding = ' '.repeat(Math.max(0, width - stringWidth(cut)));
  return align === 'right' ? padding + cut : cut + padding;
}

/** `13:31:48` from an ISO time (the header says the times are UTC). */
function clock(iso: string | null): string {
  return iso ? iso.slice(11, 19) : '';
}

function counts(items: NamedCount[]): string {
  return items.map((item) => `${sanitize(item.name)} ${item.count}`).join(', ');
}

const ASCII_LEVELS = ' .:-=+*#';

export function sparkline(values: number[], ascii: boolean): string {
  if (!ascii) return sparkly(values, { minimum: 0 });
  const max = Math.max(0, ...values);
  return values
    .map((value) => (max === 0 ? ASCII_LEVELS[0] : ASCII_LEVELS[Math.min(7, Math.ceil((value / max) * 7))]))
    .join('');
}

const COLUMNS: Column[] = [
  { title: 'SOURCE IP', width: 39, align: 'left', value: (o) => o.ip },
  { title: 'FAIL', width: 6, align: 'right', value: (o) => String(o.failures) },
  { title: 'USERS', width: 5, align: 'right', value: (o) => String(o.distinctUsers) },
  { title: 'INVAL', width: 5, align: 'right', value: (o) => String(o.invalidUserFailures) },
  { title: 'TOP USERS', width: 26, align: 'left', value: (o) => counts(o.topUsers) },
  { title: 'HOSTS', width: 18, align: 'left', value: (o) => o.hosts.map((host) => host.name).join(', ') },
  { title: 'FIRST', width: 8, align: 'left', value: (o) => clock(o.firstFailure) },
  { title: 'LAST', width: 8, align: 'left', value: (o) => clock(o.lastFailure) },
  {
    title: 'SUCCESS AFTER',
    width: 24,
    align: 'left',
    value: (o) =>
      o.successesAfterFailure > 0
        ? `${o.successesAfterFailure} ${o.successUser ?? '?'} ${clock(o.firstSuccessAfterFailure)}`
        : '',
  },
  {
    title: 'ORIGIN',
    width: 28,
    align: 'left',
    value: (o) =>
      [o.country, o.asn === null ? null : `AS${o.asn}`, o.asOrg].filter((part) => part !== null).join(' '),
  },
];

function row(cells: string[]): string {
  return `  ${cells.join('  ')}`.trimEnd();
}

function serviceSection(service: ServiceSnapshot, options: Required<TableOptions>): string[] {
  const lines: string[] = [];
  const dot = options.ascii ? '-' : '·';
  const totals = [
    `${service.failures} failures`,
    `${service.distinctIps} source IPs`,
    `${service.successes} successes`,
    `${service.invalidUserFailures} invalid-user`,
    `${service.unknownSource} unknown source`,
  ].join(` ${dot} `);
  lines.push(`${sanitize(service.label)}  ${totals}  (took ${service.took} ms)`);
  lines.push(`  ${sparkline(service.timeline, options.ascii)}`);
  if (service.offenders.length === 0) {
    lines.push('  no failures from any source IP in the window');
  } else {
    const shown = service.offenders.slice(0, options.limit);
    const widths = COLUMNS.map((column) =>
      Math.min(
        column.width,
        Math.max(
          stringWidth(column.title),
          ...shown.map((offender) => stringWidth(sanitize(column.value(offender)))),
        ),
      ),
    );
    const line = (cell: (column: Column) => string) =>
      row(COLUMNS.map((column, index) => fitCell(cell(column), widths[index] ?? column.width, column.align)));
    lines.push(line((column) => column.title));
    for (const offender of shown) lines.push(line((column) => column.value(offender)));
    const hidden = service.offenders.length - shown.length;
    if (hidden > 0) lines.push(`  … ${hidden} more source IPs (soc-watch once --json lists them all)`);
    if (service.offendersTruncated) lines.push('  … and more beyond maxOffenders');
  }
  if (service.targetedUsers.length > 0) {
    const accounts = service.targetedUsers
      .slice(0, 8)
      .map(
        (user) =>
          `${sanitize(user.user)} ${user.failures} (${user.distinctIps} IP${user.distinctIps === 1 ? '' : 's'})`,
      )
      .join(', ');
    lines.push(fitCell(`  most targeted accounts: ${accounts}`, 200, 'left').trimEnd());
  }
  return lines;
}

export function formatSnapshotTable(snapshot: Snapshot, options: TableOptions = {}): string {
  const settings: Required<TableOptions> = { ascii: options.ascii ?? false, limit: options.limit ?? 20 };
  const backend = snapshot.backend.kind === 'elasticsearch' ? 'Elasticsearch' : 'OpenSearch';
  const dot = settings.ascii ? '-' : '·';
  const lines = [
    `${backend} ${snapshot.backend.version} ${dot} ${snapshot.cluster} ${dot} ${sanitize(snapshot.indexPattern)}`,
    `last ${formatDuration(snapshot.window.ms)}: ${snapshot.window.from} to ${snapshot.window.to} (UTC), ${formatDuration(snapshot.bucketMs)} buckets ${dot} took ${snapshot.took} ms ${dot} fetched in ${snapshot.fetchMs} ms`,
  ];
  for (const warning of snapshot.warnings ?? []) lines.push(`warning: ${sanitize(warning)}`);
  for (const service of snapshot.services) {
    lines.push('', ...serviceSection(service, settings));
  }
  for (const rule of snapshot.customRules) {
    const groups = rule.groups
      .slice(0, 10)
      .map((group) => `${sanitize(group.key)} ${group.value}`)
      .join(', ');
    lines.push(
      '',
      `custom rule ${sanitize(rule.rule)} (${formatDuration(rule.windowMs)}): ${groups || 'no groups'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

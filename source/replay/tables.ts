// Text for people: the alerts under `once`'s panes and the alert timeline of `replay`. Pure.
// Attacker-controlled text (keys, summaries) goes through sanitize() and is cut to its column.
// Detector times (when an alert opened, went quiet…) and event times (first/last failure,
// from the data) are both UTC and labelled so.
import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';
import { formatDuration } from '../core/duration.js';
import { sanitize } from '../core/sanitize.js';
import type { AlertRecord } from '../detect/alert-record.js';
import type { AlertEpisode } from './timeline.js';

function cell(text: string, width: number): string {
  const clean = sanitize(text);
  const cut = stringWidth(clean) > width ? cliTruncate(clean, width, { position: 'end' }) : clean;
  return cut + ' '.repeat(Math.max(0, width - stringWidth(cut)));
}

/** "2026-12-02 03:04:05" (UTC; the header says so). */
function utcTime(value: number | string | null): string {
  if (value === null) return '-';
  return new Date(value).toISOString().slice(0, 19).replace('T', ' ');
}

/** The alerts section under `once`'s panes. */
export function formatAlertsTable(alerts: readonly AlertRecord[], options: { ascii?: boolean } = {}): string {
  const dash = options.ascii ? '-' : '–';
  if (alerts.length === 0) return '\nALERTS: none\n';
  const lines = [
    '',
    `ALERTS (${alerts.length}) ${options.ascii ? '-' : '·'} first ${dash} last failure are event times from the data, UTC`,
    `${cell('SEVERITY', 9)} ${cell('ID (for --escalate / --evidence)', 44)} ${cell('STATE', 7)} ${cell('FAILURES', 8)} ${cell(`FIRST ${dash} LAST FAILURE`, 41)} ${cell('ESCALATION', 16)} SUMMARY`,
  ];
  for (const alert of alerts) {
    const escalation = 'by' in alert.escalation ? `${alert.escalation.state} ${alert.escalation.by}` : '-';
    lines.push(
      [
        cell(alert.severity.toUpperCase(), 9),
        cell(alert.id, 44),
        cell(alert.state, 7),
        cell(String(alert.failures), 8),
        cell(`${utcTime(alert.firstFailure)} ${dash} ${utcTime(alert.lastFailure)}`, 41),
        cell(escalation, 16),
        cell(alert.summary, 80).trimEnd(),
      ].join(' '),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `replay`'s timeline: one row per alert episode, oldest first. */
export function formatEpisodesTable(
  episodes: readonly AlertEpisode[],
  period: {
    from: number;
    to: number;
    stepMs: number;
    windowMs: number;
    steps: number;
    warnings?: readonly { text: string; steps: number }[];
  },
  options: { ascii?: boolean } = {},
): string {
  const dot = options.ascii ? '-' : '·';
  const lines = [
    `REPLAY ${utcTime(period.from)} to ${utcTime(period.to)} UTC ${dot} ${period.steps} steps of ${formatDuration(period.stepMs)} ${dot} window ${formatDuration(period.windowMs)} ${dot} not live`,
    `times are the replay's detector clock (UTC); peaks are the highest counts seen in the window`,
    ...(period.warnings ?? []).map(
      (warning) => `warning: ${sanitize(warning.text)} (${warning.steps} of ${period.steps} steps)`,
    ),
    '',
  ];
  if (episodes.length === 0) {
    lines.push(
      (period.warnings ?? []).length > 0
        ? 'no alerts in this period, but see the warnings: the data may be missing'
        : 'no alerts in this period',
    );
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    `${cell('OPENED', 19)}  ${cell('LAST GREW', 19)}  ${cell('QUIET', 19)}  ${cell('CLOSED', 19)}  ${cell('SEVERITY', 8)}  ${cell('ALERT', 44)}  PEAK`,
  );
  for (const episode of episodes) {
    const peak = [`${episode.peakFailures} failures`];
    if (episode.peakUsers > 1) peak.push(`${episode.peakUsers} users`);
    if (episode.peakIps > 1) peak.push(`${episode.peakIps} IPs`);
    if (episode.peakInvalidUsers > 0) peak.push(`${episode.peakInvalidUsers} invalid-user`);
    lines.push(
      [
        cell(utcTime(episode.openedAt), 19),
        cell(utcTime(episode.lastGrewAt), 19),
        cell(episode.quietAt === null ? '-' : utcTime(episode.quietAt), 19),
        cell(episode.closedAt === null ? `(${episode.state})` : utcTime(episode.closedAt), 19),
        cell(episode.severity.toUpperCase(), 8),
        cell(`${episode.rule}:${episode.service}:${episode.key}`, 44),
        peak.join(', '),
      ].join('  '),
    );
  }
  return `${lines.join('\n')}\n`;
}

// The Slack message for one escalated alert: Block Kit blocks a responder can act on, plus a
// plain `text` fallback for notifications. Pure: alert + context in, payload out.
//
// Every string that can come from the logs (accounts, hosts, keys, country/AS names, custom
// rule values) is attacker-controlled: it is sanitized (no ANSI/controls/bidi), escaped for
// mrkdwn (`&`, `<`, `>` — which is what makes `<!channel>`, `<@U123>` and `<https://x|label>`
// impossible to smuggle in), shown inside code spans (no formatting, no auto-links), and
// truncated so every block stays within Slack's limits.

import type { Severity } from '../contracts/rules.js';
import type { NamedCount } from '../contracts/snapshot.js';
import { formatAge, formatDuration } from '../core/duration.js';
import { sanitize, sanitizeAndTruncate } from '../core/sanitize.js';
import type { Alert } from '../detect/alert.js';
import { discoverUrl } from './kibana.js';

/** Block Kit limits (api.slack.com/reference/block-kit). */
export const LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  buttonText: 75,
  buttonUrl: 3000,
  /** Slack truncates `text` beyond 40k; notifications show far less. We keep it short. */
  fallbackText: 3000,
} as const;

export interface MessageContext {
  /** `user@host` of the analyst who escalated. */
  analyst: string;
  /** Optional note typed at the confirmation prompt. */
  note?: string;
  /** A re-escalation after the alert grew: the message says "update". */
  update: boolean;
  /** Kibana base URL (config.kibanaUrl); the button is omitted when absent or not http(s). */
  kibanaUrl?: string;
  /** Field Discover filters on (default `source.ip` for IP keys, `user.name` for accounts). */
  kibanaField?: string;
  now: number;
  /** Display label of the service, e.g. `SSH` (default: the service id upper-cased). */
  serviceLabel?: string;
  /** An earlier attempt got no answer from Slack and may have been posted: say so. */
  resendOf?: { at: number; by: string };
}

export interface SlackMessage {
  text: string;
  blocks: unknown[];
}

/** Escape for Slack mrkdwn: sanitize, then `&` `<` `>` as entities (Slack's own rule). */
export function escapeMrkdwn(text: string): string {
  return sanitize(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cut escaped mrkdwn to `max` characters without splitting an entity (`&amp;`) or a
 * surrogate pair, ending with an ellipsis. Lengths are UTF-16 units, which is never less
 * than what Slack counts.
 */
export function fitMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && cut.indexOf(';', amp) === -1) cut = cut.slice(0, amp);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  // An odd number of backticks would open a code span that swallows the rest.
  if ((cut.match(/`/g) ?? []).length % 2 === 1) cut = cut.slice(0, cut.lastIndexOf('`'));
  return `${cut}…`;
}

/** Plain text (header, button) cut to `max` characters after sanitizing. */
function plain(text: string, max: number): string {
  const clean = sanitize(text);
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

/**
 * An untrusted value as an inline code span: escaped, bounded, and with backticks replaced
 * (a backtick in a username would close the span and let the rest be formatted).
 */
export function codeSpan(value: string, max = 64): string {
  const clean = sanitizeAndTruncate(value, max).replace(/`/g, 'ˋ');
  if (clean.trim() === '') return '_(empty)_';
  return `\`${escapeMrkdwn(clean)}\``;
}

const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':white_circle:',
};

const RULE_LABEL: Record<string, string> = {
  'brute-force': 'Brute force',
  'slow-brute-force': 'Slow brute force',
  spraying: 'Password spraying',
  enumeration: 'Account enumeration',
  distributed: 'Distributed attack on one account',
  'success-after-failure': 'Success after failures',
};

export function ruleLabel(rule: string): string {
  if (rule.startsWith('custom:')) return `Custom rule ${sanitizeAndTruncate(rule.slice(7), 60)}`;
  return RULE_LABEL[rule] ?? sanitizeAndTruncate(rule, 60);
}

const count = (value: number) => Math.round(value).toLocaleString('en-US');

export function utc(ms: number): string {
  if (!Number.isFinite(ms)) return 'unknown';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "40s", "11m", "3h 5m": how long the activity lasted, to the unit a responder cares about. */
export function roughDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 90) return `${seconds}s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
}

function when(ms: number, now: number): string {
  return `${utc(ms)} (${formatAge(now - ms)})`;
}

/** `root` ×120, `admin` ×80, … and 12 more */
function namedCounts(items: readonly NamedCount[], maxItems: number): string {
  const shown = items.slice(0, maxItems).map((item) => `${codeSpan(item.name)} ×${count(item.count)}`);
  const rest = items.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} … and ${count(rest)} more` : shown.join(', ');
}

const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/;

function techniqueLine(id: string, name: string): string {
  const label = escapeMrkdwn(sanitizeAndTruncate(`${id} ${name}`.trim(), 120));
  // Only a validated technique id becomes a link; the label is escaped so it cannot close it.
  if (!TECHNIQUE_ID.test(id)) return label;
  return `<https://attack.mitre.org/techniques/${id.replace('.', '/')}/|${label.replace(/\|/g, '¦')}>`;
}

function eventTime(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

function source(alert: Alert): string {
  const origin: string[] = [];
  if (alert.country) origin.push(escapeMrkdwn(sanitizeAndTruncate(alert.country, 40)));
  if (alert.asn !== null && Number.isFinite(alert.asn)) origin.push(`AS${Math.trunc(alert.asn)}`);
  if (alert.internalSource) origin.push('internal');
  return origin.length > 0 ? `${codeSpan(alert.key, 100)} (${origin.join(', ')})` : codeSpan(alert.key, 100);
}

/**
 * "Brute force on SSH from `203.0.113.7`"; an attack on one account names the account as
 * the target and counts the sources: "Distributed attack against account `deploy` on SSH
 * from 12 sources" ("from `deploy`" read as if the account were the attacker).
 */
function whatWhereWho(alert: Alert, rule: string, service: string, strong: '*' | ''): string {
  const on = `on ${strong}${escapeMrkdwn(service)}${strong}`;
  if (alert.keyKind === 'user') {
    const what = alert.rule === 'distributed' ? 'Distributed attack' : rule;
    const sources = alert.distinctIps === 1 ? '1 source' : `${count(alert.distinctIps)} sources`;
    return `${strong}${escapeMrkdwn(what)}${strong} against account ${codeSpan(alert.key, 100)} ${on} from ${sources}`;
  }
  const from = strong ? source(alert) : codeSpan(alert.key, 100);
  return `${strong}${escapeMrkdwn(rule)}${strong} ${on} from ${from}`;
}

/**
 * The failures and the success in order, in event time. The snapshot counts an IP's failures
 * over the whole window: when all of them came before the success the count is exact ("N
 * failures before the success at T"); when some came after, the message says so rather than
 * calling all N "before".
 */
function successSequence(alert: Alert, now: number): string {
  const at = Date.parse(alert.success?.at ?? '');
  if (!Number.isFinite(at)) {
    return `${count(alert.failures)} failures in the window; the success time was not recorded`;
  }
  const first = eventTime(alert.firstFailure);
  const last = eventTime(alert.lastFailure);
  const n = alert.failures === 1 ? '1 failure' : `${count(alert.failures)} failures`;
  if (last === undefined || last <= at) {
    return `${n} before the success at ${utc(at)} (event time, ${formatAge(now - at)})`;
  }
  const from = first === undefined ? '' : ` from ${utc(first)}`;
  return `${n} in the window${from} to ${utc(last)} (event time), some before and some after the success at ${utc(at)} (event time, ${formatAge(now - at)})`;
}

function section(text: string): Record<string, unknown> {
  return { type: 'section', text: { type: 'mrkdwn', text: fitMrkdwn(text, LIMITS.sectionText) } };
}

function field(label: string, value: string): Record<string, unknown> {
  return { type: 'mrkdwn', text: fitMrkdwn(`*${label}*\n${value}`, LIMITS.fieldText) };
}

/** Analyst note: kept multi-line (each line sanitized and escaped), quoted, bounded. */
function noteLines(note: string): string {
  const lines = note
    .split(/\r?\n/)
    .map((line) => escapeMrkdwn(sanitizeAndTruncate(line, 500)))
    .filter((line, index, all) => line.trim() !== '' || (index > 0 && index < all.length - 1))
    .slice(0, 15);
  return lines.map((line) => `>${line}`).join('\n');
}

function discoverField(alert: Alert, override: string | undefined): string | undefined {
  if (override) return override;
  if (alert.keyKind === 'ip') return 'source.ip';
  if (alert.keyKind === 'user') return 'user.name';
  return undefined;
}

export function buildSlackMessage(alert: Alert, context: MessageContext): SlackMessage {
  const { now } = context;
  const service = sanitizeAndTruncate(context.serviceLabel ?? alert.service.toUpperCase(), 40);
  const rule = ruleLabel(alert.rule);
  const severity = alert.severity.toUpperCase();
  const prefix = context.update ? 'UPDATE: ' : '';
  const keyName = alert.keyKind === 'user' ? 'Account' : alert.keyKind === 'ip' ? 'Source' : 'Key';

  const header = plain(
    `${SEVERITY_EMOJI[alert.severity] ?? ''} ${prefix}${severity} · ${rule} (${service}) · ${sanitize(alert.key)}`,
    LIMITS.headerText,
  );

  // Event times from the data when the detector has them (what a responder searches for);
  // otherwise when this console first/last saw the alert.
  const first = eventTime(alert.firstFailure) ?? alert.firstSeen;
  const last = eventTime(alert.lastFailure) ?? alert.lastSeen;
  const windowLabel = alert.windowMs ? formatDuration(alert.windowMs) : 'window';

  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: header, emoji: true } },
  ];

  const lead = context.update
    ? `*Update:* this alert was escalated before and has grown — now ${escapeMrkdwn(alert.summary)}.`
    : escapeMrkdwn(alert.summary);
  blocks.push(section(`${whatWhereWho(alert, rule, service, '*')}\n${lead}`));

  const fields = [
    field(keyName, source(alert)),
    field('Service', escapeMrkdwn(service)),
    field(`Failures in ${windowLabel}`, `${count(alert.failures)} (peak ${count(alert.peakRate)}/min)`),
    field('Distinct users', count(alert.distinctUsers)),
    field('First seen', when(first, now)),
    field('Last seen', when(last, now)),
  ];
  if (alert.keyKind !== 'ip' || alert.distinctIps > 1)
    fields.push(field('Distinct source IPs', count(alert.distinctIps)));
  if (alert.invalidUserFailures > 0) {
    fields.push(field('Non-existent accounts tried', `${count(alert.invalidUserFailures)} failures`));
  }
  const flags = [alert.repeatOffender ? 'repeat offender' : '', alert.state !== 'active' ? alert.state : '']
    .filter(Boolean)
    .join(', ');
  if (flags) fields.push(field('Status', escapeMrkdwn(flags)));
  blocks.push({ type: 'section', fields: fields.slice(0, LIMITS.fields) });

  if (alert.success) {
    const account = alert.success.user ? codeSpan(alert.success.user) : '_(account not recorded)_';
    blocks.push(section(`:warning: *Successful login* as ${account}: ${successSequence(alert, now)}`));
  }
  if (alert.topUsers.length > 0)
    blocks.push(section(`*Top targeted accounts*\n${namedCounts(alert.topUsers, 10)}`));
  if (alert.hosts.length > 0) blocks.push(section(`*Hosts*\n${namedCounts(alert.hosts, 10)}`));
  if (alert.techniques.length > 0) {
    const lines = alert.techniques.slice(0, 8).map((t) => `• ${techniqueLine(t.id, t.name)}`);
    blocks.push(section(`*MITRE ATT&amp;CK*\n${lines.join('\n')}`));
  }
  if (context.note && context.note.trim() !== '') {
    blocks.push(section(`*Note from ${escapeMrkdwn(context.analyst)}*\n${noteLines(context.note)}`));
  }
  if (context.resendOf) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: fitMrkdwn(
            `:repeat: Re-sent: an attempt by ${escapeMrkdwn(context.resendOf.by)} at ${utc(context.resendOf.at)} got no answer from Slack and may also have been posted.`,
            LIMITS.sectionText,
          ),
        },
      ],
    });
  }
  const span = roughDuration(last - first);
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: fitMrkdwn(
          `Escalated by *${escapeMrkdwn(context.analyst)}* with soc-watch at ${utc(now)} · activity over ${span} · alert ${codeSpan(alert.id, 200)}`,
          LIMITS.sectionText,
        ),
      },
    ],
  });

  if (context.kibanaUrl) {
    const field = discoverField(alert, context.kibanaField);
    const url = discoverUrl({
      kibanaUrl: context.kibanaUrl,
      ...(field === undefined ? {} : { field }),
      value: alert.key,
      from: first - 5 * 60_000,
      to: Math.max(last, first) + 5 * 60_000,
    });
    if (url !== undefined && url.length <= LIMITS.buttonUrl) {
      blocks.push({
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Open in Kibana', emoji: false },
            url,
            action_id: 'soc-watch-open-kibana',
          },
        ],
      });
    }
  }

  const text = fitMrkdwn(
    `${prefix}${severity} ${whatWhereWho(alert, rule, service, '')}: ${escapeMrkdwn(alert.summary)}${alert.success ? ' — login succeeded' : ''} (escalated by ${escapeMrkdwn(context.analyst)})`,
    LIMITS.fallbackText,
  );
  return { text, blocks: blocks.slice(0, LIMITS.blocks) };
}

// `soc-watch once --escalate <rule>:<service>:<key>` (or `<rule>:<key>` when only one service
// has that alert): fetch one snapshot, run the detector, escalate that alert with the same
// dedupe as the console. Exit 0 when the message is in the channel (sent now, or delivered
// before), 1 when nothing was posted (failed, in flight elsewhere, no such alert), 2 for a
// malformed spec, 3 when Slack did not answer (it may have been posted: `--force` resends).
import { createClusterClient } from '../cluster/client.js';
import { fetchSnapshots } from '../cluster/fetch.js';
import type { ClusterClient } from '../cluster/types.js';
import { ClusterError } from '../cluster/types.js';
import type { Config } from '../config/types.js';
import { formatAge } from '../core/duration.js';
import { parseIp } from '../core/net.js';
import { sanitize, sanitizeAndTruncate } from '../core/sanitize.js';
import type { Alert, BuiltInRule } from '../detect/alert.js';
import { alertsNewestFirst, createDetectorState, detect } from '../detect/detector.js';
import { detectionSettings } from '../detect/settings.js';
import {
  createEscalator,
  describeInFlight,
  describeUnknown,
  type EscalationOutcome,
  NOT_CONFIGURED_HINT,
  slackWebhookConfigured,
} from '../slack/escalator.js';
import { utc } from '../slack/message.js';
import type { CommandContext } from './context.js';

export const BUILT_IN_RULES: readonly BuiltInRule[] = [
  'brute-force',
  'slow-brute-force',
  'spraying',
  'enumeration',
  'distributed',
  'success-after-failure',
];

export interface EscalateSpec {
  rule: string;
  service?: string;
  key: string;
}

/**
 * Parse `<rule>:<service>:<key>` or `<rule>:<key>`. Keys may contain colons (IPv6), and
 * custom rules are `custom:<name>`, so: the rule takes one segment (two for `custom:`), the
 * next is a service only when it names a configured one, and the rest is the key.
 */
export function parseEscalateSpec(
  spec: string,
  serviceNames: readonly string[],
): { ok: true; spec: EscalateSpec } | { ok: false; error: string } {
  const usage = 'expected <rule>:<service>:<key> or <rule>:<key>, e.g. brute-force:ssh:203.0.113.7';
  const segments = spec.trim().split(':');
  const custom = segments[0] === 'custom';
  const rule = custom ? `custom:${segments[1] ?? ''}` : (segments[0] ?? '');
  const rest = segments.slice(custom ? 2 : 1);
  if (custom ? !segments[1] : !BUILT_IN_RULES.includes(rule as BuiltInRule)) {
    return {
      ok: false,
      error: `unknown rule "${sanitize(rule)}": one of ${BUILT_IN_RULES.join(', ')}, or custom:<name>`,
    };
  }
  if (rest.length === 0 || rest.join(':') === '') return { ok: false, error: usage };
  const [first = '', ...after] = rest;
  if (after.length > 0 && serviceNames.includes(first)) {
    const key = after.join(':');
    return key === '' ? { ok: false, error: usage } : { ok: true, spec: { rule, service: first, key } };
  }
  return { ok: true, spec: { rule, key: rest.join(':') } };
}

function sameKey(alertKey: string, key: string): boolean {
  if (alertKey === key) return true;
  const a = parseIp(alertKey);
  const b = parseIp(key);
  return (
    a !== undefined &&
    b !== undefined &&
    a.kind() === b.kind() &&
    a.toNormalizedString() === b.toNormalizedString()
  );
}

/** The alert a spec names, or why there is none (not found / ambiguous). */
export function findAlert(
  alerts: readonly Alert[],
  spec: EscalateSpec,
): { ok: true; alert: Alert } | { ok: false; error: string } {
  const matches = alerts.filter(
    (alert) =>
      alert.rule === spec.rule &&
      (spec.service === undefined || alert.service === spec.service) &&
      sameKey(alert.key, spec.key),
  );
  // Same key in another case (Windows accounts are case-insensitive) only when nothing matches exactly.
  const found =
    matches.length > 0
      ? matches
      : alerts.filter(
          (alert) =>
            alert.rule === spec.rule &&
            (spec.service === undefined || alert.service === spec.service) &&
            alert.key.toLowerCase() === spec.key.toLowerCase(),
        );
  const services = [...new Set(found.map((alert) => alert.service))];
  if (services.length > 1) {
    return {
      ok: false,
      error: `"${sanitize(spec.rule)}:${sanitize(spec.key)}" matches alerts on ${services.join(' and ')}: name the service, e.g. ${sanitize(spec.rule)}:${services[0]}:${sanitize(spec.key)}`,
    };
  }
  // Several for one service cannot happen (one live alert per rule|service|key); prefer a live one.
  const alert = found.find((candidate) => candidate.state !== 'closed') ?? found[0];
  if (!alert) return { ok: false, error: 'no such alert' };
  return { ok: true, alert };
}

/** One line per outcome; success (✓) only when a message is known to be in the channel. */
export function describeOutcome(
  outcome: EscalationOutcome,
  alert: Alert,
  now: number,
  ascii: boolean,
): string {
  const what = `${alert.rule} ${alert.service} ${sanitizeAndTruncate(alert.key, 100)}`;
  const ok = ascii ? 'OK' : '✓';
  const bad = ascii ? 'FAILED' : '✗';
  const unsure = ascii ? 'UNKNOWN' : '?';
  switch (outcome.kind) {
    case 'delivered':
      return `${ok} escalated ${what} to Slack at ${utc(outcome.at)} by ${sanitize(outcome.by)}${outcome.update ? ' (update)' : ''}${outcome.resend ? ' (re-sent after an unanswered attempt)' : ''}`;
    case 'already':
      return `${ok} already escalated by ${sanitize(outcome.by)} ${formatAge(now - outcome.at)} (${utc(outcome.at)}): not sent again`;
    case 'failed':
      return `${bad} escalation of ${what} failed: ${sanitize(outcome.reason)}`;
    case 'in-flight':
      return `${bad} ${what}: ${describeInFlight(outcome, now)}; run again after the deadline if it has not arrived`;
    case 'unknown':
      return `${unsure} ${what}: ${describeUnknown(outcome)} — check the channel; --force sends it again`;
  }
}

/**
 * Exit codes: 0 the message is in the channel (sent now, or delivered before); 1 nothing was
 * posted (failed, or in flight elsewhere); 3 it may have been posted (Slack did not answer) —
 * rerun with --force to send it again.
 */
export function exitCodeOf(outcome: EscalationOutcome): number {
  switch (outcome.kind) {
    case 'delivered':
    case 'already':
      return 0;
    case 'unknown':
      return 3;
    default:
      return 1;
  }
}

/** One snapshot (and the slow-rule one) through the detector: the alerts a console would show now. */
export async function liveAlerts(
  client: ClusterClient,
  config: Config,
  signal?: AbortSignal,
): Promise<Alert[]> {
  const now = Date.now();
  const slow = config.rules.slowBruteForce;
  const windows = [
    { windowMs: config.windowMs },
    ...(slow.enabled ? [{ windowMs: slow.windowMs, includeCustomRules: false }] : []),
  ];
  const [snapshot, slowSnapshot] = await fetchSnapshots(client, config, windows, {
    now,
    ...(signal ? { signal } : {}),
  });
  if (!snapshot) throw new ClusterError('bad-response', 'no snapshot was parsed');
  const state = detect(
    createDetectorState(),
    { snapshot, slowSnapshot: slowSnapshot ?? null },
    detectionSettings(config),
    now,
  );
  return alertsNewestFirst(state);
}

export async function escalateFromCli(ctx: CommandContext, spec: string): Promise<number> {
  const { config, stdout, stderr } = ctx;
  const parsed = parseEscalateSpec(
    spec,
    config.services.map((service) => service.name),
  );
  if (!parsed.ok) {
    stderr.write(`soc-watch: --escalate: ${parsed.error}\n`);
    return 2;
  }
  let client: ClusterClient | undefined;
  if (!slackWebhookConfigured(config, ctx.secrets)) {
    stderr.write(`soc-watch: ${NOT_CONFIGURED_HINT}\n`);
    return 1;
  }
  try {
    client = await createClusterClient(config, ctx.secrets, { signal: ctx.signal });
    const alerts = await liveAlerts(client, config, ctx.signal);
    const found = findAlert(alerts, parsed.spec);
    if (!found.ok) {
      stderr.write(`soc-watch: --escalate ${sanitizeAndTruncate(spec, 200)}: ${found.error}\n`);
      const live = alerts.filter((alert) => alert.state !== 'closed').slice(0, 15);
      stderr.write(
        live.length === 0
          ? 'No alerts are live in the current window.\n'
          : `Live alerts:\n${live.map((alert) => `  ${alert.rule}:${alert.service}:${sanitizeAndTruncate(alert.key, 100)}  ${sanitize(alert.summary)}`).join('\n')}\n`,
      );
      return 1;
    }
    const escalator = createEscalator({ client, config, secrets: ctx.secrets });
    const note =
      typeof ctx.flags.note === 'string' && ctx.flags.note.trim() !== '' ? ctx.flags.note : undefined;
    const outcome = await escalator.send(found.alert, {
      ...(note ? { note } : {}),
      ...(ctx.flags.force === true ? { force: true } : {}),
      signal: ctx.signal,
    });
    // Every record this run touched gets its final state before the process exits.
    await escalator.close();
    for (const warning of escalator.warnings) stderr.write(`soc-watch: warning: ${warning}\n`);
    const code = exitCodeOf(outcome);
    const line = describeOutcome(outcome, found.alert, Date.now(), config.ascii);
    (code === 0 ? stdout : stderr).write(`${line}\n`);
    return code;
  } catch (error) {
    const message =
      error instanceof ClusterError
        ? error.message
        : sanitize(error instanceof Error ? error.message : String(error));
    stderr.write(`soc-watch: --escalate: ${message}\n`);
    return 1;
  } finally {
    await client?.close().catch(() => undefined);
  }
}

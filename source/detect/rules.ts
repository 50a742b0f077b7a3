// The detection rules: snapshot(s) + settings in, findings out. A finding is "this rule
// fires for this (service, key) right now, with these numbers"; the lifecycle
// (lifecycle.ts) turns findings into alerts that live across polls.
import type { NamedCount, Offender, ServiceSnapshot, Snapshot } from '../contracts/snapshot.js';
import { isInternalIp, isIp } from '../core/net.js';
import type { Alert, RuleId } from './alert.js';
import { ipAllowed, offenderAllowed, userAllowed } from './allow-list.js';
import { techniques } from './attack.js';
import { type DetectionSettings, serviceTechnique, thresholdFor } from './settings.js';
import { HIGH_VOLUME_FACTOR, type Scoring } from './severity.js';
import { count, joinSummary, safeName } from './summary.js';

/** What a rule found: an alert's counts and origin (the fields Alert has too), and how it scores. */
export interface Finding
  extends Pick<
    Alert,
    | 'id'
    | 'rule'
    | 'service'
    | 'key'
    | 'keyKind'
    | 'techniques'
    | 'failures'
    | 'distinctUsers'
    | 'distinctIps'
    | 'invalidUserFailures'
    | 'topUsers'
    | 'hosts'
    | 'country'
    | 'asn'
    | 'success'
    | 'internalSource'
    | 'summary'
  > {
  scoring: Scoring;
  firstFailure: string | null;
  lastFailure: string | null;
  threshold: number;
  windowMs: number;
  /** Failures per minute over the attack's observed span (at least one minute). */
  rate: number;
}

/** What the rules need to know about alerts already raised (slow brute force defers to brute force). */
export interface RuleContext {
  /** Latest failure (epoch ms) an existing brute-force alert for (service, ip) has reported, if any. */
  bruteForceLastFailure(service: string, ip: string): number | null;
}

export function alertId(rule: RuleId, service: string, key: string): string {
  return `${rule}|${service}|${key}`;
}

function epoch(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const value = Date.parse(iso);
  return Number.isFinite(value) ? value : null;
}

function ratePerMinute(
  failures: number,
  first: string | null,
  last: string | null,
  windowMs: number,
): number {
  const from = epoch(first);
  const to = epoch(last);
  const span = from !== null && to !== null && to >= from ? to - from : windowMs;
  return Math.round((failures / Math.max(1, span / 60_000)) * 100) / 100;
}

function realAccounts(offender: { failures: number; invalidUserFailures: number }): boolean {
  return offender.failures - offender.invalidUserFailures > 0;
}

/** Fields every IP-keyed finding copies from its offender. */
function fromOffender(offender: Offender, windowMs: number) {
  return {
    key: offender.ip,
    keyKind: 'ip' as const,
    failures: offender.failures,
    distinctUsers: offender.distinctUsers,
    distinctIps: 1,
    invalidUserFailures: offender.invalidUserFailures,
    topUsers: offender.topUsers,
    hosts: offender.hosts,
    country: offender.country,
    asn: offender.asn,
    internalSource: isInternalIp(offender.ip),
    firstFailure: offender.firstFailure,
    lastFailure: offender.lastFailure,
    windowMs,
    rate: ratePerMinute(offender.failures, offender.firstFailure, offender.lastFailure, windowMs),
  };
}

function usersPart(offender: Offender): string {
  return count(offender.distinctUsers, 'user');
}

/** What differs between the IP-keyed, scored rules; the Finding around it is the same. */
interface IpRule {
  rule: Extract<RuleId, 'brute-force' | 'slow-brute-force' | 'spraying' | 'enumeration'>;
  technique: string;
  base: 1 | 2;
  threshold: number;
  /** The number compared with the threshold (and with it × HIGH_VOLUME_FACTOR). */
  metric: (offender: Offender) => number;
  summary: (offender: Offender) => string[];
}

function ipFinding(
  spec: IpRule,
  service: string,
  offender: Offender,
  windowMs: number,
  settings: DetectionSettings,
): Finding {
  return {
    id: alertId(spec.rule, service, offender.ip),
    rule: spec.rule,
    service,
    ...fromOffender(offender, windowMs),
    techniques: techniques([spec.technique, serviceTechnique(settings, service)]),
    scoring: {
      kind: 'scored',
      base: spec.base,
      realAccounts: realAccounts(offender),
      highVolume: spec.metric(offender) >= spec.threshold * HIGH_VOLUME_FACTOR,
      internal: isInternalIp(offender.ip),
    },
    success: null,
    threshold: spec.threshold,
    summary: joinSummary(spec.summary(offender), windowMs),
  };
}

/** Offenders at or over the rule's threshold, allow-listed ones left out. */
function ipRule(
  spec: IpRule,
  service: ServiceSnapshot,
  windowMs: number,
  settings: DetectionSettings,
): Finding[] {
  return service.offenders
    .filter(
      (offender) => spec.metric(offender) >= spec.threshold && !offenderAllowed(settings.allowList, offender),
    )
    .map((offender) => ipFinding(spec, service.service, offender, windowMs, settings));
}

const failuresAndUsers = (offender: Offender) => [count(offender.failures, 'failure'), usersPart(offender)];

function bruteForce(service: ServiceSnapshot, snapshot: Snapshot, settings: DetectionSettings): Finding[] {
  const spec: IpRule = {
    rule: 'brute-force',
    technique: 'T1110.001',
    base: 1,
    threshold: thresholdFor(settings, service.service),
    metric: (offender) => offender.failures,
    summary: failuresAndUsers,
  };
  return ipRule(spec, service, snapshot.window.ms, settings);
}

/**
 * Slow brute force: ≥ threshold failures over the long window from an IP that is not a
 * brute force. It defers to brute force twice: no slow alert while the IP is over the
 * short-window threshold, and none for failures a brute-force alert (live, or closed but
 * remembered) has already reported — only failures after that alert's last one count as
 * a new, slow attack. So a burst that ended 40 minutes ago does not resurface as "slow".
 */
function slowBruteForce(
  slowService: ServiceSnapshot,
  slow: Snapshot,
  shortService: ServiceSnapshot | undefined,
  settings: DetectionSettings,
  context: RuleContext,
): Finding[] {
  const spec: IpRule = {
    rule: 'slow-brute-force',
    technique: 'T1110.001',
    base: 1,
    threshold: settings.rules.slowBruteForce.threshold,
    metric: (offender) => offender.failures,
    summary: failuresAndUsers,
  };
  const shortThreshold = thresholdFor(settings, slowService.service);
  const deferToBruteForce = settings.rules.bruteForce.enabled;
  return ipRule(spec, slowService, slow.window.ms, settings).filter((finding) => {
    const ip = finding.key;
    const short = shortService?.offenders.find((candidate) => candidate.ip === ip);
    if (deferToBruteForce && short && short.failures >= shortThreshold) return false;
    const reported = context.bruteForceLastFailure(slowService.service, ip);
    const last = epoch(slowService.offenders.find((candidate) => candidate.ip === ip)?.lastFailure);
    return reported === null || (last !== null && last > reported);
  });
}

function spraying(service: ServiceSnapshot, snapshot: Snapshot, settings: DetectionSettings): Finding[] {
  const spec: IpRule = {
    rule: 'spraying',
    technique: 'T1110.003',
    base: 2,
    threshold: settings.rules.spraying.distinctUsers,
    metric: (offender) => offender.distinctUsers,
    summary: (offender) => [usersPart(offender), count(offender.failures, 'failure')],
  };
  return ipRule(spec, service, snapshot.window.ms, settings);
}

function enumeration(service: ServiceSnapshot, snapshot: Snapshot, settings: DetectionSettings): Finding[] {
  const spec: IpRule = {
    rule: 'enumeration',
    technique: 'T1110',
    base: 1,
    threshold: settings.rules.enumeration.invalidUsers,
    metric: (offender) => offender.invalidUserFailures,
    summary: (offender) => [count(offender.invalidUserFailures, 'invalid-user failure'), usersPart(offender)],
  };
  return ipRule(spec, service, snapshot.window.ms, settings);
}

/**
 * Distributed attack on one account. The snapshot has, per account, its failures and
 * distinct source IPs, and per offender its top accounts with counts — not a full
 * (account × IP) matrix. So: an offender whose top accounts name this account with a count
 * ≥ the service's brute-force threshold is a single IP that crossed it (its own
 * brute-force alert covers it); allow-listed offenders do not count either. The rule fires
 * when the account's distinct IPs minus those still reach the setting. When no IP crossed
 * the threshold this is exactly "≥ N distinct IPs, none over the threshold"; when one did,
 * the many low-volume IPs behind it are still reported. An IP whose top accounts omit this
 * one (topUsers is bounded) is counted as below threshold.
 */
function distributed(service: ServiceSnapshot, snapshot: Snapshot, settings: DetectionSettings): Finding[] {
  const threshold = settings.rules.distributed.distinctIps;
  const bruteForceThreshold = thresholdFor(settings, service.service);
  const out: Finding[] = [];
  for (const target of service.targetedUsers) {
    if (target.distinctIps < threshold || userAllowed(settings.allowList, target.user)) continue;
    const contributors = service.offenders.filter((offender) =>
      offender.topUsers.some((user) => user.name === target.user),
    );
    const excluded = contributors.filter(
      (offender) =>
        offenderAllowed(settings.allowList, offender) ||
        (offender.topUsers.find((user) => user.name === target.user)?.count ?? 0) >= bruteForceThreshold,
    ).length;
    const belowThreshold = target.distinctIps - excluded;
    if (belowThreshold < threshold) continue;
    const firsts = contributors.map((offender) => offender.firstFailure).sort();
    const lasts = contributors.map((offender) => offender.lastFailure).sort();
    const firstFailure = firsts[0] ?? null;
    const lastFailure = lasts.at(-1) ?? null;
    out.push({
      id: alertId('distributed', service.service, target.user),
      rule: 'distributed',
      service: service.service,
      key: target.user,
      keyKind: 'user',
      techniques: techniques(['T1110', serviceTechnique(settings, service.service)]),
      scoring: {
        kind: 'scored',
        base: 2,
        realAccounts: realAccounts(target),
        highVolume: belowThreshold >= threshold * HIGH_VOLUME_FACTOR,
        internal: contributors.length > 0 && contributors.every((offender) => isInternalIp(offender.ip)),
      },
      failures: target.failures,
      distinctUsers: 1,
      distinctIps: target.distinctIps,
      invalidUserFailures: target.invalidUserFailures,
      topUsers: [{ name: target.user, count: target.failures }],
      hosts: mergeHosts(contributors),
      country: null,
      asn: null,
      success: null,
      internalSource: contributors.length > 0 && contributors.every((offender) => isInternalIp(offender.ip)),
      firstFailure,
      lastFailure,
      threshold,
      windowMs: snapshot.window.ms,
      rate: ratePerMinute(target.failures, firstFailure, lastFailure, snapshot.window.ms),
      summary: joinSummary(
        [count(target.failures, 'failure'), count(target.distinctIps, 'IP')],
        snapshot.window.ms,
      ),
    });
  }
  return out;
}

/** Hosts targeted by the IPs behind a distributed attack (their totals, not per account). */
function mergeHosts(offenders: readonly Offender[]): NamedCount[] {
  const totals = new Map<string, number>();
  for (const offender of offenders) {
    for (const host of offender.hosts) totals.set(host.name, (totals.get(host.name) ?? 0) + host.count);
  }
  return [...totals]
    .map(([name, total]) => ({ name, count: total }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
    .slice(0, 5);
}

function minIso(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return (epoch(a) ?? 0) <= (epoch(b) ?? 0) ? a : b;
}

function maxIso(a: string, b: string): string {
  return (epoch(a) ?? 0) >= (epoch(b) ?? 0) ? a : b;
}

/**
 * One IP seen in both the short and the long (correlation) window: the long window's
 * totals (it contains the short one; the larger figure wins when the long snapshot is up
 * to a minute older), the latest failure of either, the earliest known success.
 */
function mergeSightings(long: Offender, short: Offender): Offender {
  const bigger = long.failures >= short.failures ? long : short;
  return {
    ...bigger,
    firstFailure: minIso(long.firstFailure, short.firstFailure) ?? bigger.firstFailure,
    lastFailure: maxIso(long.lastFailure, short.lastFailure),
    successesAfterFailure: Math.max(long.successesAfterFailure, short.successesAfterFailure),
    ...earliestSuccess(long, short),
  };
}

function earliestSuccess(
  a: Offender,
  b: Offender,
): Pick<Offender, 'firstSuccessAfterFailure' | 'successUser'> {
  const first = minIso(a.firstSuccessAfterFailure, b.firstSuccessAfterFailure);
  const from = first === a.firstSuccessAfterFailure ? a : b;
  return { firstSuccessAfterFailure: first, successUser: from.successUser };
}

/**
 * Success after failures. The correlation window is the long (slow) snapshot when there
 * is one (default 6 h, ≥ the 1 h minimum), merged with the short snapshot so a success is
 * caught on the very poll it appears. The aggregation counts an IP's failures over the
 * whole window, not only those before its first success; an attacker who gets in usually
 * stops failing, so the count is used as "failures before the success".
 */
function successAfterFailure(
  service: string,
  short: ServiceSnapshot | undefined,
  long: ServiceSnapshot | undefined,
  windows: { short: number; long: number | null },
  settings: DetectionSettings,
): Finding[] {
  const needed = settings.rules.successAfterFailure.failures;
  const sightings = new Map<string, { offender: Offender; windowMs: number }>();
  for (const offender of long?.offenders ?? []) {
    sightings.set(offender.ip, { offender, windowMs: windows.long ?? windows.short });
  }
  for (const offender of short?.offenders ?? []) {
    const seen = sightings.get(offender.ip);
    sightings.set(
      offender.ip,
      seen
        ? { offender: mergeSightings(seen.offender, offender), windowMs: seen.windowMs }
        : { offender, windowMs: windows.short },
    );
  }
  const out: Finding[] = [];
  for (const { offender, windowMs } of sightings.values()) {
    if (offender.successesAfterFailure <= 0 || offender.failures < needed) continue;
    if (offenderAllowed(settings.allowList, offender)) continue;
    const at = offender.firstSuccessAfterFailure ?? offender.lastFailure;
    out.push({
      id: alertId('success-after-failure', service, offender.ip),
      rule: 'success-after-failure',
      service,
      ...fromOffender(offender, windowMs),
      techniques: techniques(['T1078', 'T1110', serviceTechnique(settings, service)]),
      scoring: { kind: 'fixed', severity: 'critical' },
      success: { user: offender.successUser, at },
      threshold: needed,
      summary: joinSummary(
        // The cluster counts the IP's failures over the whole window, before and after the
        // success: say "with", not "after", so the summary never overstates the sequence.
        [`success as ${safeName(offender.successUser)} with ${count(offender.failures, 'failure')}`],
        windowMs,
      ),
    });
  }
  return out;
}

function customRules(snapshot: Snapshot, settings: DetectionSettings): Finding[] {
  const out: Finding[] = [];
  for (const result of snapshot.customRules) {
    const rule = settings.customRules.find((candidate) => candidate.name === result.rule);
    if (!rule) continue;
    const service = result.service ?? 'custom';
    const metric = rule.metric.startsWith('distinct:') ? rule.metric.slice('distinct:'.length) : null;
    for (const group of result.groups) {
      if (group.value < rule.threshold) continue;
      const ip = isIp(group.key);
      if (ip ? ipAllowed(settings.allowList, group.key) : userAllowed(settings.allowList, group.key))
        continue;
      const ruleId: RuleId = `custom:${rule.name}`;
      out.push({
        id: alertId(ruleId, service, group.key),
        rule: ruleId,
        service,
        key: group.key,
        keyKind: ip ? 'ip' : 'other',
        techniques: techniques([
          rule.technique,
          result.service ? serviceTechnique(settings, service) : undefined,
        ]),
        scoring: { kind: 'fixed', severity: rule.severity },
        failures: group.count,
        distinctUsers: 0,
        distinctIps: ip ? 1 : 0,
        invalidUserFailures: 0,
        topUsers: [],
        hosts: [],
        country: null,
        asn: null,
        success: null,
        internalSource: ip && isInternalIp(group.key),
        firstFailure: null,
        lastFailure: null,
        threshold: rule.threshold,
        windowMs: result.windowMs,
        rate: ratePerMinute(group.count, null, null, result.windowMs),
        summary: joinSummary(
          metric === null
            ? [count(group.count, 'event')]
            : [`${group.value} distinct ${safeName(metric)}`, count(group.count, 'event')],
          result.windowMs,
        ),
      });
    }
  }
  return out;
}

/** Every enabled rule over the snapshots. Order: by service, then rule (stable, for tests). */
export function evaluate(
  snapshot: Snapshot,
  slow: Snapshot | null,
  settings: DetectionSettings,
  context: RuleContext,
): Finding[] {
  const { rules } = settings;
  const findings: Finding[] = [];
  const names = new Set([
    ...snapshot.services.map((service) => service.service),
    ...(slow?.services.map((service) => service.service) ?? []),
  ]);
  for (const name of names) {
    const short = snapshot.services.find((service) => service.service === name);
    const long = slow?.services.find((service) => service.service === name);
    if (short) {
      if (rules.bruteForce.enabled) findings.push(...bruteForce(short, snapshot, settings));
      if (rules.spraying.enabled) findings.push(...spraying(short, snapshot, settings));
      if (rules.enumeration.enabled) findings.push(...enumeration(short, snapshot, settings));
      if (rules.distributed.enabled) findings.push(...distributed(short, snapshot, settings));
    }
    if (long && slow && rules.slowBruteForce.enabled) {
      findings.push(...slowBruteForce(long, slow, short, settings, context));
    }
    if (rules.successAfterFailure.enabled) {
      const windows = { short: snapshot.window.ms, long: slow?.window.ms ?? null };
      findings.push(...successAfterFailure(name, short, long, windows, settings));
    }
  }
  findings.push(...customRules(snapshot, settings));
  return findings;
}

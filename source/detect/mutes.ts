// Mutes: an analyst silences a source (its IP, or a CIDR) or one alert until a time.
// A muted alert keeps updating; it is only marked (mutedUntil) so the console and Slack
// can stay quiet about it.
import { ipInCidr, parseCidr } from '../core/net.js';
import type { Alert } from './alert.js';

export interface Mute {
  /** Normalised CIDR (`203.0.113.7/32`, `2001:db8::/32`), or null for an alert mute. */
  cidr: string | null;
  /** Alert id, for alerts not keyed by an IP (distributed, custom). */
  alertId: string | null;
  untilMs: number;
}

/** Bound on stored mutes (analyst-made, so small in practice); the soonest to expire go first. */
export const MAX_MUTES = 500;

export function normaliseCidr(text: string): string | undefined {
  const range = parseCidr(text);
  return range ? `${range[0].toString()}/${range[1]}` : undefined;
}

/** The mute that silences an alert by its own key: its IP, or the alert itself. */
export function muteTarget(alert: Alert): Pick<Mute, 'cidr' | 'alertId'> {
  if (alert.keyKind === 'ip') {
    const cidr = normaliseCidr(alert.key);
    if (cidr) return { cidr, alertId: null };
  }
  return { cidr: null, alertId: alert.id };
}

export function covers(mute: Mute, alert: Alert): boolean {
  if (mute.alertId !== null) return mute.alertId === alert.id;
  return mute.cidr !== null && alert.keyKind === 'ip' && ipInCidr(alert.key, mute.cidr);
}

export function ipMuted(mutes: readonly Mute[], ip: string, now: number): boolean {
  return mutes.some((mute) => mute.untilMs > now && mute.cidr !== null && ipInCidr(ip, mute.cidr));
}

export function liveMutes(mutes: readonly Mute[], now: number): readonly Mute[] {
  return mutes.every((mute) => mute.untilMs > now) ? mutes : mutes.filter((mute) => mute.untilMs > now);
}

/** Add or replace (same target) a mute, keeping at most MAX_MUTES. */
export function addMute(mutes: readonly Mute[], mute: Mute): Mute[] {
  const next = mutes.filter((entry) => entry.cidr !== mute.cidr || entry.alertId !== mute.alertId);
  next.push(mute);
  if (next.length > MAX_MUTES) {
    next.sort((a, b) => b.untilMs - a.untilMs);
    next.length = MAX_MUTES;
  }
  return next;
}

export function mutedUntil(mutes: readonly Mute[], alert: Alert): number | null {
  let until: number | null = null;
  for (const mute of mutes) {
    if (covers(mute, alert) && (until === null || mute.untilMs > until)) until = mute.untilMs;
  }
  return until;
}

/** Set every alert's mutedUntil from the live mutes; unchanged alerts keep their identity. */
export function applyMutes(alerts: readonly Alert[], mutes: readonly Mute[]): Alert[] {
  return alerts.map((alert) => {
    const until = mutes.length === 0 ? null : mutedUntil(mutes, alert);
    return until === alert.mutedUntil ? alert : { ...alert, mutedUntil: until };
  });
}

/** The on-disk form of the mutes (see source/config/mute-file.ts): versioned, plain data. */
export interface MuteFile {
  version: 1;
  mutes: Mute[];
}

/** The mutes worth keeping (live ones), as the file stores them. */
export function encodeMutes(mutes: readonly Mute[], now: number): MuteFile {
  return { version: 1, mutes: mutes.filter((mute) => mute.untilMs > now).map((mute) => ({ ...mute })) };
}

/**
 * Reads a mute file written by encodeMutes (or edited by hand): every entry is validated, an
 * entry that is wrong is reported and left out, expired ones are dropped silently.
 */
export function decodeMutes(value: unknown, now: number): { mutes: Mute[]; problems: string[] } {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { mutes?: unknown }).mutes))
    return { mutes: [], problems: ['not a mute file (expected {"version":1,"mutes":[…]})'] };
  let mutes: Mute[] = [];
  (value as { mutes: unknown[] }).mutes.forEach((entry, index) => {
    const item = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const untilMs = item.untilMs;
    if (typeof untilMs !== 'number' || !Number.isFinite(untilMs)) {
      problems.push(`mute ${index + 1}: untilMs must be an epoch time in ms`);
      return;
    }
    if (untilMs <= now) return;
    if (typeof item.cidr === 'string' && item.alertId == null) {
      const cidr = normaliseCidr(item.cidr);
      if (cidr) mutes = addMute(mutes, { cidr, alertId: null, untilMs });
      else problems.push(`mute ${index + 1}: "${item.cidr.slice(0, 60)}" is not an IP or CIDR`);
      return;
    }
    if (typeof item.alertId === 'string' && item.alertId !== '' && item.cidr == null) {
      mutes = addMute(mutes, { cidr: null, alertId: item.alertId, untilMs });
      return;
    }
    problems.push(`mute ${index + 1}: needs either a cidr or an alertId`);
  });
  return { mutes, problems };
}

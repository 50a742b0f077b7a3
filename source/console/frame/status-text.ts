// The connection badge and "updated Ns ago" text of the header, as a pure function of the
// status and the clock (the ticking component calls it once a second).

import type { PollerStatus } from '../../cluster/poller.js';
import { formatAge } from '../../core/duration.js';
import { sanitize } from '../../core/sanitize.js';
import type { Glyphs } from '../draw/glyphs.js';
import type { Coverage } from '../state/coverage.js';

export interface StatusText {
  badge: string;
  tone: 'ok' | 'warn' | 'danger' | 'muted';
  /** "updated 3s ago", or empty before the first poll. */
  age: string;
}

/**
 * A poll is overdue when no answer came within one refresh interval plus this much after
 * the last one (the next poll starts `refreshMs` after the previous answer; a healthy
 * cluster answers in well under a second).
 */
export const OVERDUE_GRACE_MS = 1000;

export function statusText(
  status: PollerStatus,
  updatedAt: number | null,
  now: number,
  glyphs: Glyphs,
  refreshMs = Number.POSITIVE_INFINITY,
  covered: Pick<Coverage, 'nothing' | 'partial'> = { nothing: false, partial: null },
): StatusText {
  const age = updatedAt === null ? '' : `updated ${formatAge(now - updatedAt)}`;
  switch (status.kind) {
    case 'connecting':
      return { badge: `${glyphs.bullet} connecting${glyphs.ascii ? '...' : '…'}`, tone: 'muted', age };
    case 'live': {
      // During a hang the last poll's "LIVE" would stay up until the request timeout:
      // as soon as the next answer is overdue, say that we are waiting, and for how long.
      const due = updatedAt === null ? null : updatedAt + refreshMs;
      if (due !== null && now - due >= OVERDUE_GRACE_MS) {
        const waited = Math.floor((now - due) / 1000);
        return { badge: `${glyphs.cross} waiting for the cluster ${waited}s`, tone: 'warn', age };
      }
      // A poll that matched no index, or lost shards, is not "all clear": say which.
      if (covered.nothing) return { badge: `${glyphs.cross} NO INDICES`, tone: 'danger', age };
      if (covered.partial) {
        const { failed, total } = covered.partial;
        return { badge: `${glyphs.cross} PARTIAL: ${failed} of ${total} shards failed`, tone: 'warn', age };
      }
      return { badge: `${glyphs.bullet} LIVE`, tone: 'ok', age };
    }
    case 'paused':
      return { badge: '|| PAUSED', tone: 'warn', age };
    case 'reconnecting': {
      const wait = Math.max(0, Math.ceil((status.nextTryAt - now) / 1000));
      const stale = updatedAt === null ? '' : ' STALE';
      return {
        badge: `${glyphs.cross} RECONNECTING #${status.attempt}, next try in ${wait}s${stale}`,
        tone: 'danger',
        age,
      };
    }
    case 'error':
      return { badge: `${glyphs.cross} ERROR${updatedAt === null ? '' : ' STALE'}`, tone: 'danger', age };
  }
}

/** The error behind a reconnecting or error state, for the second header line. */
export function statusError(status: PollerStatus): string | undefined {
  if (status.kind === 'reconnecting' || status.kind === 'error') return sanitize(status.error.message);
  return undefined;
}

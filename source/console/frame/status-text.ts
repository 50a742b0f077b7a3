// The connection badge and "updated Ns ago" text of the header, as a pure function of the
// status and the clock (the ticking component calls it once a second).

import type { PollerStatus } from '../../cluster/poller.js';
import { formatAge } from '../../core/duration.js';
import { sanitize } from '../../core/sanitize.js';
import type { Glyphs } from '../draw/glyphs.js';

export interface StatusText {
  badge: string;
  tone: 'ok' | 'warn' | 'danger' | 'muted';
  /** "updated 3s ago", or empty before the first poll. */
  age: string;
}

export function statusText(
  status: PollerStatus,
  updatedAt: number | null,
  now: number,
  glyphs: Glyphs,
): StatusText {
  const age = updatedAt === null ? '' : `updated ${formatAge(now - updatedAt)}`;
  switch (status.kind) {
    case 'connecting':
      return { badge: `${glyphs.bullet} connecting${glyphs.ascii ? '...' : '…'}`, tone: 'muted', age };
    case 'live':
      return { badge: `${glyphs.bullet} LIVE`, tone: 'ok', age };
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

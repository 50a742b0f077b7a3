// What an escalation attempt means to one process now: pending (in flight) → delivered | failed
// | unknown. Pure: a stored record, the observer's clock and identity in, a state out.
//
// Why a pending record is not simply "in flight until its deadline": a create that timed out
// during a cluster hang lands when the cluster resumes, long after its writer reported "not
// sent" and gave up. So a record is created as a `claim` whose deadline is the create's own
// timeout, and its owner sends only after confirming it (`sending`, with a deadline covering
// the delivery) before the claim expired. A claim that lands late is therefore already stale:
// it never blocks anybody, and it is known that nothing was sent.
import { utc } from './message.js';
import type { EscalationState, StoredRecord } from './record.js';

/** Allowance for clocks of different analysts' machines when judging another's deadline. */
export const CLOCK_SKEW_MS = 30_000;

export interface Observer {
  now: number;
  /** The observing escalator's owner id (one per process run). */
  owner: string;
  /** The observer's `os.hostname()`: same machine, same clock, no skew allowance. */
  host: string;
  /** Attempt ids whose delivery this process runs right now. */
  running: ReadonlySet<string>;
}

export interface Judged {
  state: EscalationState;
  /** Why it failed or is unknown, for messages (sanitized by the record parser). */
  reason?: string;
}

/** Skew allowed when judging this record's deadline. */
export function skewFor(record: Pick<StoredRecord, 'host'>, observer: Pick<Observer, 'host'>): number {
  return record.host !== undefined && record.host === observer.host ? 0 : CLOCK_SKEW_MS;
}

export function judgeAttempt(record: StoredRecord, observer: Observer): Judged {
  switch (record.delivery) {
    case 'sent':
      return { state: 'delivered' };
    case 'failed':
      return {
        state: record.deliveryUnknown ? 'unknown' : 'failed',
        ...(record.reason === undefined ? {} : { reason: record.reason }),
      };
    case 'pending': {
      const phase = record.phase ?? 'sending';
      if (record.owner === observer.owner) {
        if (observer.running.has(record.id)) return { state: 'pending' };
        // Ours, but this process is not sending it: a create or confirmation whose answer never
        // came (cluster hang) — then nothing was sent — or a delivery this process lost.
        return phase === 'claim'
          ? { state: 'failed', reason: 'the audit record got no answer in time, so nothing was sent' }
          : { state: 'unknown', reason: 'this console lost track of the delivery: it may have been posted' };
      }
      if (observer.now <= record.deadline + skewFor(record, observer)) return { state: 'pending' };
      return phase === 'claim'
        ? { state: 'failed', reason: `abandoned by ${record.by} before anything was sent` }
        : {
            state: 'unknown',
            reason: `${record.by} started sending at ${utc(record.at)} and never recorded the result (stopped or crashed): it may have been posted`,
          };
    }
  }
}

// Escalation from the console: sends run outside the reducer (they take seconds), report
// back into the store as one dispatch each, and are counted so quitting can wait for them.
// The shared audit index is read after every poll so a colleague's escalation shows here.
// The escalator's warnings (e.g. "escalation index is read-only for you (403): using the
// local audit file") can appear at any time during the session, not only at start: every
// new one is shown once, as it appears.
import { sanitize } from '../core/sanitize.js';
import { describeInFlight, describeUnknown, type Escalator, toEscalationStatus } from '../slack/escalator.js';
import { escalationStateId } from '../slack/record.js';
import { alertList } from './state/selectors.js';
import type { RemoteEscalation } from './state/state.js';
import { type Store, sayTo } from './state/store.js';

export interface Escalations {
  /** The escalator exists once the cluster is connected. */
  attach(escalator: Escalator): void;
  /** `force`: the analyst said to send again after Slack did not answer. */
  escalate(alertId: string, note: string | undefined, force?: boolean): void;
  /** On quit: let sends finish for `graceMs`, then leave every audit record in a final state. */
  close(graceMs: number): Promise<void>;
  /** Read the shared audit index (after each poll); one read at a time. */
  sync(): Promise<void>;
  /** Deliveries still in flight (quitting waits for them). */
  readonly pending: ReadonlySet<Promise<unknown>>;
}

export interface EscalationsOptions {
  store: Store;
  /** Ends syncing when the session ends. */
  lifetime: AbortSignal;
  /** Aborts deliveries when quitting has waited long enough. */
  flushDeadline: AbortSignal;
  now?: () => number;
}

export function createEscalations(options: EscalationsOptions): Escalations {
  const { store, lifetime, flushDeadline } = options;
  const now = options.now ?? Date.now;
  const pending = new Set<Promise<unknown>>();
  let escalator: Escalator | null = null;
  let warningsShown = 0;
  let syncing = false;

  const flash = sayTo(store, now);

  /** New escalator warnings since the last look, as one message. */
  const showNewWarnings = () => {
    if (!escalator || escalator.warnings.length <= warningsShown) return;
    const fresh = escalator.warnings.slice(warningsShown);
    warningsShown = escalator.warnings.length;
    flash(sanitize(fresh.join('; ')), 'warn');
  };

  return {
    pending,
    attach(next) {
      escalator = next;
      showNewWarnings();
    },
    escalate(alertId, note, force = false) {
      const alert = alertList(store.getState()).find((candidate) => candidate.id === alertId);
      if (!alert) return flash('that alert is gone', 'warn');
      if (!escalator) return flash('not connected to the cluster yet: try again in a moment', 'warn');
      const sending = () =>
        store.dispatch({
          type: 'escalation',
          alertId,
          status: { kind: 'sending', since: now() },
          now: now(),
        });
      sending();
      const stateId = escalationStateId(alert);
      const delivery = escalator
        .send(alert, {
          ...(note ? { note } : {}),
          ...(force ? { force } : {}),
          signal: flushDeadline,
          onSending: sending,
          onRetry: (retry) => {
            store.dispatch({ type: 'escalation-retry', alertId, retry, now: now() });
            const wait = retry.retryAfter
              ? `retry in ${Math.ceil(retry.delayMs / 1000)}s`
              : `retry ${retry.attempt}/${retry.max}`;
            flash(`Slack: ${sanitize(retry.reason)}, ${wait}`, 'warn');
          },
        })
        .then((outcome) => {
          const status = toEscalationStatus(outcome, now());
          store.dispatch({ type: 'escalation', alertId, status, now: now(), stateId });
          switch (outcome.kind) {
            case 'delivered':
              flash(
                outcome.resend
                  ? 'Slack: sent again'
                  : outcome.update
                    ? 'Slack: update sent'
                    : 'Slack: escalated',
              );
              return;
            case 'already':
              flash(`already escalated by ${sanitize(outcome.by)}`);
              return;
            case 'in-flight':
              flash(describeInFlight(outcome, now()), 'warn');
              return;
            case 'failed':
              // Proven not posted: sending again is safe, at once.
              flash(`Slack: not delivered: ${sanitize(outcome.reason)}; press e to retry`, 'error');
              return;
            case 'unknown':
              store.dispatch({ type: 'ask-resend', alertId, reason: describeUnknown(outcome), now: now() });
              return;
          }
        })
        .catch((error: unknown) => {
          const reason = sanitize((error as Error)?.message ?? String(error));
          store.dispatch({
            type: 'escalation',
            alertId,
            status: { kind: 'failed', at: now(), reason },
            now: now(),
          });
          flash(`Slack: not delivered: ${reason}; press e to retry`, 'error');
        })
        .finally(showNewWarnings);
      pending.add(delivery);
      void delivery.finally(() => pending.delete(delivery));
    },
    async close(graceMs) {
      await escalator?.close({ graceMs });
    },
    async sync() {
      if (!escalator || syncing || lifetime.aborted) return;
      syncing = true;
      try {
        const records = await escalator.sync({ signal: lifetime });
        const remote = new Map<string, RemoteEscalation>();
        for (const [alertId, record] of records) {
          if (record.delivery !== 'failed') {
            remote.set(alertId, {
              by: record.by,
              at: record.at,
              ...(record.escalationId ? { stateId: record.escalationId } : {}),
            });
          }
        }
        if (!lifetime.aborted) store.dispatch({ type: 'escalations-synced', records: remote, now: now() });
      } catch {
        // The audit index is best effort for display; escalate() itself re-checks before sending.
      } finally {
        syncing = false;
        if (!lifetime.aborted) showNewWarnings();
      }
    },
  };
}

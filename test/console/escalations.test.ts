// The console's escalation runner (12.7): a warning the escalator raises in the middle of the
// session (e.g. "escalation index is read-only for you (403): using the local audit file",
// which it only learns on its first write or read) reaches the screen as it appears, once.
// Before, the console read the escalator's warnings once, at start, and missed it.
// STAND-IN: the escalator here is a scripted object; the real 403 fallback that produces
// this warning is exercised against a secured server in test/slack/escalator-secured.test.ts.
import { describe, expect, it } from 'vitest';
import { selectedAlert } from '../../source/console/state/selectors.js';
import type { Escalator } from '../../source/slack/escalator.js';
import { escalationsOver } from './escalations-fixture.js';
import { polledState, T0 } from './fixtures.js';

function standInEscalator(outcome: Awaited<ReturnType<Escalator['send']>> | null = null) {
  const warnings: string[] = [];
  const sent: { force: boolean }[] = [];
  const escalator: Escalator = {
    configured: true,
    configureHint: 'Slack: configured',
    warnings,
    async send(_alert, options) {
      sent.push({ force: options?.force === true });
      return outcome ?? { kind: 'delivered', at: T0, by: 'me@soc', update: false, resend: false };
    },
    async inspect() {
      return { kind: 'none' } as never;
    },
    async escalate() {
      return { kind: 'sent', at: T0, by: 'me@soc', update: false } as never;
    },
    async close() {},
    async sync() {
      warnings.push('escalation index is read-only for you (403): using the local audit file');
      return new Map();
    },
  };
  return Object.assign(escalator, { sent });
}

describe('escalations in the console', () => {
  it('an unknown outcome asks whether to send again; yes sends with force (12.2)', async () => {
    const { store, escalations } = escalationsOver();
    const escalator = standInEscalator({
      kind: 'unknown',
      at: T0,
      by: 'me@soc',
      reason: 'no answer from Slack within 2s',
      earlier: false,
    });
    escalations.attach(escalator);
    const alert = selectedAlert(store.getState())!;
    escalations.escalate(alert.id, undefined);
    await Promise.all([...escalations.pending]);
    expect(store.getState().overlay).toMatchObject({
      kind: 'escalate',
      alertId: alert.id,
      resend: expect.stringContaining('no answer'),
    });
    escalations.escalate(alert.id, undefined, true);
    await Promise.all([...escalations.pending]);
    expect(escalator.sent).toEqual([{ force: false }, { force: true }]);
  });

  it('a failed send says it is safe to retry at once', async () => {
    const { store, escalations } = escalationsOver();
    escalations.attach(standInEscalator({ kind: 'failed', at: T0, reason: 'Slack refused (500)' }));
    escalations.escalate(selectedAlert(store.getState())!.id, undefined);
    await Promise.all([...escalations.pending]);
    expect(store.getState().flash?.text).toBe('Slack: not delivered: Slack refused (500); press e to retry');
  });

  it('shows an escalator warning raised mid-session, once', async () => {
    const { store, escalations } = escalationsOver(polledState());
    escalations.attach(standInEscalator());
    expect(store.getState().flash).toBeNull();
    await escalations.sync();
    expect(store.getState().flash).toMatchObject({
      tone: 'warn',
      text: 'escalation index is read-only for you (403): using the local audit file',
    });
    store.dispatch({ type: 'flash', text: 'something else', tone: 'info', now: T0 });
    await escalations.sync(); // the stand-in pushes the same text again: a new entry, shown again
    expect(store.getState().flash?.text).toContain('read-only');
  });
});

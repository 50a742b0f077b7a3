// The console's escalation runner (12.7): a warning the escalator raises in the middle of the
// session (e.g. "escalation index is read-only for you (403): using the local audit file",
// which it only learns on its first write or read) reaches the screen as it appears, once.
// Before, the console read the escalator's warnings once, at start, and missed it.
// STAND-IN: the escalator here is a scripted object; the real 403 fallback that produces
// this warning is exercised against a secured server in test/slack/escalator-secured.test.ts.
import { describe, expect, it } from 'vitest';
import { createEscalations } from '../../source/console/escalations.js';
import { createStore } from '../../source/console/state/store.js';
import type { Escalator } from '../../source/slack/escalator.js';
import { polledState, T0 } from './fixtures.js';

function standInEscalator() {
  const warnings: string[] = [];
  const escalator: Escalator = {
    configured: true,
    configureHint: 'Slack: configured',
    warnings,
    async send() {
      return { kind: 'delivered', at: T0, by: 'me@soc', update: false, resend: false };
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
  return escalator;
}

describe('escalations in the console', () => {
  it('shows an escalator warning raised mid-session, once', async () => {
    const store = createStore(polledState());
    const escalations = createEscalations({
      store,
      lifetime: new AbortController().signal,
      flushDeadline: new AbortController().signal,
      now: () => T0,
    });
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

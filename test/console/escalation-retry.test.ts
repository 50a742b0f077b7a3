// C18: while a Slack send waits to retry, the alert's feed state says why and when
// ("rate-limited, retry in 1s", "Slack 500, retry 2/3"); the outcome replaces it.
// Real parts: the escalator and its webhook delivery post over HTTP to a local stand-in for
// Slack that answers 429 (with Retry-After) and 500 on demand; the audit goes to a temp file.
import { describe, expect, it } from 'vitest';
import { UNICODE_GLYPHS } from '../../source/console/draw/glyphs.js';
import { alertStateText, retryText } from '../../source/console/feed/alert-columns.js';
import { reduce } from '../../source/console/state/reduce.js';
import { selectedAlert } from '../../source/console/state/selectors.js';
import { createEscalator } from '../../source/slack/escalator.js';
import { testConfig } from '../support/config.js';
import { setUpSlackStandIn } from '../support/slack-stand-in.js';
import { escalationsOver } from './escalations-fixture.js';
import { feedFocused, polledState, T0 } from './fixtures.js';

const { slack, inDir } = setUpSlackStandIn('soc-watch-retry-');

describe('Slack retry progress in the feed (C18)', () => {
  it('shows "rate-limited, retry in 1s" then "Slack 500, retry 2/3", then the outcome', async () => {
    slack.script = (request) =>
      request.n === 1
        ? { status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } }
        : request.n === 2
          ? { status: 500, body: 'internal_error' }
          : { status: 200, body: 'ok' };
    const { store, escalations } = escalationsOver();
    escalations.attach(
      createEscalator({
        client: null,
        config: testConfig({ slack: { timeoutMs: 2000, retries: 3 } }),
        secrets: { slackWebhookUrl: slack.url },
        analyst: 'alice@jump1',
        auditFile: inDir('escalations.ndjson'),
        delivery: { lateAnswerMs: 2000, backoffBaseMs: 20, backoffCapMs: 50 },
      }),
    );
    const alertId = selectedAlert(store.getState())!.id;
    const shown: string[] = [];
    const messages: string[] = [];
    store.subscribe(() => {
      const alert = selectedAlert(store.getState());
      const text = alert ? alertStateText(alert, store.getState().now, UNICODE_GLYPHS).text : '';
      if (shown.at(-1) !== text) shown.push(text);
      const flash = store.getState().flash?.text ?? '';
      if (messages.at(-1) !== flash) messages.push(flash);
    });
    escalations.escalate(alertId, undefined);
    await Promise.all([...escalations.pending]);
    expect(slack.requests).toHaveLength(3);
    const retries = shown.filter((text) => text.includes('retry'));
    expect(retries).toEqual([
      expect.stringContaining('rate-limited, retry in 1s'),
      expect.stringContaining('Slack 500, retry 2/3'),
    ]);
    expect(shown.at(-1)).toContain('escalated ✓');
    expect(messages).toContain('Slack: rate-limited, retry in 1s');
    expect(messages).toContain('Slack: Slack 500, retry 2/3');
  });

  it('a final failure replaces the retry text with "failed" and "press e to retry"', async () => {
    slack.script = () => ({ status: 503, body: 'service_unavailable' });
    const { store, escalations } = escalationsOver();
    escalations.attach(
      createEscalator({
        client: null,
        config: testConfig({ slack: { timeoutMs: 2000, retries: 1 } }),
        secrets: { slackWebhookUrl: slack.url },
        analyst: 'alice@jump1',
        auditFile: inDir('escalations.ndjson'),
        delivery: { lateAnswerMs: 2000, backoffBaseMs: 20, backoffCapMs: 50 },
      }),
    );
    escalations.escalate(selectedAlert(store.getState())!.id, undefined);
    await Promise.all([...escalations.pending]);
    const alert = selectedAlert(store.getState())!;
    expect(alert.escalation).toMatchObject({ kind: 'failed' });
    expect(alertStateText(alert, T0, UNICODE_GLYPHS).text).not.toContain('retry');
    expect(store.getState().flash?.text).toContain('press e to retry');
  });
});

describe('escalation-retry in the reducer', () => {
  const retry = { attempt: 1, max: 3, reason: 'rate-limited', delayMs: 2000, retryAfter: true };

  it('marks a sending alert, counts down from the console clock, and a late report never undoes an outcome', () => {
    const state = feedFocused(polledState());
    const alertId = selectedAlert(state)!.id;
    const idle = reduce(state, { type: 'escalation-retry', alertId, retry, now: T0 });
    expect(idle).toBe(state);
    const sending = reduce(state, {
      type: 'escalation',
      alertId,
      status: { kind: 'sending', since: T0 },
      now: T0,
    });
    const waiting = reduce(sending, { type: 'escalation-retry', alertId, retry, now: T0 });
    const alert = selectedAlert(waiting)!;
    expect(alertStateText(alert, T0, UNICODE_GLYPHS).text).toBe('rate-limited, retry in 2s');
    expect(alertStateText(alert, T0 + 1200, UNICODE_GLYPHS).text).toBe('rate-limited, retry in 1s');
    const sent = reduce(waiting, {
      type: 'escalation',
      alertId,
      status: { kind: 'sent', at: T0 + 3000, by: 'me@soc', update: false },
      now: T0 + 3000,
    });
    expect(alertStateText(selectedAlert(sent)!, T0 + 3000, UNICODE_GLYPHS).text).not.toContain('retry');
    const late = reduce(sent, { type: 'escalation-retry', alertId, retry, now: T0 + 3000 });
    expect(late).toBe(sent);
  });

  it('without Retry-After says which retry of how many', () => {
    expect(
      retryText({ attempt: 2, max: 3, reason: 'Slack 500', delayMs: 900, retryAfter: false, at: T0 }, T0),
    ).toBe('Slack 500, retry 2/3');
  });
});

// The escalator without a cluster (local audit file) against the Slack stand-in: keypresses,
// retries, "never twice", the audit file, and the URL never leaking.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../source/config/types.js';
import { defaultAuditFile } from '../../source/slack/audit-file.js';
import { createEscalator, type EscalatorOptions, NOT_CONFIGURED_HINT } from '../../source/slack/escalator.js';
import { escalationStateId } from '../../source/slack/record.js';
import { testConfig } from '../support/config.js';
import { setUpSlackStandIn } from '../support/slack-stand-in.js';
import { successAfterFailureAlert, testAlert } from './support/alert.js';

const { slack, inDir } = setUpSlackStandIn('soc-watch-escalator-');
let auditFile: string;
const config: Config = testConfig({ slack: { timeoutMs: 300, retries: 2 } });
// A generous grace for the answer: on a loaded machine a local round trip can take over a second.
const delivery = { lateAnswerMs: 4000, backoffBaseMs: 20, backoffCapMs: 100 };

beforeEach(() => {
  auditFile = inDir('data', 'escalations.ndjson');
});

function escalator(overrides: Partial<EscalatorOptions> = {}) {
  return createEscalator({
    client: null,
    config,
    secrets: { slackWebhookUrl: slack.url },
    analyst: 'alice@jump1',
    auditFile,
    delivery,
    ...overrides,
  });
}

function headerOf(n: number): string {
  const json = slack.requests[n]!.json as { blocks: { text: { text: string } }[] };
  return json.blocks[0]!.text.text;
}

describe('escalator (local audit file)', () => {
  it('pressing e twice sends one message; pressing it again says already escalated', async () => {
    const esc = escalator();
    const alert = successAfterFailureAlert();
    let sending = 0;
    const first = esc.escalate(alert, { onSending: () => sending++ });
    const second = esc.escalate(alert, { onSending: () => sending++ });
    expect(second).toBe(first);
    const status = await first;
    expect(status).toMatchObject({ kind: 'sent', by: 'alice@jump1', update: false });
    expect(sending).toBe(1);
    expect(await esc.escalate(alert)).toMatchObject({ kind: 'already', by: 'alice@jump1' });
    expect(slack.requests).toHaveLength(1);
    const records = await esc.sync();
    expect(records.get(alert.id)).toMatchObject({
      alertId: alert.id,
      delivery: 'sent',
      by: 'alice@jump1',
      failures: 37,
      rule: 'success-after-failure',
    });
    expect(esc.warnings.join('\n')).toContain('no cluster connection');
  });

  it('a grown alert is escalated again and says "update"', async () => {
    const esc = escalator();
    expect(await esc.escalate(testAlert({ failures: 50 }))).toMatchObject({ kind: 'sent', update: false });
    expect(await esc.escalate(testAlert({ failures: 60 }))).toMatchObject({ kind: 'already' });
    expect(await esc.escalate(testAlert({ failures: 5000 }))).toMatchObject({ kind: 'sent', update: true });
    expect(slack.requests).toHaveLength(2);
    expect(headerOf(0)).not.toContain('UPDATE');
    expect(headerOf(1)).toContain('UPDATE');
  });

  it('a failed delivery is retried by the next escalate(), as a new attempt', async () => {
    slack.script = (request) => (request.n === 1 ? { status: 404, body: 'no_service' } : { status: 200 });
    const esc = escalator();
    const alert = testAlert();
    const failed = await esc.escalate(alert);
    expect(failed).toMatchObject({ kind: 'failed' });
    expect(failed.kind === 'failed' && failed.reason).toContain('no_service');
    const retried = await esc.escalate(alert);
    expect(retried).toMatchObject({ kind: 'sent' });
    expect(slack.requests).toHaveLength(2);
    expect((await esc.sync()).get(alert.id)).toMatchObject({
      id: `${escalationStateId(alert)}.1`,
      delivery: 'sent',
    });
    // Nothing in the re-sent message claims a possible duplicate: the 404 proved the first was not posted.
    expect(slack.requests[1]!.body).not.toContain('Re-sent');
  });

  it('a timeout whose request arrived is unknown: not re-sent without force; a forced retry says it is a re-send', async () => {
    slack.script = (request) => (request.n === 1 ? 'hang' : { status: 200 });
    const esc = escalator();
    const alert = testAlert();
    const first = await esc.send(alert);
    expect(first).toMatchObject({ kind: 'unknown', earlier: false, by: 'alice@jump1' });
    expect(first.kind === 'unknown' && first.reason).toContain('may or may not have been posted');
    expect(slack.requests).toHaveLength(1); // no automatic second message
    expect((await esc.sync()).get(alert.id)).toMatchObject({
      delivery: 'failed',
      deliveryUnknown: true,
      state: 'unknown',
    });
    // Pressing e again (or a colleague) does not resend on its own: it asks.
    expect(await esc.inspect(alert)).toMatchObject({ kind: 'unknown', earlier: true, by: 'alice@jump1' });
    expect(await esc.send(alert)).toMatchObject({ kind: 'unknown', earlier: true });
    const status = await esc.escalate(alert);
    expect(status).toMatchObject({ kind: 'failed' });
    expect(status.kind === 'failed' && status.reason).toContain('may have been posted');
    expect(slack.requests).toHaveLength(1);
    expect(await esc.send(alert, { force: true })).toMatchObject({ kind: 'delivered', resend: true });
    expect(slack.requests).toHaveLength(2);
    expect(slack.requests[1]!.body).toContain('Re-sent: an attempt by alice@jump1');
    expect(await esc.send(alert, { force: true })).toMatchObject({ kind: 'already', by: 'alice@jump1' });
    expect(slack.requests).toHaveLength(2);
  });

  it('a late answer within the grace period is one message, escalated', async () => {
    slack.script = () => ({ status: 200, delayMs: 450 });
    const esc = escalator({ delivery: { ...delivery, lateAnswerMs: 3000 } });
    expect(await esc.escalate(testAlert())).toMatchObject({ kind: 'sent' });
    expect(slack.requests).toHaveLength(1);
  });

  it('two consoles of one user on one machine still send once', async () => {
    slack.script = () => ({ status: 200, delayMs: 50 });
    const a = escalator({ analyst: 'alice@jump1' });
    const b = escalator({ analyst: 'alice@jump1' });
    const outcomes = await Promise.all([a.send(testAlert()), b.send(testAlert())]);
    const kinds = outcomes.map((outcome) => outcome.kind).sort();
    // The second sees the first in flight (or, if it was quick, already delivered).
    expect([
      ['delivered', 'in-flight'],
      ['already', 'delivered'],
    ]).toContainEqual(kinds);
    expect(slack.requests).toHaveLength(1);
  });

  it('keeps the audit file private and the webhook URL out of everything', async () => {
    slack.script = (request) =>
      request.n === 1 ? { status: 400, body: `invalid_blocks for ${slack.url}` } : { status: 200 };
    const esc = escalator();
    const statuses = [await esc.escalate(testAlert()), await esc.escalate(testAlert())];
    const info = await stat(auditFile);
    expect(info.mode & 0o777).toBe(0o600);
    const text = await readFile(auditFile, 'utf8');
    const everything = [
      text,
      JSON.stringify(statuses),
      JSON.stringify([...(await esc.sync()).values()]),
      ...esc.warnings,
    ];
    const token = slack.secretPath.split('/').pop()!;
    for (const item of everything) {
      expect(item).not.toContain(token);
      expect(item).not.toContain(slack.secretPath);
    }
    expect(text.trim().split('\n').length).toBeGreaterThanOrEqual(4); // pending+failed, pending+sent
  });

  it('without a webhook URL it says how to configure one and sends nothing', async () => {
    const esc = escalator({ secrets: {} });
    expect(esc.configured).toBe(false);
    expect(esc.configureHint).toBe(NOT_CONFIGURED_HINT);
    expect(await esc.escalate(testAlert())).toMatchObject({ kind: 'failed', reason: NOT_CONFIGURED_HINT });
    expect(slack.requests).toHaveLength(0);
  });

  it('reads the URL from slack.webhookUrlFile when the environment has none', async () => {
    const { writeFile } = await import('node:fs/promises');
    const file = inDir('webhook');
    await writeFile(file, `${slack.url}\n`, { mode: 0o600 });
    const esc = escalator({
      secrets: {},
      config: { ...config, slack: { ...config.slack, webhookUrlFile: file } },
    });
    expect(esc.configured).toBe(true);
    expect(esc.configureHint).toBe('Slack: configured');
    expect(await esc.escalate(testAlert())).toMatchObject({ kind: 'sent' });
  });
});

describe('where the local audit file lives', () => {
  it('beside the config when SOC_WATCH_CONFIG_DIR overrides it, else in the data directory', () => {
    expect(defaultAuditFile({ SOC_WATCH_CONFIG_DIR: '/srv/team-b/soc-watch' })).toBe(
      '/srv/team-b/soc-watch/escalations.ndjson',
    );
    expect(defaultAuditFile({ SOC_WATCH_CONFIG_DIR: 'rel/dir' })).toBe(
      path.resolve('rel/dir/escalations.ndjson'),
    );
    const fallback = defaultAuditFile({});
    expect(fallback.endsWith(path.join('soc-watch', 'escalations.ndjson'))).toBe(true);
    expect(fallback).not.toContain('team-b');
  });

  it('a fresh SOC_WATCH_CONFIG_DIR starts with no escalation history of another setup', async () => {
    const saved = process.env.SOC_WATCH_CONFIG_DIR;
    const setups = [inDir('setup-a'), inDir('setup-b')];
    try {
      process.env.SOC_WATCH_CONFIG_DIR = setups[0];
      const first = createEscalator({
        client: null,
        config,
        secrets: { slackWebhookUrl: slack.url },
        delivery,
      });
      expect(await first.escalate(testAlert())).toMatchObject({ kind: 'sent' });
      expect((await readFile(path.join(setups[0]!, 'escalations.ndjson'), 'utf8')).length).toBeGreaterThan(0);
      process.env.SOC_WATCH_CONFIG_DIR = setups[1];
      const second = createEscalator({
        client: null,
        config,
        secrets: { slackWebhookUrl: slack.url },
        delivery,
      });
      expect((await second.sync()).size).toBe(0);
      expect(second.warnings.join('\n')).toContain(path.join(setups[1]!, 'escalations.ndjson'));
    } finally {
      if (saved === undefined) delete process.env.SOC_WATCH_CONFIG_DIR;
      else process.env.SOC_WATCH_CONFIG_DIR = saved;
    }
  });
});

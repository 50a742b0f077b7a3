// Issue: "no answer from Slack" and retries. A webhook has no idempotency key, so a retry after
// a timeout can post twice (seen: a receiver answering after 10 s, slack.timeout 2s, `once
// --escalate` twice → 2 posts). Now such a delivery is `unknown`: `once --escalate` exits 3
// and refuses to send it again without `--force`. And quitting during a slow send leaves the
// record in a final state. Real clusters (the shared ones), the Slack stand-in as receiver.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createClusterClient } from '../../source/cluster/client.js';
import type { BackendKind } from '../../source/cluster/types.js';
import { escalateFromCli, findAlert, liveAlerts } from '../../source/commands/escalate.js';
import type { Config } from '../../source/config/types.js';
import { createEscalator } from '../../source/slack/escalator.js';
import { escalationStateId } from '../../source/slack/record.js';
import { commandContext } from '../support/command-context.js';
import { testConfig } from '../support/config.js';
import { deleteIndices, seedIndex } from '../support/seed.js';
import { setUpSlackStandIn } from '../support/slack-stand-in.js';
import { attackDocs } from './support/attack-docs.js';

const ATTACKER = '203.0.113.77';
const SPEC = `brute-force:ssh:${ATTACKER}`;

describe.each([
  { kind: 'elasticsearch' as BackendKind, url: () => inject('esUrl') },
  { kind: 'opensearch' as BackendKind, url: () => inject('opensearchUrl') },
])('Slack did not answer, on $kind', ({ kind, url }) => {
  const logs = `test-unknown-logs-${randomUUID().slice(0, 8)}`;
  let escalations: string;
  const { slack, inDir } = setUpSlackStandIn('soc-watch-unknown-');
  let config: Config;

  beforeAll(async () => {
    await seedIndex(url(), kind, logs, attackDocs(ATTACKER, Date.now(), { users: ['root'], success: false }));
  });
  afterAll(async () => {
    await deleteIndices(url(), [logs]);
  });
  beforeEach(async () => {
    escalations = `test-unknown-esc-${randomUUID().slice(0, 8)}`;
    // Slack timeout 0.5 s, plus the default grace for a late answer (2 × timeout): 1.5 s.
    config = testConfig({
      nodes: [url()],
      indexPattern: logs,
      escalationIndex: escalations,
      // Generous: this machine may be loaded; the cluster is not what is under test here.
      requestTimeoutMs: 30_000,
      slack: { timeoutMs: 500, retries: 2 },
    });
  });
  afterEach(async () => {
    await deleteIndices(url(), [escalations]);
    await fetch(`${url()}/_index_template/${escalations}`, { method: 'DELETE' });
  });

  it('a slow receiver is "unknown": a second run refuses without --force; --force posts again', async () => {
    // Answers after 4 s: longer than the timeout and its grace. It did receive (post) it.
    slack.script = () => ({ status: 200, delayMs: 4000 });
    const first = commandContext(config, { slackWebhookUrl: slack.url });
    expect({ code: await escalateFromCli(first.ctx, SPEC), ...first.output() }).toMatchObject({ code: 3 });
    expect(first.output().stdout).toBe('');
    expect(first.output().stderr).toMatch(/Slack did not answer: it may have been posted/);
    expect(first.output().stderr).toContain('--force');
    expect(slack.requests).toHaveLength(1);

    slack.script = () => ({ status: 200 });
    const second = commandContext(config, { slackWebhookUrl: slack.url });
    expect(await escalateFromCli(second.ctx, SPEC)).toBe(3);
    expect(second.output().stdout).toBe('');
    expect(second.output().stderr).toMatch(/an earlier attempt by .+ may have been posted .*not sent again/);
    expect(slack.requests).toHaveLength(1); // retries are not automatic after no answer

    const forced = commandContext(config, { slackWebhookUrl: slack.url }, { force: true });
    expect(await escalateFromCli(forced.ctx, SPEC)).toBe(0);
    expect(forced.output().stdout).toMatch(
      /✓ escalated brute-force ssh .+\(re-sent after an unanswered attempt\)/,
    );
    expect(slack.requests).toHaveLength(2);
    expect(slack.requests[1]!.body).toContain('Re-sent: an attempt by');

    const after = commandContext(config, { slackWebhookUrl: slack.url });
    expect(await escalateFromCli(after.ctx, SPEC)).toBe(0);
    expect(after.output().stdout).toMatch(/already escalated by .+: not sent again/);
    expect(slack.requests).toHaveLength(2);
  });

  it('quitting during a slow send leaves the record final (unknown), never pending', async () => {
    slack.script = () => 'hang';
    const client = await createClusterClient(config, {});
    try {
      const found = findAlert(await liveAlerts(client, config), { rule: 'brute-force', key: ATTACKER });
      if (!found.ok) throw new Error(found.error);
      const escalator = createEscalator({
        client,
        config: { ...config, slack: { timeoutMs: 20_000, retries: 0 } },
        secrets: { slackWebhookUrl: slack.url },
        analyst: 'alice@jump1',
        auditFile: inDir('a.ndjson'),
      });
      let sending!: () => void;
      const started = new Promise<void>((resolve) => {
        sending = resolve;
      });
      const outcome = escalator.send(found.alert, { onSending: () => sending() });
      await started;
      while (slack.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await escalator.close({ graceMs: 200 });
      expect(await outcome).toMatchObject({ kind: 'unknown', earlier: false });
      const stored = await client.getDocument(escalations, escalationStateId(found.alert));
      expect(stored).toMatchObject({ delivery: 'failed', deliveryUnknown: true });
      // After close(), nothing new is sent.
      expect(await escalator.send(found.alert, { force: true })).toMatchObject({ kind: 'failed' });
      expect(slack.requests).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});

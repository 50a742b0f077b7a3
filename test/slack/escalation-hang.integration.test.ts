// Issue: an escalation was lost after a cluster hang. The audit record's create timed out while
// Elasticsearch was stopped (SIGSTOP), the console said "not delivered", and on SIGCONT the
// create landed after all as a 'pending' record with a 300 s deadline: every console and
// `once --escalate` then said "already escalated" (exit 0) while Slack had received nothing.
// Against a REAL Elasticsearch leased for this file (the run's fault-drill server; the shared
// servers are never stopped), and the Slack stand-in (a real local HTTP server).
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClusterClient } from '../../source/cluster/client.js';
import type { ClusterClient } from '../../source/cluster/types.js';
import { escalateFromCli, findAlert, liveAlerts } from '../../source/commands/escalate.js';
import type { Config } from '../../source/config/types.js';
import type { Alert } from '../../source/detect/alert.js';
import { createEscalator } from '../../source/slack/escalator.js';
import { escalationStateId } from '../../source/slack/record.js';
import { commandContext } from '../support/command-context.js';
import { testConfig } from '../support/config.js';
import { type FaultEngine, leaseFaultEngine } from '../support/fault-engine.js';
import { seedIndex } from '../support/seed.js';
import { setUpSlackStandIn } from '../support/slack-stand-in.js';
import { attackDocs } from './support/attack-docs.js';
import { hangEngine } from './support/engine-process.js';

const ATTACKER = '203.0.113.66';

describe('escalation across a cluster hang (own Elasticsearch, SIGSTOP/SIGCONT)', () => {
  let engine: FaultEngine;
  const { slack, inDir } = setUpSlackStandIn('soc-watch-hang-');
  /** For setup and the CLI runs: generous, the machine may be loaded. */
  let config: Config;
  /** For the console that escalates during the hang: its audit write times out after 4 s. */
  let hungConfig: Config;
  let client: ClusterClient;
  let hungClient: ClusterClient;
  let resume: (() => void) | undefined;
  const logs = `test-hang-logs-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    // The run's plain fault-drill server (test/support/fault-engine.ts), leased for this file.
    engine = await leaseFaultEngine('plain');
    await seedIndex(engine.url, 'elasticsearch', logs, attackDocs(ATTACKER, Date.now()));
  }, 900_000);
  afterAll(async () => {
    resume?.();
    await engine?.release();
  }, 120_000);
  beforeEach(async () => {
    config = testConfig({
      nodes: [engine.url],
      indexPattern: logs,
      escalationIndex: `test-hang-escalations-${randomUUID().slice(0, 8)}`,
      requestTimeoutMs: 60_000,
      slack: { timeoutMs: 5000, retries: 0 },
    });
    hungConfig = { ...config, requestTimeoutMs: 4000 };
    client = await createClusterClient(config, {});
    hungClient = await createClusterClient(hungConfig, {});
  });
  afterEach(async () => {
    resume?.();
    await client.close();
    await hungClient.close();
  });

  async function alertFor(rule: string): Promise<Alert> {
    const found = findAlert(await liveAlerts(client, config), { rule, service: 'ssh', key: ATTACKER });
    if (!found.ok) throw new Error(found.error);
    return found.alert;
  }

  /** Escalate while the server is stopped; resume it; wait until the late create has landed. */
  async function escalateDuringHang(alert: Alert) {
    const console1 = createEscalator({
      client: hungClient,
      config: hungConfig,
      secrets: { slackWebhookUrl: slack.url },
      analyst: 'alice@jump1',
      auditFile: inDir('alice.ndjson'),
    });
    resume = hangEngine(engine);
    const during = await console1.send(alert);
    expect(during).toMatchObject({ kind: 'failed' });
    expect(during.kind === 'failed' && during.reason).toMatch(/could not record the escalation .*not sent/);
    resume();
    // The precondition of the bug: the create that timed out lands after all.
    const id = escalationStateId(alert);
    // Generous: cheap polling, and a thawed server on a loaded machine may take a while.
    const deadline = Date.now() + 180_000;
    let landed: Record<string, unknown> | null = null;
    while (!landed && Date.now() < deadline) {
      landed = await client.getDocument(config.escalationIndex, id).catch(() => null);
      if (!landed) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(landed).toMatchObject({ delivery: 'pending', by: 'alice@jump1' });
    expect(slack.requests).toHaveLength(0);
    return console1;
  }

  it('a new process escalating after the hang posts exactly once; the console that failed then sees it delivered', async () => {
    const alert = await alertFor('brute-force');
    const console1 = await escalateDuringHang(alert);

    // Nobody is shown "already escalated" by the stale record.
    const other = createEscalator({
      client,
      config,
      secrets: { slackWebhookUrl: slack.url },
      analyst: 'bob@jump2',
      auditFile: inDir('bob.ndjson'),
    });
    await client.refresh(config.escalationIndex);
    expect((await other.sync()).get(alert.id)).toMatchObject({ state: 'failed', delivery: 'failed' });
    expect(await other.inspect(alert)).toMatchObject({ kind: 'failed' });

    const run = commandContext(config, { slackWebhookUrl: slack.url });
    expect(await escalateFromCli(run.ctx, `brute-force:ssh:${ATTACKER}`)).toBe(0);
    expect(run.output().stdout).toMatch(/✓ escalated brute-force ssh 203\.0\.113\.66 to Slack/);
    expect(slack.requests).toHaveLength(1);
    // Not a re-send: the stale claim proves nothing was posted.
    expect(slack.requests[0]!.body).not.toContain('Re-sent');

    expect(await console1.send(alert)).toMatchObject({ kind: 'already' });
    const again = commandContext(config, { slackWebhookUrl: slack.url });
    expect(await escalateFromCli(again.ctx, `brute-force:ssh:${ATTACKER}`)).toBe(0);
    expect(again.output().stdout).toMatch(/already escalated by .+: not sent again/);
    expect(slack.requests).toHaveLength(1);
  });

  it('the console that saw the failure retries at once after the hang: exactly one post', async () => {
    const alert = await alertFor('success-after-failure');
    const console1 = await escalateDuringHang(alert);
    expect((await console1.sync()).get(alert.id)).toMatchObject({ state: 'failed' });
    expect(await console1.send(alert)).toMatchObject({ kind: 'delivered', by: 'alice@jump1', resend: false });
    expect(slack.requests).toHaveLength(1);
    const run = commandContext(config, { slackWebhookUrl: slack.url });
    expect(await escalateFromCli(run.ctx, `success-after-failure:ssh:${ATTACKER}`)).toBe(0);
    expect(run.output().stdout).toMatch(/already escalated by alice@jump1/);
    expect(slack.requests).toHaveLength(1);
  });
});

// `soc-watch once --escalate …` end to end against the real clusters: seeded sshd events →
// snapshot → detector → the named alert → Slack stand-in, with the same dedupe as the console.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { BackendKind } from '../../source/cluster/types.js';
import { escalateFromCli } from '../../source/commands/escalate.js';
import type { Config, Secrets } from '../../source/config/types.js';
import { commandContext } from '../support/command-context.js';
import { testConfig } from '../support/config.js';
import { deleteIndices, seedIndex } from '../support/seed.js';
import { setUpSlackStandIn } from '../support/slack-stand-in.js';
import { attackDocs } from './support/attack-docs.js';

const ATTACKER = '203.0.113.50';

describe.each([
  { kind: 'elasticsearch' as BackendKind, url: () => inject('esUrl') },
  { kind: 'opensearch' as BackendKind, url: () => inject('opensearchUrl') },
])('once --escalate on $kind', ({ kind, url }) => {
  const prefix = `test-escalate-cli-${randomUUID().slice(0, 8)}`;
  const logs = `${prefix}-logs`;
  let escalations: string;
  const { slack } = setUpSlackStandIn();
  let config: Config;
  let secrets: Secrets;

  beforeAll(async () => {
    await seedIndex(url(), kind, logs, attackDocs(ATTACKER, Date.now()));
  });
  afterAll(async () => {
    await deleteIndices(url(), [logs]);
  });
  beforeEach(() => {
    escalations = `${prefix}-esc-${randomUUID().slice(0, 4)}`;
    config = testConfig({
      nodes: [url()],
      indexPattern: logs,
      escalationIndex: escalations,
      slack: { timeoutMs: 2000, retries: 1 },
    });
    secrets = { slackWebhookUrl: slack.url };
  });
  afterEach(async () => {
    await deleteIndices(url(), [escalations]);
    await fetch(`${url()}/_index_template/${escalations}`, { method: 'DELETE' });
  });

  it('escalates the named alert once; a second run says already escalated', async () => {
    const first = commandContext(config, secrets, { note: 'from the nightly script' });
    expect(await escalateFromCli(first.ctx, `success-after-failure:ssh:${ATTACKER}`)).toBe(0);
    expect(first.output().stdout).toMatch(/✓ escalated success-after-failure ssh 203\.0\.113\.50 to Slack/);
    expect(slack.requests).toHaveLength(1);
    const body = slack.requests[0]!.body;
    expect(body).toContain('deploy');
    expect(body).toContain('from the nightly script');

    const second = commandContext(config, secrets);
    expect(await escalateFromCli(second.ctx, `success-after-failure:${ATTACKER}`)).toBe(0);
    expect(second.output().stdout).toMatch(/already escalated by .+@.+ \d+s ago/);
    expect(slack.requests).toHaveLength(1);
  });

  it('a missing alert exits 1 and lists the live ones; a malformed spec exits 2', async () => {
    const missing = commandContext(config, secrets);
    expect(await escalateFromCli(missing.ctx, 'brute-force:ssh:192.0.2.99')).toBe(1);
    expect(missing.output().stderr).toContain('no such alert');
    expect(missing.output().stderr).toContain(`brute-force:ssh:${ATTACKER}`);
    const malformed = commandContext(config, secrets);
    expect(await escalateFromCli(malformed.ctx, 'bruteforce:ssh:1.2.3.4')).toBe(2);
    expect(malformed.output().stderr).toContain('unknown rule');
    expect(slack.requests).toHaveLength(0);
  });

  it('without a webhook URL exits 1 with how to configure it', async () => {
    const run = commandContext(config, {});
    expect(await escalateFromCli(run.ctx, `brute-force:ssh:${ATTACKER}`)).toBe(1);
    expect(run.output().stderr).toContain('SLACK_WEBHOOK_URL');
  });
});

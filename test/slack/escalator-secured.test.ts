// 403 on the escalation index, from a REAL secured Elasticsearch (file-realm users; the run's
// secured fault-drill server, test/support/fault-engine.ts): a read-only analyst still
// escalates, through the local audit file, and still sees (and respects) what colleagues
// escalated in the cluster.
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterClient } from '../../source/cluster/client.js';
import type { ClusterClient } from '../../source/cluster/types.js';
import type { Config, Secrets } from '../../source/config/types.js';
import { createEscalator } from '../../source/slack/escalator.js';
import { testConfig } from '../support/config.js';
import { type FaultEngine, leaseFaultEngine, SECURED_USERS } from '../support/fault-engine.js';
import { setUpSlackStandIn } from '../support/slack-stand-in.js';
import { testAlert } from './support/alert.js';

const users = { admin: SECURED_USERS.admin, viewer: SECURED_USERS.viewer };

describe('read-only analyst on a secured Elasticsearch', () => {
  let engine: FaultEngine;
  const { slack, inDir } = setUpSlackStandIn('soc-watch-secured-', 'all');
  const index = `test-escalations-secured-${randomUUID().slice(0, 8)}`;
  const clients: ClusterClient[] = [];

  const login = async (user: {
    name: string;
    password: string;
  }): Promise<[ClusterClient, Config, Secrets]> => {
    const config = testConfig({
      nodes: [engine.url],
      // Explicit: auto-detection reads /_nodes/_local on this distribution, which a viewer may not.
      backend: 'elasticsearch',
      auth: { mode: 'basic', username: user.name },
      escalationIndex: index,
      slack: { timeoutMs: 500, retries: 1 },
    });
    const secrets: Secrets = { password: user.password, slackWebhookUrl: slack.url };
    const client = await createClusterClient(config, secrets);
    clients.push(client);
    return [client, config, secrets];
  };

  beforeAll(async () => {
    // The run's secured fault-drill server (test/support/fault-engine.ts), leased for this file.
    engine = await leaseFaultEngine('secured');
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await engine?.release();
  });

  it('falls back to the local audit file with one warning, and still dedupes', async () => {
    const [adminClient, adminConfig, adminSecrets] = await login(users.admin);
    const alice = createEscalator({
      client: adminClient,
      config: adminConfig,
      secrets: adminSecrets,
      analyst: 'alice@jump1',
      auditFile: inDir('alice.ndjson'),
    });
    const [viewerClient, viewerConfig, viewerSecrets] = await login(users.viewer);
    const auditFile = inDir('viewer', 'escalations.ndjson');
    const victor = createEscalator({
      client: viewerClient,
      config: viewerConfig,
      secrets: viewerSecrets,
      analyst: 'victor@jump9',
      auditFile,
    });

    // Alice (may write) escalates A in the cluster.
    const alertA = testAlert({ key: '203.0.113.10' });
    expect(await alice.escalate(alertA)).toMatchObject({ kind: 'sent', by: 'alice@jump1' });
    await adminClient.refresh(index);

    // Victor (read-only) cannot write the index, but reads it: A is already escalated.
    expect(await victor.escalate(alertA)).toMatchObject({ kind: 'already', by: 'alice@jump1' });
    expect(slack.requests).toHaveLength(1);

    // B: the create is refused (403) → local file, sent once, warning once.
    const alertB = testAlert({ key: '203.0.113.11' });
    expect(await victor.escalate(alertB)).toMatchObject({ kind: 'sent', by: 'victor@jump9' });
    expect(await victor.escalate(alertB)).toMatchObject({ kind: 'already', by: 'victor@jump9' });
    expect(slack.requests).toHaveLength(2);
    const fallback = victor.warnings.filter((warning) => warning.includes('read-only'));
    expect(fallback).toHaveLength(1);
    expect(fallback[0]).toContain(auditFile);

    expect((await stat(auditFile)).mode & 0o777).toBe(0o600);
    const lines = (await readFile(auditFile, 'utf8')).trim().split('\n');
    // claim, confirmed as sending, delivered: the last line per id wins.
    expect(lines.map((line) => JSON.parse(line).alertId)).toEqual([alertB.id, alertB.id, alertB.id]);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ delivery: 'sent', by: 'victor@jump9' });

    // Victor's console shows both: A from the cluster, B from the local file.
    const seen = await victor.sync();
    expect(seen.get(alertA.id)).toMatchObject({ by: 'alice@jump1', delivery: 'sent' });
    expect(seen.get(alertB.id)).toMatchObject({ by: 'victor@jump9', delivery: 'sent' });
    // The cluster holds no record of B (it could not be written there).
    expect((await alice.sync()).has(alertB.id)).toBe(false);
  });
});

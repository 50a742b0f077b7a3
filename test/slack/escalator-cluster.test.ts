// Team safety against the REAL Elasticsearch and OpenSearch: two analysts' escalators share
// one escalation index; a create with the deterministic id decides who sends.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createClusterClient } from '../../source/cluster/client.js';
import type { ClusterClient } from '../../source/cluster/types.js';
import type { Config } from '../../source/config/types.js';
import type { Alert } from '../../source/detect/alert.js';
import {
  CLOCK_SKEW_MS,
  createEscalator,
  type EscalationOutcome,
  type EscalatorOptions,
} from '../../source/slack/escalator.js';
import { escalationStateId, type StoredRecord, toDocument } from '../../source/slack/record.js';
import { testConfig } from '../support/config.js';
import { refusedPort, setUpSlackStandIn } from '../support/slack-stand-in.js';
import { successAfterFailureAlert, testAlert } from './support/alert.js';

const delivery = { lateAnswerMs: 3000, backoffBaseMs: 20, backoffCapMs: 100 };

async function deleteIndexAndTemplate(url: string, index: string) {
  await fetch(`${url}/${index}`, { method: 'DELETE' });
  await fetch(`${url}/_index_template/${index}`, { method: 'DELETE' });
}

describe.each([
  ['Elasticsearch', () => inject('esUrl')],
  ['OpenSearch', () => inject('opensearchUrl')],
])('escalation audit index on %s', (_name, urlOf) => {
  let url: string;
  let index: string;
  let config: Config;
  const { slack, inDir } = setUpSlackStandIn('soc-watch-escalations-');
  const clients: ClusterClient[] = [];

  beforeAll(() => {
    url = urlOf();
  });
  beforeEach(async () => {
    index = `test-escalations-${randomUUID().slice(0, 8)}`;
    config = testConfig({ nodes: [url], escalationIndex: index, slack: { timeoutMs: 300, retries: 2 } });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await deleteIndexAndTemplate(url, index);
  });

  async function analyst(name: string, overrides: Partial<EscalatorOptions> = {}) {
    const client = await createClusterClient(config, {});
    clients.push(client);
    return {
      client,
      escalator: createEscalator({
        client,
        config,
        secrets: { slackWebhookUrl: slack.url },
        analyst: name,
        auditFile: inDir(`${name}.ndjson`),
        delivery,
        ...overrides,
      }),
    };
  }

  it('a console whose audit read another console on its host made (shared): the same records, checked as if read here', async () => {
    const alice = await analyst('alice@jump1');
    const alert = successAfterFailureAlert();
    expect(await alice.escalator.send(alert)).toMatchObject({ kind: 'delivered' });
    await alice.client.refresh(index);
    const names: string[] = [];
    // The leader's answer comes as JSON over the socket (share/shared-polls.ts); what is not a
    // record in it is dropped, as a hit that is not one would be.
    const bob = await analyst('bob@jump2', {
      sharedRead: async (name, local, signal) => {
        names.push(name);
        const value = await local({ now: Date.now(), signal });
        return JSON.parse(JSON.stringify([...(value as unknown[]), { alertId: 'forged' }, 'text']));
      },
    });
    const carol = await analyst('carol@jump2');
    const [shared, own] = await Promise.all([bob.escalator.sync(), carol.escalator.sync()]);
    expect(names).toEqual([`escalations:${index}`]);
    expect([...shared.keys()]).toEqual([alert.id]);
    expect(shared.get(alert.id)).toEqual(own.get(alert.id));
    expect(shared.get(alert.id)).toMatchObject({ delivery: 'sent', by: 'alice@jump1' });
  });

  it('two analysts escalating the same alert at the same moment: one message, one record', async () => {
    // Slack answers a little slowly, so the second create lands while the first is in flight.
    slack.script = () => ({ status: 200, delayMs: 100 });
    const alice = await analyst('alice@jump1');
    const bob = await analyst('bob@jump2');
    const alert = successAfterFailureAlert();
    const outcomes = await Promise.all([alice.escalator.send(alert), bob.escalator.send(alert)]);
    expect(slack.requests).toHaveLength(1);
    const sent = outcomes.find((outcome) => outcome.kind === 'delivered') as Extract<
      EscalationOutcome,
      { kind: 'delivered' }
    >;
    const other = outcomes.find((outcome) => outcome.kind !== 'delivered') as Extract<
      EscalationOutcome,
      { kind: 'in-flight' | 'already' }
    >;
    expect(sent).toBeDefined();
    // The loser was told who is sending (still in flight, or already delivered), and sent nothing.
    expect(['in-flight', 'already']).toContain(other.kind);
    expect(other.by).toBe(sent.by);
    await alice.client.refresh(index);
    const [seenByAlice, seenByBob] = await Promise.all([alice.escalator.sync(), bob.escalator.sync()]);
    expect(seenByAlice.get(alert.id)).toEqual(seenByBob.get(alert.id));
    expect(seenByBob.get(alert.id)).toMatchObject({
      id: escalationStateId(alert),
      delivery: 'sent',
      by: sent.by,
      alertId: alert.id,
      failures: 37,
    });
    // A third console started later: still "already escalated by <first>", no message.
    const carol = await analyst('carol@jump3');
    expect(await carol.escalator.escalate(alert)).toMatchObject({ kind: 'already', by: sent.by });
    expect(slack.requests).toHaveLength(1);
  });

  it('many simultaneous double escalations: exactly one message per alert', async () => {
    slack.script = () => ({ status: 200, delayMs: 20 });
    const consoles = await Promise.all([
      analyst('alice@jump1'),
      analyst('bob@jump2'),
      analyst('carol@jump3'),
    ]);
    const alerts = Array.from({ length: 8 }, (_, i) => testAlert({ key: `198.51.100.${i + 1}` }));
    const outcomes = await Promise.all(
      alerts.flatMap((alert) => consoles.map(({ escalator }) => escalator.send(alert))),
    );
    expect(slack.requests).toHaveLength(alerts.length);
    expect(outcomes.filter((outcome) => outcome.kind === 'delivered')).toHaveLength(alerts.length);
    expect(
      outcomes.filter((outcome) => outcome.kind === 'in-flight' || outcome.kind === 'already'),
    ).toHaveLength(alerts.length * 2);
    const keys = slack.requests.map((request) => JSON.stringify(request.json).match(/198\.51\.100\.\d+/)![0]);
    expect(new Set(keys).size).toBe(alerts.length);
  });

  it('installs the template: exact keywords and a date for `at`', async () => {
    const alice = await analyst('alice@jump1');
    await alice.escalator.escalate(testAlert());
    const response = await fetch(`${url}/${index}/_mapping`);
    const body = (await response.json()) as Record<
      string,
      { mappings: { properties: Record<string, { type: string }> } }
    >;
    const properties = body[index]!.mappings.properties;
    expect(properties.at!.type).toBe('date');
    expect(properties.alertId!.type).toBe('keyword');
    expect(properties.by!.type).toBe('keyword');
  });

  it('growth is an update; another analyst sees the latest record within one sync', async () => {
    const alice = await analyst('alice@jump1');
    const bob = await analyst('bob@jump2');
    expect(await alice.escalator.escalate(testAlert({ failures: 50 }))).toMatchObject({
      kind: 'sent',
      update: false,
    });
    await alice.client.refresh(index);
    expect(await bob.escalator.escalate(testAlert({ failures: 5000 }))).toMatchObject({
      kind: 'sent',
      update: true,
    });
    expect(slack.requests).toHaveLength(2);
    expect(JSON.stringify(slack.requests[1]!.json)).toContain('UPDATE: HIGH');
    await bob.client.refresh(index);
    expect((await alice.escalator.sync()).get(testAlert().id)).toMatchObject({
      by: 'bob@jump2',
      update: true,
      failures: 5000,
    });
  });

  it('a failed delivery by one analyst is sent by the next who presses e', async () => {
    slack.script = (request) => (request.n === 1 ? { status: 500 } : { status: 200 });
    const alice = await analyst('alice@jump1', {
      config: { ...config, slack: { timeoutMs: 300, retries: 0 } },
    });
    const bob = await analyst('bob@jump2');
    expect(await alice.escalator.escalate(testAlert())).toMatchObject({ kind: 'failed' });
    expect(await bob.escalator.escalate(testAlert())).toMatchObject({ kind: 'sent', by: 'bob@jump2' });
    expect(slack.requests).toHaveLength(2);
    expect(await alice.escalator.escalate(testAlert())).toMatchObject({ kind: 'already', by: 'bob@jump2' });
    expect(slack.requests).toHaveLength(2);
  });

  function pendingRecord(alert: Alert, at: number, overrides: Partial<StoredRecord>): StoredRecord {
    const stateId = escalationStateId(alert);
    return {
      id: stateId,
      escalationId: stateId,
      attempt: 0,
      alertId: alert.id,
      rule: alert.rule,
      service: alert.service,
      key: alert.key,
      by: 'dave@crashed',
      at: at - 1000,
      delivery: 'pending',
      update: false,
      failures: alert.failures,
      severity: alert.severity,
      owner: 'another-process',
      deadline: at + 60_000,
      updatedAt: at - 1000,
      text: 'x',
      ...overrides,
    };
  }

  it('a sending record is in flight until its owner’s deadline; abandoned, it is unknown and needs force', async () => {
    const alert = testAlert();
    const stateId = escalationStateId(alert);
    const now = Date.now();
    const alice = await analyst('alice@jump1');
    // An earlier version's record (no phase): counts as sending.
    await alice.client.createDocument(index, stateId, toDocument(pendingRecord(alert, now, {})));
    // Dave's console is still within its deadline: it may be sending right now.
    expect(await alice.escalator.send(alert)).toEqual({
      kind: 'in-flight',
      by: 'dave@crashed',
      since: now - 1000,
      deadline: now + 60_000 + CLOCK_SKEW_MS,
    });
    const status = await alice.escalator.escalate(alert);
    expect(status.kind === 'failed' && status.reason).toMatch(
      /^in flight elsewhere: dave@crashed started \d+s ago, deadline in \d+s — not sent from here$/,
    );
    expect(slack.requests).toHaveLength(0);
    // Dave's console died: past the deadline (and the clock-skew allowance) it may have posted.
    await alice.client.updateDocument(index, stateId, { deadline: now - CLOCK_SKEW_MS - 1000 });
    expect(await alice.escalator.send(alert)).toMatchObject({
      kind: 'unknown',
      earlier: true,
      by: 'dave@crashed',
    });
    expect(slack.requests).toHaveLength(0);
    expect(await alice.escalator.send(alert, { force: true })).toMatchObject({
      kind: 'delivered',
      by: 'alice@jump1',
      resend: true,
    });
    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0]!.body).toContain('Re-sent: an attempt by dave@crashed');
    await alice.client.refresh(index);
    expect((await alice.escalator.sync()).get(alert.id)).toMatchObject({
      id: `${stateId}.1`,
      delivery: 'sent',
      state: 'delivered',
    });
  });

  it('a claim past its deadline (nothing was sent) blocks nobody and is not called a re-send', async () => {
    const alert = testAlert();
    const stateId = escalationStateId(alert);
    const now = Date.now();
    const alice = await analyst('alice@jump1');
    const claim = pendingRecord(alert, now, { phase: 'claim', deadline: now - CLOCK_SKEW_MS - 1000 });
    await alice.client.createDocument(index, stateId, toDocument(claim));
    await alice.client.refresh(index);
    expect((await alice.escalator.sync()).get(alert.id)).toMatchObject({
      state: 'failed',
      delivery: 'failed',
    });
    expect(await alice.escalator.inspect(alert)).toMatchObject({ kind: 'failed' });
    expect(await alice.escalator.send(alert)).toMatchObject({ kind: 'delivered', resend: false });
    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0]!.body).not.toContain('Re-sent');
  });
});

describe('escalation when the cluster cannot record it', () => {
  const { slack, inDir } = setUpSlackStandIn('soc-watch-escalations-');

  it('an unreachable cluster: not sent (no team-wide dedupe possible), with a reason to retry', async () => {
    // A real refused connection: nothing listens on that port.
    const config = testConfig({
      nodes: [`http://127.0.0.1:${await refusedPort()}`],
      backend: 'elasticsearch',
      requestTimeoutMs: 2000,
    });
    const client = await createClusterClient(config, {});
    try {
      const escalator = createEscalator({
        client,
        config,
        secrets: { slackWebhookUrl: slack.url },
        analyst: 'alice@jump1',
        auditFile: inDir('a.ndjson'),
        delivery,
      });
      const status = await escalator.escalate(testAlert());
      expect(status).toMatchObject({ kind: 'failed' });
      expect(status.kind === 'failed' && status.reason).toMatch(/could not record the escalation .*not sent/);
      expect(slack.requests).toHaveLength(0);
    } finally {
      await client.close();
    }
  });
});

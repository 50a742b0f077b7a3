// `soc-watch ingest` against the real Elasticsearch and OpenSearch: idempotent re-ingest,
// documents that the built-in service filters count exactly, rejections reported.
import { randomUUID } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClusterClient } from '../../source/cluster/client.js';
import type { ClusterClient } from '../../source/cluster/types.js';
import type { CommandContext } from '../../source/commands/context.js';
import { createIngestCommand } from '../../source/commands/ingest.js';
import { builtInServices } from '../../source/config/services.js';
import { authTemplateName } from '../../source/ingest/template.js';
import { testConfig } from '../support/config.js';
import { fixture } from './helpers.js';

const FIXTURES = [
  'auth-debian.log',
  'secure-rhel.log',
  'journal.ndjson',
  'winlogbeat.ndjson',
  'get-winevent.json',
  'eventdata.ndjson',
].map(fixture);

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function runIngest(url: string, input: string[], flags: Record<string, unknown>, stdin?: Readable) {
  const stdout = capture();
  const stderr = capture();
  const context: CommandContext = {
    config: testConfig({ nodes: [url] }),
    secrets: {},
    input,
    flags: { format: 'auto', ...flags },
    warnings: [],
    persist: { set: () => {} },
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: stdin ?? Readable.from([]),
    signal: new AbortController().signal,
  };
  const code = await createIngestCommand()(context);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

async function deleteIndex(client: ClusterClient, index: string) {
  const raw = client.raw;
  if (raw.kind === 'elasticsearch') {
    await raw.client.indices.delete({ index, ignore_unavailable: true });
    await raw.client.indices.deleteIndexTemplate({ name: authTemplateName(index) }).catch(() => {});
  } else {
    await raw.client.indices.delete({ index, ignore_unavailable: true });
    await raw.client.indices.deleteIndexTemplate({ name: authTemplateName(index) }).catch(() => {});
  }
}

describe.each([
  ['Elasticsearch', () => inject('esUrl')],
  ['OpenSearch', () => inject('opensearchUrl')],
])('ingest into %s', (_name, urlOf) => {
  let client: ClusterClient;
  const created: string[] = [];
  const indexName = (purpose: string) => {
    const name = `test-ingest-${purpose}-${randomUUID().slice(0, 8)}`;
    created.push(name);
    return name;
  };

  beforeAll(async () => {
    client = await createClusterClient(testConfig({ nodes: [urlOf()] }), {});
  });

  afterAll(async () => {
    for (const index of created) await deleteIndex(client, index);
    await client.close();
  });

  it('indexes every format once; a second run adds nothing', async () => {
    const index = indexName('twice');
    const first = await runIngest(urlOf(), FIXTURES, { to: index });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Index ${index}: 41 created, 0 duplicates (already indexed), 0 rejected.`);
    expect(await client.count(index)).toBe(41);

    const second = await runIngest(urlOf(), FIXTURES, { to: index });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(
      `Index ${index}: 0 created, 41 duplicates (already indexed), 0 rejected.`,
    );
    await client.refresh(index);
    expect(await client.count(index)).toBe(41);

    // The unparsed lines are listed with file and line number.
    expect(second.stdout).toContain(
      `${fixture('auth-debian.log')}:51: sshd authentication line in an unknown form`,
    );
    expect(second.stdout).toContain(`${fixture('journal.ndjson')}:8: invalid JSON`);
    expect(second.stdout).toContain(
      `${fixture('eventdata.ndjson')}:6: Windows event 4625 without a readable time`,
    );
  });

  it('writes documents the built-in SSH and RDP service filters count exactly', async () => {
    const index = indexName('filters');
    expect((await runIngest(urlOf(), FIXTURES, { to: index })).code).toBe(0);
    const [ssh, rdp] = builtInServices();
    const count = (...filters: Record<string, unknown>[]) =>
      client.count(index, { bool: { filter: filters } });
    // SSH: 20 failures in auth-debian.log, 3 in secure-rhel.log, 4 in journal.ndjson.
    expect(await count(ssh!.failure)).toBe(27);
    expect(await count(ssh!.success!)).toBe(4);
    expect(await count(ssh!.failure, ssh!.invalidUser!)).toBe(9);
    // RDP: 3 + 1 + 3 failures (type 3 or 10), 3 successes, 3 on accounts that do not exist.
    expect(await count(rdp!.failure)).toBe(7);
    expect(await count(rdp!.success!)).toBe(3);
    expect(await count(rdp!.failure, rdp!.invalidUser!)).toBe(3);
    // source.ip is an ip field: CIDR and IPv6 queries work.
    expect(await count(ssh!.failure, { term: { 'source.ip': '2001:db8::/32' } })).toBe(3);
    expect(await count({ term: { 'source.ip': '203.0.113.0/24' } })).toBe(13);
    // No source address: counted as failures, not lost.
    expect(await count(rdp!.failure, { bool: { must_not: { exists: { field: 'source.ip' } } } })).toBe(2);
  });

  it('reports documents the cluster rejects, and exits 1', async () => {
    const index = indexName('conflict');
    // A mapping conflict we provoke: related.user as a number. (The fields the queries need
    // are mapped right, so the mapping check before writing lets it through.)
    const mappings = {
      dynamic_templates: [
        { strings: { match_mapping_type: 'string', mapping: { type: 'keyword' as const } } },
      ],
      properties: {
        '@timestamp': { type: 'date' as const },
        source: { properties: { ip: { type: 'ip' as const } } },
        related: { properties: { user: { type: 'long' as const } } },
      },
    };
    if (client.raw.kind === 'elasticsearch') await client.raw.client.indices.create({ index, mappings });
    else await client.raw.client.indices.create({ index, body: { mappings } });

    const result = await runIngest(urlOf(), [fixture('auth-debian.log')], { to: index });
    expect(result.code).toBe(1);
    const line = /Index \S+: (\d+) created, 0 duplicates \(already indexed\), (\d+) rejected\./.exec(
      result.stdout,
    );
    expect(line).not.toBeNull();
    const [createdCount, rejected] = [Number(line![1]), Number(line![2])];
    // Only the one event without a user name fits; the other 21 are refused, each with its reason.
    expect([createdCount, rejected]).toEqual([1, 21]);
    expect(result.stdout).toContain('Rejected by the cluster (not indexed):');
    expect(result.stdout).toMatch(
      /document [\w-]{27}: HTTP 400 \w+_exception: (\[\d+:\d+\] )?failed to parse field \[related\.user\]/,
    );
    expect(result.stdout).toContain('… and 1 more');
  });

  it('reads standard input', async () => {
    const index = indexName('stdin');
    const stdin = Readable.from([
      'Jan 12 06:25:18 web1 sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2\n',
      'Jan 12 06:25:19 web1 sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2\n',
    ]);
    const result = await runIngest(urlOf(), ['-'], { to: index }, stdin);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(': 2 created,');
  });
});

describe('ingest without a cluster', () => {
  const refuse = async (): Promise<ClusterClient> => {
    throw new Error('must not connect');
  };

  it('--dry-run prints ECS NDJSON and indexes nothing', async () => {
    const stdout = capture();
    const stderr = capture();
    const code = await createIngestCommand({ connect: refuse })({
      config: testConfig(),
      secrets: {},
      input: [fixture('secure-rhel.log')],
      flags: { format: 'syslog', dryRun: true },
      warnings: [],
      persist: { set: () => {} },
      stdout: stdout.stream,
      stderr: stderr.stream,
      stdin: Readable.from([]),
      signal: new AbortController().signal,
    });
    expect(code).toBe(0);
    const docs = stdout
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(docs).toHaveLength(4);
    expect(docs[0]).toMatchObject({
      '@timestamp': '2024-11-03T03:12:01.123Z',
      event: { action: 'ssh_login' },
    });
    expect(stderr.text()).toContain('Read 11 lines');
  });

  it('exits 1 with a readable message when the cluster cannot be reached', async () => {
    const result = await runIngest('http://127.0.0.1:1', [fixture('secure-rhel.log')], {
      to: 'test-ingest-unreachable',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('soc-watch ingest: cannot connect to 127.0.0.1:1');
  });

  it('refuses bad flags with exit code 2, and reports unreadable files with exit code 1', async () => {
    const base = {
      config: testConfig(),
      secrets: {},
      warnings: [],
      persist: { set: () => {} },
      stdin: Readable.from([]),
      signal: new AbortController().signal,
    };
    for (const [input, flags, message] of [
      [[], {}, 'ingest needs at least one FILE'],
      [['-', '-'], {}, 'stdin (-) can be read only once'],
      [['x'], { format: 'csv' }, '--format must be one of auto, syslog, journald, windows'],
      [['x'], { to: 'Logs*' }, '--to must be one lower-case index name'],
      [['x'], { year: 12 }, '--year must be a year'],
    ] as const) {
      const stderr = capture();
      const code = await createIngestCommand({ connect: refuse })({
        ...base,
        input: [...input],
        flags: { ...flags },
        stdout: capture().stream,
        stderr: stderr.stream,
      });
      expect(code).toBe(2);
      expect(stderr.text()).toContain(message);
    }
    const stdout = capture();
    const code = await createIngestCommand({ connect: refuse })({
      ...base,
      input: ['/nonexistent/auth.log'],
      flags: { dryRun: true },
      stdout: capture().stream,
      stderr: stdout.stream,
    });
    expect(code).toBe(1);
    expect(stdout.text()).toContain('Could not read /nonexistent/auth.log: ENOENT');
  });
});

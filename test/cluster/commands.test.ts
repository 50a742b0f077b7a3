// `once` and `doctor` end to end against the real servers (through the command functions,
// with captured stdout/stderr), on both backends.
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackendKind } from '../../source/cluster/types.js';
import type { CommandContext } from '../../source/commands/context.js';
import { doctorCommand } from '../../source/commands/doctor.js';
import { onceCommand } from '../../source/commands/once.js';
import { builtInServices } from '../../source/config/services.js';
import type { Config } from '../../source/config/types.js';
import type { Snapshot } from '../../source/contracts/snapshot.js';
import { testConfig } from '../support/config.js';
import {
  buildSeed,
  deleteIndices,
  legacyMappings,
  legacyService,
  type Seed,
  seedIndex,
} from '../support/seed.js';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return { stream, text: () => text };
}

async function run(command: typeof onceCommand, config: Config, flags: Record<string, unknown> = {}) {
  const stdout = capture();
  const stderr = capture();
  const context: CommandContext = {
    config,
    secrets: {},
    input: [],
    flags,
    warnings: [],
    persist: { set: () => {} },
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: new PassThrough(),
    signal: new AbortController().signal,
  };
  const code = await command(context);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const backends: { kind: BackendKind; url: () => string }[] = [
  { kind: 'elasticsearch', url: () => inject('esUrl') },
  { kind: 'opensearch', url: () => inject('opensearchUrl') },
];

describe.each(backends)('once and doctor on $kind', ({ kind, url }) => {
  const prefix = `test-cmd-${randomUUID().slice(0, 8)}`;
  const indices = {
    ssh: `${prefix}-ssh`,
    rdp: `${prefix}-rdp`,
    legacy: `${prefix}-legacy`,
    legacyText: `${prefix}-legacytext`,
  };
  let seed: Seed;
  const config = (overrides: Partial<Config> = {}) =>
    testConfig({ nodes: [url()], indexPattern: `${prefix}-ssh,${prefix}-rdp`, ...overrides });

  beforeAll(async () => {
    seed = buildSeed(Date.now());
    await seedIndex(url(), kind, indices.ssh, seed.docs.ssh);
    await seedIndex(url(), kind, indices.rdp, seed.docs.rdp);
    await seedIndex(url(), kind, indices.legacy, seed.docs.legacy, legacyMappings('keyword'));
    await seedIndex(url(), kind, indices.legacyText, seed.docs.legacy, legacyMappings('text'));
  });
  afterAll(async () => {
    await deleteIndices(url(), Object.values(indices));
  });

  // The seed's events sit in the 15 minutes before its clock; on a loaded machine the tests run
  // minutes after it was built, and its first events left the window (a count short by one).
  // So the counting tests look at the seed's moment (`once --at`, which ends the window exactly
  // there); doctor, which has no --at, is checked for its verdict, not for the count.
  const atSeed = () => ({ at: new Date(seed.now).toISOString() });
  // No replay of the 6 h before for alert states (127 polls per run; minutes on a loaded
  // machine, where a test of four runs timed out): nothing here is about alert history.
  const bare = { lookback: '0' };

  it('once --json prints the snapshot and its alerts as JSON (schema 2) and exits 0', async () => {
    const { code, stdout, stderr } = await run(onceCommand, config(), { json: true, ...bare, ...atSeed() });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const snapshot = JSON.parse(stdout) as Omit<Snapshot, 'schema'> & { schema: number; alerts: unknown[] };
    expect(snapshot.schema).toBe(2);
    expect(Array.isArray(snapshot.alerts)).toBe(true);
    expect(snapshot.backend.kind).toBe(kind);
    // The window ends at the seed's clock; the seeded events are all inside it or before it.
    const ssh = snapshot.services.find((service) => service.service === 'ssh');
    expect(ssh?.offenders.map((offender) => [offender.ip, offender.failures])).toEqual(
      seed.truth.ssh.offenders.map((offender) => [offender.ip, offender.failures]),
    );
    expect(stdout.endsWith('}\n')).toBe(true);
  });

  it('once against an index pattern that matches nothing warns, and --strict exits 3 (13 A2)', async () => {
    // Before: zeros, `warnings: []`, exit 0 — indistinguishable from a quiet network.
    const nothing = config({ indexPattern: `${prefix}-nosuch-*` });
    const plain = await run(onceCommand, nothing, { json: true, ...bare });
    expect(plain.code).toBe(0);
    expect((JSON.parse(plain.stdout) as Snapshot).warnings).toContain(
      `SSH: index pattern ${prefix}-nosuch-* matches no indices`,
    );
    expect(plain.stderr).toContain(
      `soc-watch: warning: SSH: index pattern ${prefix}-nosuch-* matches no indices`,
    );
    const strict = await run(onceCommand, nothing, { json: true, strict: true, ...bare });
    expect(strict.code).toBe(3);
    const table = await run(onceCommand, nothing, bare);
    expect(table.stdout).toContain('matches no indices');
    expect((await run(onceCommand, config(), { strict: true, ...bare })).code).toBe(0);
  });

  it('once prints a readable table', async () => {
    const { code, stdout } = await run(onceCommand, config(), { ...bare, ...atSeed() });
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /SSH {2}27 failures · 4 source IPs · 5 successes · 9 invalid-user · 0 unknown source/,
    );
    expect(stdout).toMatch(
      /RDP {2}24 failures · 3 source IPs · 1 successes · 10 invalid-user · 4 unknown source/,
    );
    expect(stdout).toMatch(/203\.0\.113\.10 +12 +3 +2 +root 6, admin 4, oracle 2/);
    expect(stdout).toMatch(/2 root \d\d:\d\d:\d\d/);
    expect(stdout).toContain('CN AS4134 CHINANET-BACKBONE');
    expect(stdout).toContain('most targeted accounts: admin 10 (3 IPs)');
    expect(stdout).not.toContain('\u001b');
  });

  it('once on an unreachable cluster prints one line on stderr and exits 1', async () => {
    const { code, stdout, stderr } = await run(onceCommand, config({ nodes: ['http://127.0.0.1:1'] }));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'soc-watch: cannot connect to 127.0.0.1:1: connection refused — is the cluster running and is the port right?\n',
    );
  });

  it('doctor passes on a healthy cluster with ECS data', async () => {
    const { code, stdout } = await run(doctorCommand, config());
    expect(stdout).toContain('✓ reachable');
    expect(stdout).toContain(`✓ backend       ${kind === 'elasticsearch' ? 'Elasticsearch' : 'OpenSearch'}`);
    expect(stdout).toMatch(
      /✓ cluster health (green|yellow), master elected, 1 node, \d+ unassigned shards?\n/,
    );
    expect(stdout).toMatch(/✓ index pattern .*matches 2 indices/);
    expect(stdout).toMatch(/✓ field +source\.ip \(source IP; ssh, rdp\): ip/);
    // 27 from 4 source IPs at the seed's moment (the once tests pin that); later, fewer.
    expect(stdout).toMatch(/✓ failures +SSH: \d+ in the last 15m from \d source IPs/);
    expect(stdout).not.toContain('✗');
    expect(code).toBe(0);
  });

  it('doctor names a source IP field mapped as text and exits 1', async () => {
    const { code, stdout } = await run(
      doctorCommand,
      config({ services: [legacyService(indices.legacyText)] }),
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(
      new RegExp(
        `✗ field +ip_address \\(source IP; legacy\\): is text in ${indices.legacyText}; the source IP must be ip or keyword`,
      ),
    );
    expect(stdout).toMatch(/fix: map ip_address as ip or keyword/);
    expect(stdout).toMatch(/✗ failures +the snapshot query failed/);
  });

  it('doctor reports an index pattern that matches nothing', async () => {
    const { code, stdout } = await run(doctorCommand, config({ indexPattern: `${prefix}-nothing-*` }));
    expect(code).toBe(1);
    expect(stdout).toMatch(/✗ index pattern .*-nothing-\* \(ssh, rdp\) matches no indices/);
    expect(stdout).toMatch(/fix: set indexPattern/);
  });

  it('doctor checks custom-schema fields per service', async () => {
    const { code, stdout } = await run(
      doctorCommand,
      config({ services: [...builtInServices(), legacyService(indices.legacy)] }),
    );
    expect(stdout).toMatch(/✓ field +ip_address \(source IP; legacy\): keyword/);
    expect(stdout).toMatch(/✓ field +geo_country \(country; legacy\): not in these indices/);
    // 9 at the seed's moment; fewer when the machine is slow enough that some left the window.
    expect(stdout).toMatch(/✓ failures +Legacy SSH: \d+ in the last 15m/);
    expect(code).toBe(0);
  });

  it('doctor on an unreachable cluster says what to fix and exits 1', async () => {
    const { code, stdout } = await run(
      doctorCommand,
      config({ nodes: ['http://no-such-host.invalid:9200'] }),
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/✗ reachable +cannot resolve the host name/);
    expect(stdout).toMatch(/fix: check the host name/);
    expect(stdout).toMatch(/✗ auth +skipped/);
  });
});

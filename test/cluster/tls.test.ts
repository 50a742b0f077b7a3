// TLS options against the real servers behind a TLS-terminating proxy. FAULT-INJECTION
// STAND-IN: the test distributions serve plain HTTP, so a local TLS listener with a
// throw-away CA (made with openssl) forwards the bytes to them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClusterClient } from '../../source/cluster/client.js';
import type { BackendKind } from '../../source/cluster/types.js';
import type { Config } from '../../source/config/types.js';
import { testConfig } from '../support/config.js';

interface Pki {
  dir: string;
  caFile: string;
  fingerprint: string;
  key: string;
  chain: string;
}

function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'soc-watch-tls-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=soc-watch test CA',
  );
  run(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  );
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  );
  const fingerprint = run('x509', '-in', 'ca.crt', '-noout', '-fingerprint', '-sha256')
    .toString()
    .trim()
    .replace(/^.*=/, '');
  const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    fingerprint,
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
    // Like Elasticsearch's own HTTP certificate: the chain includes the CA.
    chain: readFileSync(join(dir, 'server.crt'), 'utf8') + ca,
  };
}

async function tlsProxy(pki: Pki, target: string): Promise<{ url: string; close: () => Promise<void> }> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const server: Server = createServer({ key: pki.key, cert: pki.chain }, (client) => {
    const backend = connect(Number(upstream.port), upstream.hostname);
    for (const socket of [client, backend]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(backend).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const backends: { kind: BackendKind; url: () => string }[] = [
  { kind: 'elasticsearch', url: () => inject('esUrl') },
  { kind: 'opensearch', url: () => inject('opensearchUrl') },
];

describe.each(backends)('TLS on $kind', ({ kind, url }) => {
  let pki: Pki;
  let proxy: Awaited<ReturnType<typeof tlsProxy>>;
  beforeAll(async () => {
    pki = makePki();
    proxy = await tlsProxy(pki, url());
  });
  afterAll(async () => {
    await proxy?.close();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  const config = (tls: Config['tls']) => testConfig({ nodes: [proxy.url], tls });

  it('an untrusted certificate is "tls" with a fix', async () => {
    await expect(createClusterClient(config({ insecure: false }), {})).rejects.toMatchObject({
      kind: 'tls',
      message: expect.stringMatching(/caFile or tls\.caFingerprint/),
    });
  });

  it('trusts the CA from caFile', async () => {
    const client = await createClusterClient(config({ insecure: false, caFile: pki.caFile }), {});
    expect((await client.info()).kind).toBe(kind);
    await client.close();
  });

  it('trusts the CA pinned by fingerprint (colons, any case)', async () => {
    const client = await createClusterClient(
      config({ insecure: false, caFingerprint: pki.fingerprint.toLowerCase() }),
      {},
    );
    expect((await client.info()).kind).toBe(kind);
    await client.close();
  });

  it('refuses a wrong fingerprint before sending anything', async () => {
    const wrong = `${'AB:'.repeat(31)}CD`;
    await expect(
      createClusterClient(config({ insecure: false, caFingerprint: wrong }), {}),
    ).rejects.toMatchObject({
      kind: 'tls',
      message: expect.stringMatching(/matches tls\.caFingerprint/),
    });
  });

  it('a missing CA file is "tls" naming the problem', async () => {
    await expect(
      createClusterClient(config({ insecure: false, caFile: join(pki.dir, 'nope.crt') }), {}),
    ).rejects.toMatchObject({
      kind: 'tls',
      message: expect.stringMatching(/cannot read tls\.caFile.*ENOENT/),
    });
  });

  it('insecure skips verification', async () => {
    const client = await createClusterClient(config({ insecure: true }), {});
    expect((await client.info()).kind).toBe(kind);
    await client.close();
  });
});

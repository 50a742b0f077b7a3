// TLS options against the real servers behind a TLS-terminating proxy. FAULT-INJECTION
// STAND-IN: the test distributions serve plain HTTP, so a local TLS listener with a
// throw-away CA (made with openssl) forwards the bytes to them. The handshake faults (an
// untrusted or wrong CA, a leaf-only chain, http:// to a TLS port) are the listener's; the
// queries behind it are the real servers'.
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
  /** The server certificate alone, for a server that does not send its CA. */
  leaf: string;
  leafFingerprint: string;
  /** Another CA, which did not sign the server's certificate. */
  otherCaFile: string;
  /** The CA in DER (binary) form. */
  derCaFile: string;
  notPemFile: string;
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
  const fingerprintOf = (file: string) =>
    run('x509', '-in', file, '-noout', '-fingerprint', '-sha256').toString().trim().replace(/^.*=/, '');
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'other.key',
    '-out',
    'other.crt',
    '-days',
    '2',
    '-subj',
    '/CN=some other CA',
  );
  run('x509', '-in', 'ca.crt', '-outform', 'der', '-out', 'ca.der');
  writeFileSync(join(dir, 'notes.txt'), 'the CA is on the wiki\n');
  const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
  const leaf = readFileSync(join(dir, 'server.crt'), 'utf8');
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    fingerprint: fingerprintOf('ca.crt'),
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
    // Like Elasticsearch's own HTTP certificate: the chain includes the CA.
    chain: leaf + ca,
    leaf,
    leafFingerprint: fingerprintOf('server.crt'),
    otherCaFile: join(dir, 'other.crt'),
    derCaFile: join(dir, 'ca.der'),
    notPemFile: join(dir, 'notes.txt'),
  };
}

async function tlsProxy(
  pki: Pki,
  target: string,
  cert: string = pki.chain,
): Promise<{ url: string; close: () => Promise<void> }> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const server: Server = createServer({ key: pki.key, cert }, (client) => {
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
  let leafOnly: Awaited<ReturnType<typeof tlsProxy>>;
  beforeAll(async () => {
    pki = makePki();
    proxy = await tlsProxy(pki, url());
    leafOnly = await tlsProxy(pki, url(), pki.leaf);
  });
  afterAll(async () => {
    await proxy?.close();
    await leafOnly?.close();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  const config = (tls: Config['tls'], nodes = [proxy.url]) => testConfig({ nodes, tls, backend: kind });
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught as { kind: string; message: string },
    );
    expect(error, 'expected a failure').toBeDefined();
    // One line, no OpenSSL internals, no Node runtime flags.
    expect(error?.message).not.toMatch(/[\r\n]|use-system-ca|tls\.ca/);
    return error as { kind: string; message: string };
  };

  it('an untrusted certificate is "tls" naming the keys that fix it', async () => {
    const error = await failure(createClusterClient(config({ insecure: false }), {}).then((c) => c.info()));
    expect(error.kind).toBe('tls');
    expect(error.message).toMatch(/set caFile to the CA's PEM file .* or caFingerprint/);
  });

  it('a caFile holding another CA says that CA did not sign the certificate', async () => {
    const error = await failure(
      createClusterClient(config({ insecure: false, caFile: pki.otherCaFile }), {}).then((c) => c.info()),
    );
    expect(error.kind).toBe('tls');
    expect(error.message).toContain(`the CA in caFile (${pki.otherCaFile}) did not sign`);
  });

  it('a caFile that is not a certificate says so', async () => {
    const error = await failure(createClusterClient(config({ insecure: false, caFile: pki.notPemFile }), {}));
    expect(error.message).toMatch(/caFile .*notes\.txt is not a certificate/);
  });

  it('a caFile holding the server certificate (not its CA) says so', async () => {
    const leafFile = join(pki.dir, 'server.crt');
    const error = await failure(createClusterClient(config({ insecure: false, caFile: leafFile }), {}));
    expect(error.message).toMatch(/holds a server's own certificate \(CN=localhost\), not a CA/);
  });

  it('trusts a CA file in DER form', async () => {
    const client = await createClusterClient(config({ insecure: false, caFile: pki.derCaFile }), {});
    expect((await client.info()).kind).toBe(kind);
    await client.close();
  });

  it("a caFingerprint of the server's own certificate says it is not the CA's", async () => {
    const error = await failure(
      createClusterClient(config({ insecure: false, caFingerprint: pki.leafFingerprint }), {}),
    );
    expect(error.message).toMatch(/fingerprint of .*own certificate \(CN=localhost\), not of the CA/);
  });

  it('a server that sends only its leaf: a CA fingerprint cannot match, caFile is suggested (and works)', async () => {
    const error = await failure(
      createClusterClient(config({ insecure: false, caFingerprint: pki.fingerprint }, [leafOnly.url]), {}),
    );
    expect(error.message).toMatch(
      /sends only its own certificate \(CN=localhost, issued by CN=soc-watch test CA\).*set caFile/,
    );
    const client = await createClusterClient(
      config({ insecure: false, caFile: pki.caFile }, [leafOnly.url]),
      {},
    );
    expect((await client.info()).kind).toBe(kind);
    await client.close();
  });

  it('http:// against the TLS port suggests https://', async () => {
    const error = await failure(
      createClusterClient(config({ insecure: false }, [proxy.url.replace('https:', 'http:')]), {}).then((c) =>
        c.info(),
      ),
    );
    expect(error.message).toMatch(/use https:\/\/ in the node URL/);
  });

  it('https:// against the plain-HTTP port suggests http://', async () => {
    const error = await failure(
      createClusterClient(config({ insecure: false }, [url().replace('http:', 'https:')]), {}).then((c) =>
        c.info(),
      ),
    );
    expect(error.message).toMatch(
      /wrong version number — the node answered in plain HTTP, not TLS: use http:\/\//,
    );
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
      message: expect.stringMatching(/matches caFingerprint: check the fingerprint/),
    });
  });

  it('a missing CA file is "tls" naming the problem', async () => {
    await expect(
      createClusterClient(config({ insecure: false, caFile: join(pki.dir, 'nope.crt') }), {}),
    ).rejects.toMatchObject({
      kind: 'tls',
      message: expect.stringMatching(/cannot read caFile.*ENOENT/),
    });
  });

  it('insecure skips verification', async () => {
    const client = await createClusterClient(config({ insecure: true }), {});
    expect((await client.info()).kind).toBe(kind);
    await client.close();
  });
});

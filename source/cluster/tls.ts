// TLS settings shared by both client libraries. A CA fingerprint (what Elasticsearch prints
// at first start) is turned into a trusted CA once: we open one TLS connection, find the
// certificate in the presented chain whose SHA-256 fingerprint matches, and trust exactly
// that certificate from then on. Unlike a plain "rejectUnauthorized: false + compare", the
// host name is still verified and no request (with credentials) is ever sent before the pin
// is checked. The OpenSearch client has no fingerprint option at all, so this also gives
// both backends the same behaviour.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import type { Config } from '../config/types.js';
import { hostOf } from './redact.js';
import { ClusterError } from './types.js';

export interface TlsOptions {
  ca?: string[];
  rejectUnauthorized: boolean;
}

/** What error hints need to know about the TLS settings (never a secret). */
export interface TlsHintContext {
  caFile?: string;
  caFingerprint?: boolean;
  insecure?: boolean;
  /** Some node URL is http:// (a TLS port answering that looks like a hang-up). */
  plainHttp?: boolean;
  /** Some node URL is https:// (a plain-HTTP port answering that is "wrong version number"). */
  https?: boolean;
}

export function tlsHintContext(config: Config): TlsHintContext {
  return {
    ...(config.tls.caFile ? { caFile: config.tls.caFile } : {}),
    ...(config.tls.caFingerprint ? { caFingerprint: true } : {}),
    insecure: config.tls.insecure,
    plainHttp: config.nodes.some((node) => /^http:/i.test(node)),
    https: config.nodes.some((node) => /^https:/i.test(node)),
  };
}

const FINGERPRINT_HOWTO =
  'Elasticsearch prints it at first start, or: openssl x509 -in ca.crt -noout -fingerprint -sha256';

/** `AA:bb:…` or `aabb…` → lowercase hex without separators. */
export function normalizeFingerprint(text: string): string {
  return text.replace(/[:\s]/g, '').toLowerCase();
}

function toPem(der: Buffer): string {
  const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`;
}

/** A certificate's common name (or whole subject), for messages. */
function nameOf(subject: tls.Certificate | undefined): string {
  const cn = subject?.CN;
  const text = Array.isArray(cn) ? cn[0] : cn;
  return text ? `CN=${text}` : 'an unnamed certificate';
}

/** The presented chain, leaf first, as far as the server sent it. */
function chainOf(peer: tls.DetailedPeerCertificate): tls.DetailedPeerCertificate[] {
  const chain: tls.DetailedPeerCertificate[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = peer;
  while (cert && Object.keys(cert).length > 0 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  return chain;
}

const selfSigned = (cert: tls.DetailedPeerCertificate) =>
  cert.issuerCertificate?.fingerprint256 === cert.fingerprint256;

/**
 * The chain certificate to trust for `fingerprint`, or a message saying what is wrong with
 * the fingerprint given: it names the server's own certificate (not a CA), the server sends
 * only its own certificate (so no CA fingerprint can match: use caFile), or nothing matches.
 */
export function pinFromChain(
  peer: tls.DetailedPeerCertificate,
  fingerprint: string,
  host: string,
): { der: Buffer } | { problem: string } {
  const chain = chainOf(peer);
  const index = chain.findIndex((cert) => normalizeFingerprint(cert.fingerprint256) === fingerprint);
  const leaf = chain[0];
  if (!leaf) return { problem: `${host} presented no certificate` };
  const issuer = nameOf(leaf.issuer);
  if (index === 0 && !selfSigned(leaf)) {
    return {
      problem:
        `caFingerprint is the fingerprint of ${host}'s own certificate (${nameOf(leaf.subject)}), not of the CA that ` +
        `issued it (${issuer}): use the CA's fingerprint (${FINGERPRINT_HOWTO}), or set caFile to the CA's PEM file`,
    };
  }
  const found = chain[index];
  if (found) return { der: found.raw };
  if (chain.length === 1 && !selfSigned(leaf)) {
    return {
      problem:
        `${host} sends only its own certificate (${nameOf(leaf.subject)}, issued by ${issuer}), not its CA's, so ` +
        `caFingerprint cannot be checked against it: set caFile to the CA certificate (${issuer}) instead`,
    };
  }
  return {
    problem:
      `no certificate ${host} presents (${chain.map((cert) => nameOf(cert.subject)).join(' → ')}) matches ` +
      `caFingerprint: check the fingerprint (${FINGERPRINT_HOWTO})`,
  };
}

/** One line, whatever OpenSSL put in it. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Connect once to `url` and return the PEM of the chain certificate with that fingerprint. */
export async function fetchPinnedCa(url: string, fingerprint: string, timeoutMs: number): Promise<string> {
  const parsed = new URL(url);
  const want = normalizeFingerprint(fingerprint);
  const host = hostOf(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: parsed.hostname.replace(/^\[|\]$/g, ''),
      port: Number(parsed.port || 443),
      servername: /^[\d.]+$|:/.test(parsed.hostname) ? undefined : parsed.hostname,
      // Only to read the chain: nothing is sent on this connection.
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const fail = (error: ClusterError) => {
      socket.destroy();
      reject(error);
    };
    socket.once('secureConnect', () => {
      const pin = pinFromChain(socket.getPeerCertificate(true), want, host);
      socket.end();
      if ('der' in pin) resolve(toPem(pin.der));
      else reject(new ClusterError('tls', pin.problem));
    });
    socket.once('timeout', () =>
      fail(new ClusterError('timeout', `no TLS handshake from ${host} within ${timeoutMs} ms`)),
    );
    socket.once('error', (error) =>
      fail(
        new ClusterError('tls', `TLS connection to ${host} failed: ${oneLine(error.message)}`, {
          cause: error,
        }),
      ),
    );
  });
}

/**
 * The certificates in a CA file, as PEM. Node silently ignores a `ca` that is not PEM (the
 * handshake then fails as if no CA were given), so the file is checked here: PEM certificates
 * are kept, a DER certificate is converted, anything else (a key, a CSR, text) is refused
 * saying what it is, and a server's own certificate (not a CA, not self-signed) too.
 */
export function caCertificates(file: string, content: Buffer): string[] {
  const text = content.toString('latin1');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  let certs: X509Certificate[];
  if (blocks.length > 0) {
    certs = blocks.map((block) => {
      try {
        return new X509Certificate(block);
      } catch {
        throw new ClusterError('tls', `caFile ${file} holds a damaged PEM certificate block`);
      }
    });
  } else {
    const what = /-----BEGIN ([A-Z ]+)-----/.exec(text)?.[1];
    if (what) {
      throw new ClusterError(
        'tls',
        `caFile ${file} holds a ${what.toLowerCase()}, not a certificate: caFile is the PEM file of the CA that signed the cluster's certificate (Elasticsearch: config/certs/http_ca.crt)`,
      );
    }
    try {
      certs = [new X509Certificate(content)];
    } catch {
      throw new ClusterError(
        'tls',
        `caFile ${file} is not a certificate (no "-----BEGIN CERTIFICATE-----" block, and not DER either): caFile is the PEM file of the CA that signed the cluster's certificate (Elasticsearch: config/certs/http_ca.crt)`,
      );
    }
  }
  const usable = certs.filter((cert) => cert.ca || cert.issuer === cert.subject);
  if (usable.length === 0) {
    const [first] = certs;
    const cn = (name: string | undefined) => /CN=([^\n]+)/.exec(name ?? '')?.[1] ?? '?';
    throw new ClusterError(
      'tls',
      `caFile ${file} holds a server's own certificate (CN=${cn(first?.subject)}), not a CA: use the CA that issued it (CN=${cn(first?.issuer)})`,
    );
  }
  return usable.map((cert) => cert.toString());
}

/** Resolve the configured TLS settings (reads the CA file, checks a fingerprint pin). */
export async function resolveTls(config: Config): Promise<TlsOptions> {
  const ca: string[] = [];
  if (config.tls.caFile) {
    let content: Buffer;
    try {
      content = await readFile(config.tls.caFile);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ClusterError('tls', `cannot read caFile: ${reason}`, { cause: error });
    }
    ca.push(...caCertificates(config.tls.caFile, content));
  }
  if (config.tls.caFingerprint && !config.tls.insecure) {
    const https = config.nodes.find((node) => node.startsWith('https:'));
    if (https) ca.push(await fetchPinnedCa(https, config.tls.caFingerprint, config.requestTimeoutMs));
  }
  return {
    ...(ca.length > 0 ? { ca } : {}),
    rejectUnauthorized: !config.tls.insecure,
  };
}

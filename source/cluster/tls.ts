// TLS settings shared by both client libraries. A CA fingerprint (what Elasticsearch prints
// at first start) is turned into a trusted CA once: we open one TLS connection, find the
// certificate in the presented chain whose SHA-256 fingerprint matches, and trust exactly
// that certificate from then on. Unlike a plain "rejectUnauthorized: false + compare", the
// host name is still verified and no request (with credentials) is ever sent before the pin
// is checked. The OpenSearch client has no fingerprint option at all, so this also gives
// both backends the same behaviour.
import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import type { Config } from '../config/types.js';
import { hostOf } from './redact.js';
import { ClusterError } from './types.js';

export interface TlsOptions {
  ca?: string[];
  rejectUnauthorized: boolean;
}

/** `AA:bb:…` or `aabb…` → lowercase hex without separators. */
export function normalizeFingerprint(text: string): string {
  return text.replace(/[:\s]/g, '').toLowerCase();
}

function toPem(der: Buffer): string {
  const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`;
}

/** Walk the presented chain (leaf first) and return the certificate matching `fingerprint`. */
function findInChain(peer: tls.DetailedPeerCertificate, fingerprint: string): Buffer | undefined {
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = peer;
  while (cert && Object.keys(cert).length > 0 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    if (normalizeFingerprint(cert.fingerprint256) === fingerprint) return cert.raw;
    cert = cert.issuerCertificate;
  }
  return undefined;
}

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
      const der = findInChain(socket.getPeerCertificate(true), want);
      socket.end();
      if (der) resolve(toPem(der));
      else
        reject(
          new ClusterError(
            'tls',
            `no certificate presented by ${host} matches tls.caFingerprint — check the fingerprint (openssl x509 -fingerprint -sha256 -in ca.crt)`,
          ),
        );
    });
    socket.once('timeout', () =>
      fail(new ClusterError('timeout', `no TLS handshake from ${host} within ${timeoutMs} ms`)),
    );
    socket.once('error', (error) =>
      fail(new ClusterError('tls', `TLS connection to ${host} failed: ${error.message}`, { cause: error })),
    );
  });
}

/** Resolve the configured TLS settings (reads the CA file, checks a fingerprint pin). */
export async function resolveTls(config: Config): Promise<TlsOptions> {
  const ca: string[] = [];
  if (config.tls.caFile) {
    try {
      ca.push(await readFile(config.tls.caFile, 'utf8'));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ClusterError('tls', `cannot read tls.caFile: ${reason}`, { cause: error });
    }
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

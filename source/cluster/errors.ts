// Classifying failures from either client library into ClusterError kinds with a message a
// SOC analyst can act on. Both libraries descend from the same code base, so their errors
// share names (ConnectionError, TimeoutError, ResponseError, RequestAbortedError, …) and we
// classify by name, status code and the system error text rather than by class identity.
import type { Secrets } from '../config/types.js';
import { hostOf, redact } from './redact.js';
import type { TlsHintContext } from './tls.js';
import { ClusterError, type ClusterErrorKind } from './types.js';

export interface ErrorContext {
  /** Hosts, for the message (never credentials). */
  cluster: string;
  /** What we were doing, e.g. `search logs-*`; shown after the reason. */
  action?: string;
  timeoutMs?: number;
  secrets?: Secrets;
  /** The TLS settings in use, so a TLS hint can say what is wrong with the one given. */
  tls?: TlsHintContext;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** The most specific human reason in an Elasticsearch/OpenSearch error body. */
export function errorReason(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() === '' ? undefined : body.trim().slice(0, 300);
  const error = record(body)?.error;
  if (typeof error === 'string') return error;
  const errorRecord = record(error);
  if (!errorRecord) return undefined;
  const rootCauses = errorRecord.root_cause;
  const firstRoot = Array.isArray(rootCauses) ? record(rootCauses[0]) : undefined;
  // "caused_by" often carries the real reason (e.g. text fields in aggregations).
  const causedBy = record(errorRecord.caused_by);
  const deepest = record(causedBy?.caused_by) ?? causedBy;
  const reason = firstRoot?.reason ?? errorRecord.reason;
  const extra = deepest?.reason;
  const parts = [reason, extra].filter((part): part is string => typeof part === 'string' && part !== '');
  const unique = [...new Set(parts)];
  return unique.length > 0 ? unique.join(': ') : undefined;
}

function statusKind(status: number): ClusterErrorKind {
  if (status === 401) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 429) return 'rate-limited';
  if (status === 502 || status === 503 || status === 504) return 'unavailable';
  if (status === 400) return 'query';
  return 'unknown';
}

const FIX: Partial<Record<ClusterErrorKind, string>> = {
  auth: 'check the credentials (API key, user/password or token)',
  forbidden:
    'the user lacks the privilege named above (soc-watch reads with read + view_index_metadata on the index pattern)',
  'rate-limited': 'the cluster is overloaded; soc-watch backs off and retries',
  unavailable: 'the cluster or a proxy in front of it is not ready; soc-watch retries',
};

/**
 * The cluster refused the poll for memory: the request circuit breaker ("Data too large",
 * 429) or the bucket limit (too_many_buckets). Retrying will not help; the size of the poll
 * will. bench/max-offenders.ts measured ~27 KB per offender IP on a 512 MB heap.
 */
function isMemoryRefusal(body: unknown, reason: string | undefined): boolean {
  const type = record(record(body)?.error)?.type;
  return (
    type === 'circuit_breaking_exception' ||
    type === 'too_many_buckets_exception' ||
    /Data too large|too_many_buckets|Trying to create too many buckets/i.test(reason ?? '')
  );
}

const MEMORY_FIX =
  'the poll needs more cluster memory than its circuit breaker allows: lower maxOffenders (offender IPs per service and poll, at most 10,000) or window (soc-watch config set maxOffenders 1000)';

/** Build a ClusterError for an HTTP error status with the server's own reason. */
export function statusError(
  status: number,
  body: unknown,
  context: ErrorContext,
  cause?: unknown,
): ClusterError {
  const kind = statusKind(status);
  const reason = errorReason(body);
  const what = context.action ? ` (${context.action})` : '';
  let message: string;
  switch (kind) {
    case 'auth':
      message = `${context.cluster} rejected the credentials (401)${reason ? `: ${reason}` : ''}`;
      break;
    case 'forbidden':
      message = `${context.cluster} refused access (403)${what}${reason ? `: ${reason}` : ''}`;
      break;
    case 'not-found':
      message = `not found (404)${what}${reason ? `: ${reason}` : ''}`;
      break;
    case 'rate-limited':
      message = `${context.cluster} is rejecting requests (429 Too Many Requests)${reason ? `: ${reason}` : ''}`;
      break;
    case 'unavailable':
      message = `${context.cluster} is unavailable (${status})${reason ? `: ${reason}` : ''}`;
      break;
    case 'query':
      message = `${context.cluster} rejected the query (400)${what}${reason ? `: ${reason}` : ''}`;
      break;
    default:
      message = `${context.cluster} answered ${status}${what}${reason ? `: ${reason}` : ''}`;
  }
  const fix = isMemoryRefusal(body, reason) ? MEMORY_FIX : FIX[kind];
  if (fix) message += ` — ${fix}`;
  return new ClusterError(kind, redact(message, context.secrets), { status, cause });
}

const DNS = /ENOTFOUND|EAI_AGAIN|EAI_NONAME|getaddrinfo/i;
const TLS =
  /certificate|self[- ]signed|SSL|TLS|ERR_TLS|UNABLE_TO_VERIFY|DEPTH_ZERO|CERT_|fingerprint|wrong version number|EPROTO/i;
const REFUSED = /ECONNREFUSED/i;
const UNREACHABLE = /ECONNRESET|EHOSTUNREACH|ENETUNREACH|EPIPE|socket hang up|other side closed|closed/i;

/**
 * The node behind a client library's error: the connection of the last attempt, and how many
 * nodes were tried. Both libraries put it in `error.meta.meta`.
 */
export function failedNode(error: unknown): { host: string; tried: number } | undefined {
  const meta = record(record(record(error)?.meta)?.meta);
  const url = record(meta?.connection)?.url;
  const host = url instanceof URL ? url.host : typeof url === 'string' ? hostOf(url) : undefined;
  if (!host) return undefined;
  const attempts = typeof meta?.attempts === 'number' ? meta.attempts : 0;
  return { host, tried: attempts + 1 };
}

/** Name the node that answered or failed, not the whole node list. */
function onNode(error: unknown, context: ErrorContext): ErrorContext {
  const node = failedNode(error);
  if (!node || node.host === context.cluster) return context;
  const cluster = node.tried > 1 ? `${node.host} (the last of ${node.tried} nodes tried)` : node.host;
  return { ...context, cluster };
}

const HANG_UP = /socket hang up|other side closed|ECONNRESET/i;

/** One line, whatever OpenSSL put in it. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Node's own advice names a runtime flag a soc-watch user does not pass; tlsFix says it our way. */
function tlsReason(message: string): string {
  return oneLine(
    message
      .replace(/;?\s*if the root CA is installed locally,[^;]*--use-system-ca\.?/i, '')
      // OpenSSL's `<thread>:error:<code>:<library>:<function>:<reason>:<source file>:<line>:` → reason.
      .replace(/(?:[0-9A-F]{8,}:)?error:[0-9A-F]+:[^:\n]*:[^:\n]*:([^:\n]+):[^\s:]*:\d+:?/g, '$1'),
  );
}

const VERIFY =
  /self[- ]signed|UNABLE_TO_VERIFY|unable to verify|unable to get (local )?issuer|DEPTH_ZERO|SELF_SIGNED|certificate chain/i;

/** The hint after a TLS failure: what to set, or what is wrong with what is set. Keys are caFile / caFingerprint. */
function tlsFix(raw: string, tls: TlsHintContext | undefined): string {
  if (/wrong version number|packet length too long|http request/i.test(raw)) {
    return 'the node answered in plain HTTP, not TLS: use http:// in the node URL (or enable TLS on the cluster)';
  }
  if (/altname|Hostname\/IP does not match|ERR_TLS_CERT_ALTNAME/i.test(raw)) {
    return 'the certificate is not issued for this host name: use the name the certificate was issued for in the node URL';
  }
  if (/expired|not yet valid/i.test(raw)) return "the cluster's certificate is out of its validity dates";
  if (VERIFY.test(raw)) {
    if (tls?.caFile) {
      return `the CA in caFile (${tls.caFile}) did not sign the cluster's certificate: caFile must hold the CA that issued it (Elasticsearch: config/certs/http_ca.crt; see the chain with openssl s_client -connect HOST:PORT -showcerts)`;
    }
    if (tls?.caFingerprint) {
      return 'the certificate caFingerprint names is not the CA of the chain the cluster sends: use the fingerprint of the CA that issued the cluster certificate, or set caFile to it';
    }
    return "the cluster certificate is signed by a CA this machine does not trust: set caFile to the CA's PEM file (if it is in the system trust store: /etc/ssl/certs/ca-certificates.crt), or caFingerprint to its SHA-256 fingerprint, or use --insecure";
  }
  return "set caFile (the CA's PEM file) or caFingerprint (its SHA-256), or check the URL scheme (http:// or https://)";
}

/** Map anything a client library (or our own code) threw into a ClusterError. */
export function toClusterError(error: unknown, given: ErrorContext): ClusterError {
  if (error instanceof ClusterError) return error;
  const context = onNode(error, given);
  const err = record(error);
  const name = typeof err?.name === 'string' ? err.name : '';
  const rawMessage = error instanceof Error ? error.message : String(error);
  const message = redact(rawMessage, context.secrets);
  const meta = record(err?.meta);
  const status = typeof meta?.statusCode === 'number' && meta.statusCode > 0 ? meta.statusCode : undefined;

  if (name === 'RequestAbortedError' || name === 'AbortError') {
    return new ClusterError('aborted', `request to ${context.cluster} was cancelled`, { cause: error });
  }
  if (name === 'ProductNotSupportedError') {
    return new ClusterError(
      'product',
      `${context.cluster} is not Elasticsearch — if it is OpenSearch, set backend to "opensearch" or "auto"`,
      { cause: error },
    );
  }
  if (name === 'ResponseError' && status !== undefined) {
    return statusError(status, meta?.body, context, error);
  }
  if (name === 'TimeoutError') {
    const limit = context.timeoutMs ? ` within ${context.timeoutMs} ms` : '';
    return new ClusterError(
      'timeout',
      `no answer from ${context.cluster}${limit} — the cluster is overloaded or a connection is half-open; raise requestTimeout or check the network`,
      { cause: error },
    );
  }
  if (DNS.test(rawMessage)) {
    return new ClusterError(
      'dns',
      `cannot resolve the host name of ${context.cluster} (${message}) — check the node URL and DNS`,
      { cause: error },
    );
  }
  if (TLS.test(rawMessage) && !REFUSED.test(rawMessage)) {
    return new ClusterError(
      'tls',
      `TLS problem talking to ${context.cluster}: ${tlsReason(message)} — ${tlsFix(rawMessage, context.tls)}`,
      { cause: error },
    );
  }
  if (REFUSED.test(rawMessage)) {
    return new ClusterError(
      'unreachable',
      `cannot connect to ${context.cluster}: connection refused — is the cluster running and is the port right?`,
      { cause: error },
    );
  }
  if (name === 'ConnectionError' || name === 'NoLivingConnectionsError' || UNREACHABLE.test(rawMessage)) {
    // A TLS port hangs up on a plain-HTTP request (Elasticsearch 8 serves HTTPS by default).
    const scheme =
      context.tls?.plainHttp && HANG_UP.test(rawMessage)
        ? ' — if the node serves HTTPS (Elasticsearch 8 does by default), use https:// in the node URL'
        : '';
    return new ClusterError('unreachable', `cannot reach ${context.cluster}: ${oneLine(message)}${scheme}`, {
      cause: error,
    });
  }
  if (name === 'DeserializationError') {
    return new ClusterError('bad-response', `${context.cluster} sent a response that is not JSON`, {
      cause: error,
    });
  }
  return new ClusterError('unknown', `${context.cluster}: ${message}`, { cause: error });
}

// The few HTTP calls the engine script makes itself (health, version), with validated responses.
// Note: the Elasticsearch test zip answers `GET /` with 405 (no rest-root module), so its version
// comes from the nodes API.
import { displayName, type EngineKind } from './settings.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** fetch() refuses URLs with credentials: move `user:pass@` into an Authorization header. */
export function splitCredentials(url: string): { base: string; authorization: string | undefined } {
  const parsed = new URL(url);
  let authorization: string | undefined;
  if (parsed.username || parsed.password) {
    authorization = basicAuthorization(
      decodeURIComponent(parsed.username),
      decodeURIComponent(parsed.password),
    );
    parsed.username = '';
    parsed.password = '';
  }
  const base = parsed.toString().replace(/\/$/, '');
  return { base, authorization };
}

interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

async function getJson(
  base: string,
  path: string,
  authorization: string | undefined,
  timeoutMs: number,
): Promise<JsonResponse> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (authorization) headers.authorization = authorization;
  const response = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (e.g. a proxy's error page): keep the text for the error message
  }
  return { status: response.status, headers: response.headers, body };
}

/** True when the cluster answers health with yellow or green within about a second. */
export async function isHealthy(base: string, authorization: string | undefined): Promise<boolean> {
  try {
    const { status, body } = await getJson(
      base,
      '/_cluster/health?wait_for_status=yellow&timeout=1s',
      authorization,
      3000,
    );
    return status === 200 && isRecord(body) && (body.status === 'green' || body.status === 'yellow');
  } catch {
    return false; // not listening yet
  }
}

export interface LocalNode {
  version: string;
  /** The JVM's pid, to check that the port is answered by the server we started. */
  pid: number | undefined;
}

export function parseLocalNode(body: unknown): LocalNode | undefined {
  if (!isRecord(body) || !isRecord(body.nodes)) return undefined;
  const [node] = Object.values(body.nodes);
  if (!isRecord(node) || typeof node.version !== 'string') return undefined;
  const pid = isRecord(node.process) && typeof node.process.id === 'number' ? node.process.id : undefined;
  return { version: node.version, pid };
}

export async function localNode(base: string, authorization: string | undefined): Promise<LocalNode> {
  const { status, body } = await getJson(
    base,
    '/_nodes/_local/process?filter_path=nodes.*.version,nodes.*.process.id',
    authorization,
    10_000,
  );
  const node = status === 200 ? parseLocalNode(body) : undefined;
  if (!node)
    throw new Error(`${base}/_nodes/_local answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
  return node;
}

/**
 * The version a cluster reports, after checking it is the product we expect (tests pointed at the
 * wrong URL should fail here, not with a puzzling error deep in a test).
 */
export async function readServerVersion(url: string, kind: EngineKind): Promise<string> {
  const { base, authorization } = splitCredentials(url);
  const name = displayName(kind);
  if (kind === 'elasticsearch') {
    const { status, headers, body } = await getJson(
      base,
      '/_nodes/_local?filter_path=nodes.*.version',
      authorization,
      10_000,
    );
    if (headers.get('x-elastic-product') !== 'Elasticsearch') {
      throw new Error(
        `${base} does not answer as Elasticsearch (no X-Elastic-Product header; is it OpenSearch?)`,
      );
    }
    const node = status === 200 ? parseLocalNode(body) : undefined;
    if (!node) throw new Error(`${name} at ${base} answered ${status} to the nodes API`);
    return node.version;
  }
  const { status, headers, body } = await getJson(base, '/', authorization, 10_000);
  if (headers.get('x-elastic-product') === 'Elasticsearch') {
    throw new Error(`${base} does not answer as OpenSearch (it is Elasticsearch)`);
  }
  const version = isRecord(body) && isRecord(body.version) ? body.version : undefined;
  if (status !== 200 || !version || typeof version.number !== 'string') {
    throw new Error(`${name} at ${base} answered ${status} to GET /`);
  }
  if (version.distribution !== 'opensearch') {
    throw new Error(
      `${base} does not answer as OpenSearch (version.distribution is ${String(version.distribution)})`,
    );
  }
  return version.number;
}

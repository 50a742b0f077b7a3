// Which product is behind the URL, and which version. Elasticsearch marks every response with
// `X-Elastic-Product: Elasticsearch` (since 7.14); OpenSearch answers `GET /` with
// `version.distribution: "opensearch"`. The Elasticsearch integration-test distributions
// answer `GET /` with 405 (no rest-root module), so the version then comes from
// `GET /_nodes/_local`. We probe with the OpenSearch transport because the Elastic client
// refuses any response without the Elasticsearch product header.
import { type ErrorContext, statusError, toClusterError } from './errors.js';
import { indexPath } from './paths.js';
import type { RawRequest, RawResponse, Transport } from './transport.js';
import { ClusterError, type ClusterInfo } from './types.js';

type Send = (request: RawRequest, ignore?: number[]) => Promise<RawResponse>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `version.number` (and `distribution`) from a `GET /` body, if present. */
export function rootVersion(body: unknown): { number: string; distribution?: string } | undefined {
  const version = isRecord(body) ? body.version : undefined;
  if (!isRecord(version) || typeof version.number !== 'string') return undefined;
  return {
    number: version.number,
    ...(typeof version.distribution === 'string' ? { distribution: version.distribution } : {}),
  };
}

/** The first node's version from `GET /_nodes/_local?filter_path=nodes.*.version`. */
export function nodesVersion(body: unknown): string | undefined {
  const nodes = isRecord(body) ? body.nodes : undefined;
  if (!isRecord(nodes)) return undefined;
  for (const node of Object.values(nodes)) {
    if (isRecord(node) && typeof node.version === 'string') return node.version;
  }
  return undefined;
}

const NODES_VERSION: RawRequest = {
  method: 'GET',
  path: '/_nodes/_local',
  querystring: { filter_path: 'nodes.*.version' },
};

/** Shown when the user may not read the version (GET / and node info need `monitor`). */
export const UNKNOWN_VERSION = 'unknown';

async function versionFromNodes(send: Send): Promise<string> {
  const nodes = await send(NODES_VERSION, [403]);
  return (nodes.status === 200 ? nodesVersion(nodes.body) : undefined) ?? UNKNOWN_VERSION;
}

/**
 * Read the version of a known backend (used by ClusterClient.info). A read-only analyst
 * account usually lacks the `monitor` privilege that GET / and node info need: the version
 * is then `unknown` rather than an error, since nothing else depends on it.
 */
export async function readVersion(send: Send): Promise<string> {
  const root = await send({ method: 'GET', path: '/' }, [403, 404, 405]);
  const fromRoot = root.status === 200 ? rootVersion(root.body) : undefined;
  if (fromRoot) return fromRoot.number;
  return versionFromNodes(send);
}

/**
 * Ask once which product answers. Throws ClusterError (auth, product, unreachable, …).
 * `indexPattern` is searched (size 0) only when GET / is forbidden, to read the product
 * header from an answer a read-only user is allowed to get.
 */
export async function detectBackend(
  transport: Transport,
  context: ErrorContext,
  indexPattern: string,
  signal?: AbortSignal,
): Promise<ClusterInfo> {
  const send: Send = async (request, ignore) => {
    try {
      return await transport.request(request, {
        ...(signal ? { signal } : {}),
        ...(ignore ? { ignore } : {}),
      });
    } catch (error) {
      throw toClusterError(error, { ...context, action: 'detect backend' });
    }
  };
  let root = await send({ method: 'GET', path: '/' }, [401, 403, 404, 405]);
  if (root.status === 401)
    throw statusError(root.status, root.body, { ...context, action: 'detect backend' });
  if (root.status === 403) {
    // Security errors carry no product header; a search the user may run does.
    root = await send(
      {
        method: 'POST',
        path: `/${indexPath(indexPattern)}/_search`,
        querystring: { ignore_unavailable: true, allow_no_indices: true },
        body: { size: 0, track_total_hits: false },
      },
      [403],
    );
    if (root.status === 403) throw statusError(403, root.body, { ...context, action: 'detect backend' });
    if (root.headers['x-elastic-product'] === 'Elasticsearch') {
      return { kind: 'elasticsearch', version: await versionFromNodes(send) };
    }
    return { kind: 'opensearch', version: await versionFromNodes(send) };
  }
  const product = root.headers['x-elastic-product'];
  const fromRoot = root.status === 200 ? rootVersion(root.body) : undefined;
  if (product === 'Elasticsearch') {
    return { kind: 'elasticsearch', version: fromRoot?.number ?? (await versionFromNodes(send)) };
  }
  if (fromRoot?.distribution === 'opensearch') return { kind: 'opensearch', version: fromRoot.number };
  if (fromRoot) {
    throw new ClusterError(
      'product',
      `${context.cluster} runs Elasticsearch ${fromRoot.number}, which soc-watch does not support (Elasticsearch 8/9 or OpenSearch 1–3 are supported)`,
    );
  }
  throw new ClusterError(
    'product',
    `${context.cluster} answered GET / with ${root.status} and is neither Elasticsearch nor OpenSearch — check the node URL`,
  );
}

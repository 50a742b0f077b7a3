// A real multi-node cluster on loopback: N servers of one distribution, every node
// master-eligible and holding data, discovering each other by their transport ports. For the
// faults a node list must survive (a node killed, the elected master killed, a hung node).
import { randomUUID } from 'node:crypto';
import { isHealthy } from './cluster-http.js';
import { ensureDistribution } from './distribution.js';
import { createInstance, sweepOrphans } from './instances.js';
import { jdkFor } from './java.js';
import { sleep } from './processes.js';
import { type EngineHandle, freePort, Server } from './server.js';
import { serverUser } from './server-user.js';
import { DEFAULT_VERSIONS, displayName, type EngineKind, parseCatMaster, parseVersion } from './settings.js';

export interface ClusterOptions {
  kind: EngineKind;
  /** Default: the engine script's default for the kind. */
  version?: string;
  /** How many nodes (default 3: the smallest cluster that survives losing its master). */
  nodes?: number;
  log?: (line: string) => void;
  /** How long each node may take to see a yellow cluster (default 600 s). */
  startTimeoutMs?: number;
  /** Fault drills: the JIT's first tier only, ~40 % less CPU per node start (see EngineOptions). */
  shortLived?: boolean;
}

export interface ClusterNode extends EngineHandle {
  /** `node-0`, `node-1`, … as the cluster knows it (node.name). */
  name: string;
}

export interface ClusterHandle {
  kind: EngineKind;
  version: string;
  /** The nodes' HTTP URLs, in node order: what soc-watch's `nodes` setting takes. */
  urls: string[];
  nodes: ClusterNode[];
  /** The node the cluster has elected master, as one of the other nodes reports it. */
  master(): Promise<ClusterNode>;
  /** Stop every node and delete their data. */
  stop(): Promise<void>;
}

async function electedMaster(url: string): Promise<string | undefined> {
  try {
    // OpenSearch 2+ answers both /_cat/master and /_cat/cluster_manager.
    const response = await fetch(`${url}/_cat/master?format=json`, { signal: AbortSignal.timeout(3000) });
    return response.ok ? parseCatMaster(await response.json()) : undefined;
  } catch {
    return undefined;
  }
}

export async function startCluster(options: ClusterOptions): Promise<ClusterHandle> {
  const { kind } = options;
  const version = options.version ?? DEFAULT_VERSIONS[kind];
  parseVersion(version);
  const count = options.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > 9) throw new Error(`nodes must be 1..9, got ${count}`);
  const log = options.log ?? (() => {});
  sweepOrphans(log);
  const jdk = jdkFor(kind, version);
  const distribution = await ensureDistribution(kind, version, log);
  const user = await serverUser();
  const names = Array.from({ length: count }, (_, index) => `node-${index}`);
  const ports = [];
  for (let index = 0; index < count; index++) {
    ports.push({ http: await freePort(), transport: await freePort() });
  }
  const clusterName = `soc-watch-test-${randomUUID().slice(0, 8)}`;
  const nodes: ClusterNode[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    for (const [index, name] of names.entries()) {
      const port = ports[index];
      if (!port) throw new Error('unreachable: a port per node');
      const { paths, watchdog } = await createInstance(kind, version, distribution, user);
      const server = new Server({
        kind,
        version,
        distribution,
        jdk,
        user,
        paths,
        watchdog,
        httpPort: port.http,
        transportPort: port.transport,
        security: undefined,
        cluster: {
          clusterName,
          nodeName: name,
          initialMasters: names,
          seedHosts: ports.map((p) => `127.0.0.1:${p.transport}`),
        },
        startTimeoutMs: options.startTimeoutMs ?? 600_000,
        shortLived: options.shortLived ?? false,
        log,
      });
      nodes.push(Object.assign(server, { name }));
    }
    // Together: no node reports health before a master is elected, which needs a majority.
    const started = Date.now();
    await Promise.all(nodes.map((node) => (node as unknown as Server).launch()));
    log(
      `${displayName(kind)} ${version}: ${count}-node cluster ${clusterName} up in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const handle: ClusterHandle = {
    kind,
    version: nodes[0]?.version ?? version,
    urls: nodes.map((node) => node.url),
    nodes,
    async master() {
      for (let attempt = 0; attempt < 120; attempt++) {
        for (const node of nodes) {
          const name = await electedMaster(node.url);
          const found = nodes.find((candidate) => candidate.name === name);
          if (found) return found;
        }
        await sleep(500);
      }
      throw new Error(`no node of ${clusterName} names an elected master`);
    },
    stop,
  };
  return handle;
}

/** Waits until `url` reports at least yellow health (e.g. after a node rejoined). */
export async function waitForHealth(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isHealthy(url, undefined))) {
    if (Date.now() > deadline) throw new Error(`${url} did not report yellow health within ${timeoutMs} ms`);
    await sleep(250);
  }
}

// Pure decisions about how to run an Elasticsearch / OpenSearch test distribution: Maven
// coordinates, which JDK fits which version, command line, environment, jvm.options paths.
// Kept free of I/O so they are unit-tested without a server.
import { basename, isAbsolute, join } from 'node:path';

export type EngineKind = 'elasticsearch' | 'opensearch';

export const ENGINE_KINDS: readonly EngineKind[] = ['elasticsearch', 'opensearch'];

/** The versions tests and the demo run against unless asked otherwise (newest served on Maven Central). */
export const DEFAULT_VERSIONS: Readonly<Record<EngineKind, string>> = {
  elasticsearch: '8.19.9',
  opensearch: '2.19.5',
};

/**
 * The version pairs the integration tests run against in CI, oldest first (the first pair is
 * DEFAULT_VERSIONS). ES 9 / OpenSearch 3 need Java 21+ (see javaRequirement).
 */
export const TEST_PAIRS: readonly Readonly<Record<EngineKind, string>>[] = [
  DEFAULT_VERSIONS,
  { elasticsearch: '9.2.0', opensearch: '3.4.0' },
];

export function isEngineKind(value: string): value is EngineKind {
  return value === 'elasticsearch' || value === 'opensearch';
}

export function displayName(kind: EngineKind): string {
  return kind === 'elasticsearch' ? 'Elasticsearch' : 'OpenSearch';
}

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

export function parseVersion(text: string): Version {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (!match) throw new Error(`not a version: "${text}" (expected MAJOR.MINOR.PATCH, e.g. 8.19.9)`);
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** Maven coordinates of the integration-test zip: no bundled JDK, only the modules a test needs. */
export function mavenCoordinates(kind: EngineKind, version: string) {
  const groupId =
    kind === 'elasticsearch'
      ? 'org.elasticsearch.distribution.integ-test-zip'
      : 'org.opensearch.distribution.integ-test-zip';
  const artifactId = kind;
  return {
    groupId,
    artifactId,
    version,
    artifact: `${groupId}:${artifactId}:${version}:zip`,
    /** Path of the zip inside a Maven local repository. */
    repositoryPath: join(...groupId.split('.'), artifactId, version, `${artifactId}-${version}.zip`),
  };
}

export interface JavaRequirement {
  /** Oldest Java major the server starts on. */
  min: number;
  /** Majors known to work, best first. */
  preferred: number[];
}

/** ES 9 and OpenSearch 3 need Java 21+; the 8.x / 2.x lines run on 17 (verified on this machine kind). */
export function javaRequirement(kind: EngineKind, version: string): JavaRequirement {
  const { major } = parseVersion(version);
  const modern = kind === 'elasticsearch' ? major >= 9 : major >= 3;
  if (modern) return { min: 21, preferred: [25, 21] };
  return kind === 'elasticsearch' ? { min: 17, preferred: [17, 21] } : { min: 11, preferred: [17, 21, 11] };
}

export interface Jdk {
  home: string;
  major: number;
}

/** A preferred major if one is installed, else the oldest JDK that is new enough. */
export function chooseJdk(requirement: JavaRequirement, installed: readonly Jdk[]): Jdk | undefined {
  for (const major of requirement.preferred) {
    const hit = installed.find((jdk) => jdk.major === major);
    if (hit) return hit;
  }
  return [...installed].sort((a, b) => a.major - b.major).find((jdk) => jdk.major >= requirement.min);
}

/** Reads JAVA_VERSION from a JDK's `release` file ("17.0.15" → 17, old style "1.8.0_402" → 8). */
export function parseJavaRelease(text: string): number | undefined {
  const match = /^JAVA_VERSION="([^"]+)"/m.exec(text);
  if (!match?.[1]) return undefined;
  const parts = match[1].split(/[._-]/).map(Number);
  const major = parts[0] === 1 ? parts[1] : parts[0];
  return major !== undefined && Number.isInteger(major) ? major : undefined;
}

export interface InstancePaths {
  dir: string;
  config: string;
  data: string;
  logs: string;
  tmp: string;
}

export function instancePaths(dir: string): InstancePaths {
  return {
    dir,
    config: join(dir, 'config'),
    data: join(dir, 'data'),
    logs: join(dir, 'logs'),
    tmp: join(dir, 'tmp'),
  };
}

/** One node of a loopback cluster: every node is master-eligible and holds data. */
export interface ClusterMembership {
  clusterName: string;
  nodeName: string;
  /** Node names that vote in the first election (all of them). */
  initialMasters: string[];
  /** `127.0.0.1:TRANSPORT_PORT` of every node. */
  seedHosts: string[];
}

export interface ServerSettings {
  httpPort: number;
  transportPort: number;
  paths: InstancePaths;
  security: boolean;
  /** Absent: a single-node cluster. */
  cluster?: ClusterMembership;
}

function discovery(kind: EngineKind, cluster: ClusterMembership | undefined): [string, string][] {
  if (!cluster) return [['discovery.type', 'single-node']];
  // OpenSearch renamed "master" to "cluster manager" (2.0); the old key is deprecated there.
  const initial =
    kind === 'elasticsearch' ? 'cluster.initial_master_nodes' : 'cluster.initial_cluster_manager_nodes';
  return [
    ['cluster.name', cluster.clusterName],
    ['node.name', cluster.nodeName],
    ['discovery.seed_hosts', cluster.seedHosts.join(',')],
    [initial, cluster.initialMasters.join(',')],
  ];
}

/**
 * `-E` settings: a loopback node (alone, or one of a loopback cluster), disk watermarks off
 * (machines with nearly full disks).
 */
export function serverArgs(kind: EngineKind, settings: ServerSettings): string[] {
  const values: [string, string][] = [
    ...discovery(kind, settings.cluster),
    ['network.host', '127.0.0.1'],
    ['http.port', String(settings.httpPort)],
    ['transport.port', String(settings.transportPort)],
    ['cluster.routing.allocation.disk.threshold_enabled', 'false'],
    ['path.data', settings.paths.data],
    ['path.logs', settings.paths.logs],
  ];
  if (kind === 'elasticsearch') {
    // The ES zip ships x-pack security; set it explicitly either way so 8.x skips auto-configuration.
    values.push(['xpack.security.enabled', String(settings.security)]);
    if (settings.security) {
      values.push(
        ['xpack.security.http.ssl.enabled', 'false'],
        ['xpack.security.transport.ssl.enabled', 'false'],
      );
    }
  }
  return values.flatMap(([key, value]) => ['-E', `${key}=${value}`]);
}

export const HEAP = '512m';

/**
 * The JIT's first tier only (C1). A JVM that starts, answers a few requests and stops spends
 * most of its CPU compiling with C2: measured on Elasticsearch 8.19.9 (2 cores, loaded), a
 * start to yellow health took 36 s of CPU with both tiers, 21 s with C1 only; an
 * `elasticsearch-users` run 6.6 s and 3.5 s. Not for servers under sustained load (the shared
 * test servers), where C2's faster code pays back.
 */
export const QUICK_JIT = '-XX:TieredStopAtLevel=1';

export interface EnvOptions {
  /** C1 only for the server too (a short-lived server: fault drills). */
  quickJit?: boolean;
}

/**
 * The whole environment of the server process: nothing inherited from the caller, so a stray
 * JAVA_HOME, JAVA_TOOL_OPTIONS or secret in the caller's environment never reaches the JVM.
 */
export function serverEnv(
  kind: EngineKind,
  javaHome: string,
  paths: InstancePaths,
  options: EnvOptions = {},
): Record<string, string> {
  const prefix = kind === 'elasticsearch' ? 'ES' : 'OPENSEARCH';
  const heap = `-Xms${HEAP} -Xmx${HEAP}`;
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: paths.dir,
    LANG: 'C.UTF-8',
    [`${prefix}_JAVA_HOME`]: javaHome,
    [`${prefix}_JAVA_OPTS`]: options.quickJit ? `${heap} ${QUICK_JIT}` : heap,
    [`${prefix}_PATH_CONF`]: paths.config,
    [`${prefix}_TMPDIR`]: paths.tmp,
    // Elasticsearch's launcher and CLI tools (elasticsearch-users, …) are JVMs of their own, each
    // short-lived: always C1 only.
    ...(kind === 'elasticsearch' ? { CLI_JAVA_OPTS: QUICK_JIT } : {}),
  };
}

/**
 * jvm.options names GC logs, error files and heap dumps relative to the working directory, which
 * is the shared (read-only) distribution for OpenSearch. Point them into the instance instead.
 */
export function rewriteJvmOptions(text: string, paths: InstancePaths): string {
  const inLogs = (path: string) => (isAbsolute(path) ? path : join(paths.logs, basename(path)));
  return text
    .split('\n')
    .map((line) => {
      if (line.trimStart().startsWith('#')) return line;
      return line
        .replace(/(-XX:HeapDumpPath=)(\S+)/, (_, flag: string, path: string) =>
          isAbsolute(path) ? flag + path : flag + paths.logs,
        )
        .replace(/(-XX:ErrorFile=)(\S+)/, (_, flag: string, path: string) => flag + inLogs(path))
        .replace(/(-Xloggc:)(\S+)/, (_, flag: string, path: string) => flag + inLogs(path))
        .replace(/(-Xlog:\S*?:file=)([^:\s]+)/, (_, flag: string, path: string) => flag + inLogs(path));
    })
    .join('\n');
}

/** `bin/elasticsearch-service-tokens create` prints `SERVICE_TOKEN elastic/kibana/NAME = TOKEN`. */
export function parseServiceToken(output: string): string | undefined {
  return /^SERVICE_TOKEN\s+\S+\s*=\s*(\S+)\s*$/m.exec(output)?.[1];
}

/** The last `count` non-empty lines, for error messages about a server that did not start. */
export function lastLines(text: string, count: number): string[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(-count);
}

/** Startup failures caused by a port someone else took between our probe and the bind. */
export function looksLikeBindFailure(log: string): boolean {
  return /BindException|BindHttpException|BindTransportException|Address already in use/.test(log);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The elected master's node name from `GET /_cat/master?format=json` (`[{ node: … }]`). */
export function parseCatMaster(body: unknown): string | undefined {
  const [first] = Array.isArray(body) ? body : [];
  return isRecord(first) && typeof first.node === 'string' ? first.node : undefined;
}

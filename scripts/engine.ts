// Real Elasticsearch / OpenSearch servers for the tests and the demo: a library (startEngine,
// ensureDistribution) and a CLI (`npm run engine -- start elasticsearch`, `npm run engine -- fetch`).
import { parseArgs } from 'node:util';
import { startCluster } from './engine/cluster.js';
import { ensureDistribution } from './engine/distribution.js';
import { sweepOrphans } from './engine/instances.js';
import { jdkFor } from './engine/java.js';
import { type EngineUser, startEngine } from './engine/server.js';
import {
  DEFAULT_VERSIONS,
  displayName,
  ENGINE_KINDS,
  type EngineKind,
  isEngineKind,
  TEST_PAIRS,
} from './engine/settings.js';

export type { ClusterHandle, ClusterNode, ClusterOptions } from './engine/cluster.js';
export { startCluster, waitForHealth } from './engine/cluster.js';
export { readServerVersion, splitCredentials } from './engine/cluster-http.js';
export { ensureDistribution } from './engine/distribution.js';
export { sweepOrphans } from './engine/instances.js';
export type { EngineHandle, EngineOptions, EngineUser } from './engine/server.js';
export { startEngine } from './engine/server.js';
export { DEFAULT_VERSIONS, displayName, type EngineKind, TEST_PAIRS } from './engine/settings.js';

const USAGE = `Usage: npm run engine -- <command>

  start <elasticsearch|opensearch> [VERSION] [--port N] [--user NAME:PASSWORD:ROLE]…
        Start one server on 127.0.0.1, print its URL, keep it running until Ctrl+C.
        --user (Elasticsearch only, repeatable) turns security on with file-realm users.
  start <elasticsearch|opensearch> [VERSION] --nodes N
        Start an N-node cluster on 127.0.0.1 (every node master-eligible, holding data) and
        print its node list (for soc-watch's \`nodes\` setting), until Ctrl+C.
  fetch [KIND[@VERSION]]…
        Fetch and unpack distributions (default: every version in the test pairs).
  pairs Print the version pairs the integration tests run against, one
        "ELASTICSEARCH_VERSION OPENSEARCH_VERSION" per line (.ci/run reads them).
  sweep Stop servers left behind by processes that died, and delete their data.

Defaults: Elasticsearch ${DEFAULT_VERSIONS.elasticsearch}, OpenSearch ${DEFAULT_VERSIONS.opensearch}.
Environment: SOC_WATCH_JAVA_HOME (JDK to use), SOC_WATCH_ENGINE_HOME (cache and instances),
SOC_WATCH_MAVEN_REPO (Maven local repository), SOC_WATCH_ENGINE_USER (server user when root).`;

class UsageError extends Error {}

function log(line: string): void {
  process.stderr.write(`engine: ${line}\n`);
}

function parseKind(value: string | undefined): EngineKind {
  if (value === undefined || !isEngineKind(value)) {
    throw new UsageError(
      `expected elasticsearch or opensearch, got ${value === undefined ? 'nothing' : `"${value}"`}`,
    );
  }
  return value;
}

function parseUser(text: string): EngineUser {
  const [name, password, role, ...rest] = text.split(':');
  if (!name || !password || !role || rest.length > 0) throw new UsageError('--user takes NAME:PASSWORD:ROLE');
  return { name, password, role };
}

async function startCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      user: { type: 'string', multiple: true },
      nodes: { type: 'string' },
    },
  });
  const kind = parseKind(positionals[0]);
  const version = positionals[1] ?? DEFAULT_VERSIONS[kind];
  if (positionals.length > 2) throw new UsageError(`unexpected argument "${positionals[2]}"`);
  if (values.nodes !== undefined) {
    const nodes = Number(values.nodes);
    if (!(Number.isInteger(nodes) && nodes >= 1 && nodes <= 9)) {
      throw new UsageError(`--nodes must be a number from 1 to 9, got "${values.nodes}"`);
    }
    if (values.port !== undefined || values.user !== undefined) {
      throw new UsageError('--nodes takes free ports and runs without security (no --port, no --user)');
    }
    const cluster = await startCluster({ kind, version, nodes, log });
    process.stdout.write(
      `${displayName(kind)} ${cluster.version}, ${nodes} nodes: ${cluster.urls.join(',')} (Ctrl+C stops them)\n`,
    );
    stayUntilSignal(log, `the ${displayName(kind)} cluster`, () => cluster.stop());
    return;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new UsageError(`--port must be a TCP port number, got "${values.port}"`);
  }
  const users = (values.user ?? []).map(parseUser);
  const handle = await startEngine({
    kind,
    version,
    log,
    ...(port === undefined ? {} : { port }),
    ...(users.length > 0 ? { security: { users } } : {}),
  });
  process.stdout.write(`${displayName(kind)} ${handle.version} at ${handle.url} (Ctrl+C stops it)\n`);
  stayUntilSignal(log, displayName(kind), () => handle.stop());
}

function stayUntilSignal(log: (line: string) => void, what: string, stop: () => Promise<void>): void {
  // Our own handlers: the library then leaves these signals to us and we stop in order.
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130); // impatient second Ctrl+C: the exit hook kills the server
    stopping = true;
    log(`${signal}: stopping ${what}…`);
    void stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  // Stay in the foreground (the server's process handles are unref'd on purpose).
  setInterval(() => {}, 1 << 30);
}

async function fetchCommand(args: string[]): Promise<void> {
  const everyPair = TEST_PAIRS.flatMap((pair) => ENGINE_KINDS.map((kind) => `${kind}@${pair[kind]}`));
  const targets = args.length > 0 ? args : everyPair;
  for (const target of targets) {
    const [kindText, versionText] = target.split('@');
    const kind = parseKind(kindText);
    const version = versionText || DEFAULT_VERSIONS[kind];
    const jdk = jdkFor(kind, version); // fail here, not in the middle of a test run
    const dir = await ensureDistribution(kind, version, log);
    process.stdout.write(`${displayName(kind)} ${version}: ${dir} (Java ${jdk.major} at ${jdk.home})\n`);
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return startCommand(rest);
    case 'fetch':
      return fetchCommand(rest);
    case 'pairs':
      for (const pair of TEST_PAIRS) process.stdout.write(`${pair.elasticsearch} ${pair.opensearch}\n`);
      return;
    case 'sweep':
      process.stdout.write(`removed ${sweepOrphans(log)} leftover instance(s)\n`);
      return;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    if (
      error instanceof UsageError ||
      (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      process.stderr.write(`engine: ${error.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`engine: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

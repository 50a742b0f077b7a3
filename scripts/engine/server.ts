// Starts one Elasticsearch / OpenSearch test server and hands back a handle to stop, restart or
// crash it. The server runs detached in its own process group (Ctrl+C in the terminal reaches us,
// not the JVM, so we stop it in order) under the unprivileged server user when we are root.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { basicAuthorization, isHealthy, localNode } from './cluster-http.js';
import { ensureDistribution, type Log } from './distribution.js';
import { createInstance, killInstanceProcesses, removeInstance, sweepOrphans } from './instances.js';
import { jdkFor } from './java.js';
import { track } from './lifecycle.js';
import { groupMembers, killGroupSync, signalProcess, sleep, terminateGroup } from './processes.js';
import { type ServerUser, serverUser } from './server-user.js';
import {
  type ClusterMembership,
  DEFAULT_VERSIONS,
  displayName,
  type EngineKind,
  type InstancePaths,
  type Jdk,
  lastLines,
  looksLikeBindFailure,
  parseServiceToken,
  parseVersion,
  serverArgs,
  serverEnv,
} from './settings.js';
import type { Watchdog } from './watchdog.js';

const run = promisify(execFile);

export interface EngineUser {
  name: string;
  password: string;
  /** A built-in role: superuser, viewer, editor, … */
  role: string;
}

export interface EngineOptions {
  kind: EngineKind;
  /** Default: Elasticsearch 8.19.9, OpenSearch 2.19.5. */
  version?: string;
  /** Default: a free port. */
  port?: number;
  /** Elasticsearch only: security on, file-realm users, optionally an `elastic/kibana` service token. */
  security?: { users: EngineUser[]; serviceToken?: boolean };
  /** Progress lines ("fetching…", "started in 6.1 s"). */
  log?: (line: string) => void;
  /** How long to wait for yellow health on each start (default 600 s: over 300 s seen on a 2-core machine at load 58). */
  startTimeoutMs?: number;
  /**
   * A server that starts, takes a few requests and stops (fault drills): the JIT's first tier
   * only, ~40 % less CPU to start (settings.ts QUICK_JIT). Not for sustained load.
   */
  shortLived?: boolean;
}

export interface EngineHandle {
  kind: EngineKind;
  /** As the server itself reports it. */
  version: string;
  /** http://127.0.0.1:PORT */
  url: string;
  serviceToken?: string;
  /** Directory with this server's config, data and logs; deleted by stop(). */
  instanceDir: string;
  /** Kill the process tree, wait for it, delete the data. Idempotent. */
  stop(): Promise<void>;
  /** Graceful stop keeping the data, then start again on the same port and wait for health. */
  restart(): Promise<void>;
  /** Crash the server (SIGKILL), keeping data and port: for "server down mid-run" tests. */
  kill(): Promise<void>;
  /** Start again after kill(). */
  start(): Promise<void>;
  /** Freeze the server (SIGSTOP): it keeps its connections and accepts new ones, but never answers. */
  pause(): Promise<void>;
  /** Thaw it after pause() (SIGCONT). */
  resume(): Promise<void>;
}

const STOP_GRACE_MS = 20_000;
const reservedPorts = new Set<number>();

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', () => {
      const address = probe.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      probe.close(() => resolve(bound));
    });
  });
}

/** A port nobody listens on now and that we have not handed out in this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await listenOnce(0);
    if (!reservedPorts.has(port)) {
      reservedPorts.add(port);
      return port;
    }
  }
  throw new Error('could not find a free TCP port on 127.0.0.1');
}

async function isPortFree(port: number): Promise<boolean> {
  try {
    await listenOnce(port);
    return true;
  } catch {
    return false;
  }
}

class StartFailure extends Error {
  constructor(
    message: string,
    readonly bindFailure: boolean,
  ) {
    super(message);
  }
}

export interface ServerSpec {
  kind: EngineKind;
  version: string;
  distribution: string;
  jdk: Jdk;
  user: ServerUser;
  paths: InstancePaths;
  watchdog: Watchdog;
  httpPort: number;
  transportPort: number;
  security: EngineOptions['security'];
  cluster?: ClusterMembership;
  startTimeoutMs: number;
  shortLived: boolean;
  log: Log;
}

export class Server implements EngineHandle {
  readonly kind: EngineKind;
  version: string;
  readonly url: string;
  readonly instanceDir: string;
  serviceToken?: string;
  private state: 'down' | 'running' | 'stopped' = 'down';
  private group: number | undefined;
  private authorization: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly untrack: () => void;

  constructor(private readonly spec: ServerSpec) {
    this.kind = spec.kind;
    this.version = spec.version;
    this.url = `http://127.0.0.1:${spec.httpPort}`;
    this.instanceDir = spec.paths.dir;
    // Tracked from the first moment, so an exit during startup still cleans up.
    this.untrack = track({ stop: () => this.stop(), stopNow: () => this.stopNow() });
  }

  private get title(): string {
    const node = this.spec.cluster ? ` ${this.spec.cluster.nodeName}` : '';
    return `${displayName(this.kind)} ${this.version}${node}`;
  }

  /** Operations run one at a time, in call order. */
  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async tool(name: string, args: string[]): Promise<string> {
    const { spec } = this;
    try {
      const { stdout } = await run(join(spec.distribution, 'bin', name), args, {
        cwd: spec.paths.dir,
        env: serverEnv(spec.kind, spec.jdk.home, spec.paths, { quickJit: spec.shortLived }),
        ...(spec.user.switched ? { uid: spec.user.uid, gid: spec.user.gid } : {}),
      });
      return stdout;
    } catch (error) {
      const stderr = error instanceof Error && 'stderr' in error ? String(error.stderr) : '';
      // The arguments may hold a password: report the tool and its output only.
      throw new Error(
        `bin/${name} ${args[0] ?? ''} failed: ${lastLines(stderr, 10).join('\n') || String(error)}`,
      );
    }
  }

  /** File-realm users and a service token, written into the instance's config before start. */
  async configureSecurity(): Promise<void> {
    const security = this.spec.security;
    if (!security) return;
    for (const user of security.users) {
      await this.tool('elasticsearch-users', ['useradd', user.name, '-p', user.password, '-r', user.role]);
    }
    if (security.serviceToken) {
      const output = await this.tool('elasticsearch-service-tokens', [
        'create',
        'elastic/kibana',
        'soc-watch',
      ]);
      const token = parseServiceToken(output);
      if (!token) throw new Error('bin/elasticsearch-service-tokens printed no token');
      this.serviceToken = token;
    }
    // Health checks need credentials now: a superuser if there is one, else any user, else the token.
    const user = security.users.find((u) => u.role === 'superuser') ?? security.users[0];
    if (user) this.authorization = basicAuthorization(user.name, user.password);
    else if (this.serviceToken) this.authorization = `Bearer ${this.serviceToken}`;
    else throw new Error('security needs at least one user or serviceToken: true');
  }

  private outputTail(): string {
    try {
      return lastLines(readFileSync(join(this.spec.paths.dir, 'server.out'), 'utf8'), 30).join('\n');
    } catch {
      return '(no output)';
    }
  }

  /** Spawns the server and waits for yellow health. On failure nothing is left running. */
  async launch(): Promise<void> {
    const { spec } = this;
    const started = Date.now();
    spec.log(`starting ${this.title} on 127.0.0.1:${spec.httpPort} (Java ${spec.jdk.major})…`);
    // Console output of every start goes to one file; its tail explains a failed start.
    const output = openSync(join(spec.paths.dir, 'server.out'), 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        join(spec.distribution, 'bin', spec.kind),
        serverArgs(spec.kind, {
          httpPort: spec.httpPort,
          transportPort: spec.transportPort,
          paths: spec.paths,
          security: spec.security !== undefined,
          ...(spec.cluster ? { cluster: spec.cluster } : {}),
        }),
        {
          cwd: spec.paths.dir,
          env: serverEnv(spec.kind, spec.jdk.home, spec.paths, { quickJit: spec.shortLived }),
          detached: true,
          stdio: ['ignore', output, output],
          ...(spec.user.switched ? { uid: spec.user.uid, gid: spec.user.gid } : {}),
        },
      );
    } finally {
      closeSync(output);
    }
    let exit: string | undefined;
    let spawnError: Error | undefined;
    child.once('error', (error) => {
      spawnError = error;
    });
    child.once('exit', (code, signal) => {
      exit = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    });
    child.unref();
    this.group = child.pid;

    const fail = async (reason: string): Promise<never> => {
      await this.halt('hard');
      const tail = this.outputTail();
      throw new StartFailure(
        `${this.title} did not start on port ${spec.httpPort}: ${reason}.\nLast lines of its output:\n${tail}`,
        looksLikeBindFailure(tail),
      );
    };

    const deadline = started + spec.startTimeoutMs;
    for (;;) {
      if (spawnError) return fail(`could not run bin/${spec.kind} (${spawnError.message})`);
      if (exit) return fail(`it ${exit}`);
      if (await isHealthy(this.url, this.authorization)) break;
      if (Date.now() > deadline)
        return fail(`no yellow health within ${Math.round(spec.startTimeoutMs / 1000)} s`);
      await sleep(250);
    }
    const node = await localNode(this.url, this.authorization).catch((error: unknown) =>
      fail(error instanceof Error ? error.message : String(error)),
    );
    // Health came from *some* server on this port; make sure it is ours.
    if (node.pid !== undefined && this.group !== undefined && !groupMembers(this.group).includes(node.pid)) {
      return fail(`port ${spec.httpPort} is answered by another server (pid ${node.pid})`);
    }
    this.version = node.version;
    this.state = 'running';
    spec.log(`${this.title} started in ${((Date.now() - started) / 1000).toFixed(1)} s at ${this.url}`);
  }

  /** Ends the server process tree; the instance directory (and its watchdog) stay. */
  private async halt(how: 'graceful' | 'hard'): Promise<void> {
    const group = this.group;
    this.group = undefined;
    if (group !== undefined) {
      // A paused (SIGSTOPped) server only acts on SIGTERM once it runs again.
      signalProcess(-group, 'SIGCONT');
      if (how === 'graceful') await terminateGroup(group, STOP_GRACE_MS);
      else {
        signalProcess(-group, 'SIGKILL');
        const deadline = Date.now() + 10_000;
        while (groupMembers(group).length > 0 && Date.now() < deadline) await sleep(20);
      }
    }
    // Belt and braces: a process that left the group (none should) still names our directory.
    killInstanceProcesses(this.spec.paths.dir);
    this.state = this.state === 'stopped' ? 'stopped' : 'down';
  }

  private stopNow(): void {
    if (this.group !== undefined) killGroupSync(this.group);
    killInstanceProcesses(this.spec.paths.dir);
    removeInstance(this.spec.paths.dir);
    this.spec.watchdog.dismiss();
    this.state = 'stopped';
  }

  stop(): Promise<void> {
    return this.serially(async () => {
      if (this.state === 'stopped') return;
      await this.halt('graceful');
      removeInstance(this.spec.paths.dir);
      // Only now: had we died during the stop, the watchdog would have finished it.
      this.spec.watchdog.dismiss();
      this.state = 'stopped';
      reservedPorts.delete(this.spec.httpPort);
      reservedPorts.delete(this.spec.transportPort);
      this.untrack();
    });
  }

  kill(): Promise<void> {
    return this.serially(async () => {
      if (this.state !== 'running') return;
      await this.halt('hard');
    });
  }

  pause(): Promise<void> {
    return this.serially(async () => {
      if (this.state !== 'running' || this.group === undefined)
        throw new Error(`${this.title} is not running`);
      signalProcess(-this.group, 'SIGSTOP');
    });
  }

  resume(): Promise<void> {
    return this.serially(async () => {
      if (this.group !== undefined) signalProcess(-this.group, 'SIGCONT');
    });
  }

  start(): Promise<void> {
    return this.serially(async () => {
      if (this.state === 'stopped') throw new Error(`${this.title} was stopped; start a new one`);
      if (this.state === 'running' && this.group !== undefined && groupMembers(this.group).length > 0) return;
      // Down, or crashed on its own: clear what is left (the watchdog), then launch.
      await this.halt('hard');
      await this.launch();
    });
  }

  restart(): Promise<void> {
    return this.serially(async () => {
      if (this.state === 'stopped') throw new Error(`${this.title} was stopped; start a new one`);
      await this.halt('graceful');
      await this.launch();
    });
  }
}

/**
 * Starts a real Elasticsearch or OpenSearch on 127.0.0.1 (fetching and unpacking it on first
 * use) and resolves once it reports yellow health. It never outlives this process.
 */
export async function startEngine(options: EngineOptions): Promise<EngineHandle> {
  const { kind } = options;
  const version = options.version ?? DEFAULT_VERSIONS[kind];
  parseVersion(version);
  if (options.security && kind !== 'elasticsearch') {
    throw new Error(
      'security is only available for Elasticsearch (the OpenSearch test zip has no security plugin)',
    );
  }
  const log = options.log ?? (() => {});
  sweepOrphans(log);
  const jdk = jdkFor(kind, version); // before any download: a missing JDK should fail fast
  const distribution = await ensureDistribution(kind, version, log);
  const user = await serverUser();
  if (options.port !== undefined && !(await isPortFree(options.port))) {
    throw new Error(`port ${options.port} on 127.0.0.1 is already in use`);
  }
  const attempts = options.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const httpPort = options.port ?? (await freePort());
    if (options.port !== undefined) reservedPorts.add(httpPort);
    const transportPort = await freePort();
    const { paths, watchdog } = await createInstance(kind, version, distribution, user);
    const server = new Server({
      kind,
      version,
      distribution,
      jdk,
      user,
      paths,
      watchdog,
      httpPort,
      transportPort,
      security: options.security,
      startTimeoutMs: options.startTimeoutMs ?? 600_000,
      shortLived: options.shortLived ?? false,
      log,
    });
    try {
      await server.configureSecurity();
      await server.launch();
      return server;
    } catch (error) {
      await server.stop();
      // Someone took a port between our probe and the server's bind: try fresh ports.
      if (error instanceof StartFailure && error.bindFailure && attempt < attempts) {
        log(`port clash on ${httpPort}/${transportPort}, retrying with other ports`);
        continue;
      }
      throw error;
    }
  }
}

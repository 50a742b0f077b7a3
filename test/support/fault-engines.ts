// Disposable Elasticsearch servers for fault drills (SIGKILL, SIGSTOP, restart, a secured server
// for 401/403), shared by every test file of a run instead of one start per file. Runs inside
// the integration project's global setup (vitest's main process), which owns the servers; test
// files, in worker processes, reach them through a small HTTP control service on loopback
// (client: fault-engine.ts). A file leases a server for its whole drill (one file at a time per
// server: a drill kills or freezes it), and may kill / start / pause / resume it meanwhile.
//
// Why: each server start costs 20–40 s of CPU on a 2-core CI machine that is already saturated;
// seven files started nine servers between them (plus six CLI-tool JVMs for users).
//
// A server is started on its first lease (a run that needs none starts none), a second of the
// same kind only while the first is held, made whole again at each lease (resumed, started if
// a drill left it killed), and stopped in teardown, which also checks that stop() left no
// process and no directory behind.
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pidsWithArgument } from '../../scripts/engine/processes.js';
import { type EngineHandle, startEngine } from '../../scripts/engine.js';
import {
  type FaultEngineInfo,
  type FaultEngineName,
  type FaultEngineOp,
  isFaultEngineOp,
  SECURED_USERS,
} from './fault-engine-protocol.js';

interface Instance {
  handle: Promise<EngineHandle>;
  /** Lease id of the file holding the server, if any. */
  holder?: string;
  /** Left killed by the last drill: the next lease starts it. */
  down: boolean;
}

export interface FaultEngineService {
  url: string;
  close(): Promise<void>;
}

/**
 * At most this many servers of a kind: one per vitest worker (vitest.config.ts maxWorkers), so a
 * file never idles while another file's drill holds the only server (a drill sleeps through
 * outages of 10–20 s; a second server costs one start instead).
 */
const MAX_PER_KIND = 2;

export async function startFaultEngineService(options: {
  esVersion: string;
  log: (line: string) => void;
}): Promise<FaultEngineService> {
  const pools: Record<FaultEngineName, Instance[]> = { plain: [], secured: [] };
  const waiting: Record<FaultEngineName, (() => void)[]> = { plain: [], secured: [] };
  const started: EngineHandle[] = [];
  let leases = 0;

  const launch = (name: FaultEngineName): Promise<EngineHandle> => {
    options.log(`starting a ${name} fault-drill Elasticsearch ${options.esVersion}`);
    const handle = startEngine({
      kind: 'elasticsearch',
      version: options.esVersion,
      shortLived: true,
      log: options.log,
      ...(name === 'secured'
        ? { security: { users: Object.values(SECURED_USERS), serviceToken: true } }
        : {}),
    });
    handle.then(
      (engine) => started.push(engine),
      () => {},
    );
    return handle;
  };

  /** A free server, running ones first; a new one while there are fewer than MAX_PER_KIND. */
  function claim(name: FaultEngineName, id: string): Instance | undefined {
    const pool = pools[name];
    const free = pool.filter((instance) => instance.holder === undefined);
    let chosen = free.find((instance) => !instance.down) ?? free[0];
    if (!chosen && pool.length < MAX_PER_KIND) {
      chosen = { handle: launch(name), down: false };
      pool.push(chosen);
    }
    if (chosen) chosen.holder = id;
    return chosen;
  }

  function held(name: FaultEngineName, id: string): Instance | undefined {
    return pools[name].find((instance) => instance.holder === id);
  }

  async function lease(name: FaultEngineName): Promise<FaultEngineInfo> {
    const id = `${name}-${++leases}`;
    let instance = claim(name, id);
    while (!instance) {
      await new Promise<void>((resolve) => waiting[name].push(resolve));
      instance = claim(name, id);
    }
    try {
      const engine = await instance.handle;
      // Whole again, whatever the last drill left: thawed, and running.
      await engine.resume();
      await engine.start();
      instance.down = false;
      return {
        lease: id,
        url: engine.url,
        version: engine.version,
        instanceDir: engine.instanceDir,
        ...(engine.serviceToken ? { serviceToken: engine.serviceToken } : {}),
      };
    } catch (error) {
      // A server that failed to start is dropped: the next lease starts another.
      pools[name] = pools[name].filter((other) => other !== instance);
      waiting[name].shift()?.();
      throw error;
    }
  }

  function release(name: FaultEngineName, instance: Instance): void {
    instance.holder = undefined;
    waiting[name].shift()?.();
  }

  async function operate(name: FaultEngineName, id: string, op: FaultEngineOp): Promise<void> {
    const instance = held(name, id);
    if (!instance) throw new Error(`lease ${id} does not hold a ${name} server`);
    const engine = await instance.handle;
    switch (op) {
      case 'kill':
        instance.down = true;
        return engine.kill();
      case 'start':
      case 'restart':
        await (op === 'start' ? engine.start() : engine.restart());
        instance.down = false;
        return;
      case 'pause':
        return engine.pause();
      case 'resume':
        return engine.resume();
      case 'release':
        await engine.resume();
        return release(name, instance);
    }
  }

  const server = http.createServer((request, response) => {
    // POST /NAME/lease, POST /NAME/OP?lease=ID
    const url = new URL(request.url ?? '/', 'http://control');
    const [, name, op] = url.pathname.split('/');
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'POST' || (name !== 'plain' && name !== 'secured')) {
      reply(404, { error: `no such route ${request.method} ${url.pathname}` });
      return;
    }
    const done =
      op === 'lease'
        ? lease(name)
        : isFaultEngineOp(op)
          ? operate(name, url.searchParams.get('lease') ?? '', op).then(() => ({}))
          : Promise.reject(new Error(`unknown operation ${op}`));
    done.then(
      (body) => reply(200, body),
      (error: unknown) => reply(500, { error: error instanceof Error ? error.message : String(error) }),
    );
  });
  // Leases wait for other files' drills and for server starts: minutes on a loaded machine.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled(
        Object.values(pools).flatMap((pool) => pool.map((instance) => instance.handle)),
      );
      await Promise.all(started.map((engine) => engine.stop()));
      // stop() must leave nothing behind (it used to be checked by a file that started its own).
      const left = started.flatMap((engine) => [
        ...pidsWithArgument(engine.instanceDir).map((pid) => `process ${pid}`),
        ...(existsSync(engine.instanceDir) ? [engine.instanceDir] : []),
      ]);
      if (left.length > 0) throw new Error(`fault-drill servers left behind: ${left.join(', ')}`);
    },
  };
}

// A disposable Elasticsearch for fault drills, leased from the run's shared pool
// (fault-engines.ts, in the global setup) instead of started per file: see there for why.
//
//   const engine = await leaseFaultEngine('plain');   // in beforeAll: waits for its turn
//   await engine.kill(); await engine.start();         // SIGKILL, start again (same port, same data)
//   await engine.pause(); await engine.resume();       // SIGSTOP / SIGCONT
//   await engine.release();                            // in afterAll: thawed, handed to the next file
//
// 'plain': no security. 'secured': security on, the file-realm users of SECURED_USERS and an
// `elastic/kibana` service token. Both run the version of the run's shared Elasticsearch.
// Use unique index names: the next file gets the same server, data and all.
import http from 'node:http';
import { inject } from 'vitest';
import type { EngineHandle } from '../../scripts/engine.js';
import type { FaultEngineInfo, FaultEngineName, FaultEngineOp } from './fault-engine-protocol.js';

export { type FaultEngineName, SECURED_USERS } from './fault-engine-protocol.js';

export interface FaultEngine
  extends Pick<
    EngineHandle,
    'url' | 'version' | 'instanceDir' | 'serviceToken' | 'kill' | 'start' | 'pause' | 'resume' | 'restart'
  > {
  /** Thaw the server and hand it to the next file. Idempotent. */
  release(): Promise<void>;
}

/** POST without a timeout: a lease waits for other files' drills and server starts (minutes under load). */
function post(base: string, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${base}${path}`, { method: 'POST' }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => {
        try {
          const body = JSON.parse(text) as { error?: string };
          if (response.statusCode === 200) resolve(body);
          else reject(new Error(`fault-drill server: ${body.error ?? response.statusCode}`));
        } catch (error) {
          reject(error);
        }
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

/** False in the shared scope (vitest.config.ts): drills then skip, `describe.skipIf(!faultDrills())`. */
export function faultDrills(): boolean {
  return inject('faultEngines') !== '';
}

export async function leaseFaultEngine(name: FaultEngineName): Promise<FaultEngine> {
  const base = inject('faultEngines');
  if (!base) {
    throw new Error(
      'no fault-drill servers in the shared scope (SOC_WATCH_TEST_SCOPE=shared): list the file in ' +
        "vitest.config.ts's NOT_IN_SHARED_SCOPE, or skip its drills unless faultDrills()",
    );
  }
  const info = (await post(base, `/${name}/lease`)) as FaultEngineInfo;
  let released = false;
  const op = (what: FaultEngineOp) => async () => {
    await post(base, `/${name}/${what}?lease=${encodeURIComponent(info.lease)}`);
  };
  const release = op('release');
  return {
    url: info.url,
    version: info.version,
    instanceDir: info.instanceDir,
    ...(info.serviceToken ? { serviceToken: info.serviceToken } : {}),
    kill: op('kill'),
    start: op('start'),
    pause: op('pause'),
    resume: op('resume'),
    restart: op('restart'),
    async release() {
      if (released) return;
      released = true;
      await release();
    },
  };
}

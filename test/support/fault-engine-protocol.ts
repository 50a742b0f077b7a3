// What the fault-drill server pool (fault-engines.ts, global setup) and its client
// (fault-engine.ts, test files) agree on. No vitest import: the global setup loads this too.
import type { EngineUser } from '../../scripts/engine.js';

export type FaultEngineName = 'plain' | 'secured';

export const FAULT_ENGINE_OPS = ['kill', 'start', 'pause', 'resume', 'restart', 'release'] as const;
export type FaultEngineOp = (typeof FAULT_ENGINE_OPS)[number];

export function isFaultEngineOp(value: string | undefined): value is FaultEngineOp {
  return (FAULT_ENGINE_OPS as readonly (string | undefined)[]).includes(value);
}

/** Users of the secured server (each test that needs one picks its own). */
export const SECURED_USERS = {
  analyst: { name: 'analyst', password: 'analyst-pw-1', role: 'superuser' },
  watcher: { name: 'watcher', password: 'viewer-pw-1', role: 'viewer' },
  admin: { name: 'soc-admin', password: 'admin-pw-123', role: 'superuser' },
  viewer: { name: 'soc-viewer', password: 'viewer-pw-123', role: 'viewer' },
} as const satisfies Record<string, EngineUser>;

/** The answer to a lease. */
export interface FaultEngineInfo {
  lease: string;
  url: string;
  version: string;
  /** The server's instance directory (its processes name it on their command line). */
  instanceDir: string;
  serviceToken?: string;
}

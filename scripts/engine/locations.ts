// Where distributions and running instances live. Not under ~ : root's home is mode 0700, so the
// unprivileged server user could not read a distribution unpacked there.
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { isRoot } from './server-user.js';

/** Cached unpacked distributions (`<kind>-<version>/`) and per-run instances (`instances/`). */
export function engineHome(): string {
  const override = process.env.SOC_WATCH_ENGINE_HOME;
  if (override) return override;
  // A non-root user cannot write into a directory root made earlier, so each user gets its own.
  return isRoot() ? '/var/tmp/soc-watch-engines' : `/var/tmp/soc-watch-engines-${userInfo().username}`;
}

export function distributionsRoot(): string {
  return engineHome();
}

export function instancesRoot(): string {
  return join(engineHome(), 'instances');
}

/** Maven's local repository (`SOC_WATCH_MAVEN_REPO` overrides, and is then passed to mvn). */
export function mavenRepository(): string {
  return process.env.SOC_WATCH_MAVEN_REPO ?? join(homedir(), '.m2', 'repository');
}

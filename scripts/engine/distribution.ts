// Obtains a test distribution: the zip from Maven Central by coordinates (cached in the Maven
// local repository), unpacked once into the engine home (cached across runs).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jarTool } from './java.js';
import { distributionsRoot, mavenRepository } from './locations.js';
import { displayName, type EngineKind, lastLines, mavenCoordinates, parseVersion } from './settings.js';

const run = promisify(execFile);

export type Log = (line: string) => void;

function describe(error: unknown): string {
  if (error instanceof Error) {
    const output = [
      'stdout' in error ? String(error.stdout) : '',
      'stderr' in error ? String(error.stderr) : '',
    ].join('\n');
    const tail = lastLines(output, 15).join('\n');
    return tail ? `${error.message.split('\n')[0]}\n${tail}` : error.message;
  }
  return String(error);
}

function isMissingCommand(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

// Maven 3.8 does not lock its local repository; parallel first runs could write the same plugin jars.
let mavenQueue: Promise<unknown> = Promise.resolve();

/** Path of the zip in the Maven local repository, fetched with `mvn dependency:get` if missing. */
export async function ensureZip(kind: EngineKind, version: string, log: Log): Promise<string> {
  const coordinates = mavenCoordinates(kind, version);
  const repository = mavenRepository();
  const zip = join(repository, coordinates.repositoryPath);
  if (existsSync(zip)) return zip;
  const task = mavenQueue.then(async () => {
    if (existsSync(zip)) return;
    log(`fetching ${coordinates.artifact} with Maven…`);
    const args = ['-q', '-B', 'dependency:get', `-Dartifact=${coordinates.artifact}`, '-Dtransitive=false'];
    if (process.env.SOC_WATCH_MAVEN_REPO) args.push(`-Dmaven.repo.local=${repository}`);
    try {
      await run('mvn', args, { maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      if (isMissingCommand(error)) {
        throw new Error(
          `Maven (mvn) is not installed; it fetches the ${displayName(kind)} test distribution (${coordinates.artifact}) from Maven Central. Install it (Debian: apt-get install maven), or place the zip at ${zip}.`,
        );
      }
      throw new Error(
        `mvn could not fetch ${coordinates.artifact} (is ${displayName(kind)} ${version} published as an integ-test-zip on Maven Central?): ${describe(error)}`,
      );
    }
  });
  mavenQueue = task.catch(() => undefined);
  await task;
  if (!existsSync(zip)) throw new Error(`mvn reported success but ${zip} does not exist`);
  return zip;
}

async function hasCommand(command: string): Promise<boolean> {
  try {
    await run(command, ['-v']);
    return true;
  } catch (error) {
    return !isMissingCommand(error);
  }
}

async function extract(zip: string, into: string): Promise<void> {
  if (await hasCommand('unzip')) {
    await run('unzip', ['-q', zip, '-d', into], { maxBuffer: 16 * 1024 * 1024 });
    return;
  }
  // `jar` comes with every JDK (which the servers need anyway) but drops the executable bits.
  const jar = jarTool();
  if (!jar)
    throw new Error('neither unzip nor a JDK with the jar tool is installed (Debian: apt-get install unzip)');
  await run(jar, ['xf', zip], { cwd: into, maxBuffer: 16 * 1024 * 1024 });
  const [top] = await readdir(into);
  if (top) await run('sh', ['-c', 'chmod 0755 "$1"/bin/*', 'chmod', join(into, top)]);
}

/** True once a distribution is fully unpacked (the directory only appears through a rename). */
function isUnpacked(dir: string, kind: EngineKind): boolean {
  return existsSync(join(dir, 'bin', kind));
}

/**
 * Directory of the unpacked distribution: fetched and unpacked on first use, then reused. The
 * directory stays root-owned and world-readable: servers only read it (their config, data,
 * logs and temp files live in a per-instance directory).
 */
export async function ensureDistribution(
  kind: EngineKind,
  version: string,
  log: Log = () => {},
): Promise<string> {
  parseVersion(version);
  const root = distributionsRoot();
  const dir = join(root, `${kind}-${version}`);
  if (isUnpacked(dir, kind)) return dir;
  const zip = await ensureZip(kind, version, log);
  await mkdir(root, { recursive: true, mode: 0o755 });
  const staging = await mkdtemp(join(root, `.unpack-${kind}-${version}-`));
  try {
    log(`unpacking ${displayName(kind)} ${version} into ${dir}…`);
    await extract(zip, staging);
    const entries = await readdir(staging);
    const top = entries[0];
    if (entries.length !== 1 || !top) throw new Error(`${zip} does not hold one top-level directory`);
    // Whatever the umask was, the server user must be able to read everything.
    await run('chmod', ['-R', 'a+rX', staging]);
    // A damaged leftover (not made by a rename, e.g. deleted in part by hand) would block ours.
    if (existsSync(dir) && !isUnpacked(dir, kind)) await rm(dir, { recursive: true, force: true });
    try {
      await rename(join(staging, top), dir);
    } catch (error) {
      // Another process unpacked the same version meanwhile: use theirs.
      if (!isUnpacked(dir, kind)) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (!isUnpacked(dir, kind)) throw new Error(`unpacking ${zip} produced no bin/${kind}`);
  return dir;
}

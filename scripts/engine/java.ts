// Finds the JDK a given server version runs on. The test zips bundle no JDK.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import {
  chooseJdk,
  displayName,
  type EngineKind,
  type Jdk,
  javaRequirement,
  parseJavaRelease,
} from './settings.js';

const JVM_DIR = '/usr/lib/jvm';

function readJdk(home: string): Jdk | undefined {
  try {
    if (!existsSync(join(home, 'bin', 'java'))) return undefined;
    const major = parseJavaRelease(readFileSync(join(home, 'release'), 'utf8'));
    return major === undefined ? undefined : { home: realpathSync(home), major };
  } catch {
    return undefined;
  }
}

/** JDKs under /usr/lib/jvm and $JAVA_HOME, one entry per real directory. */
export function installedJdks(): Jdk[] {
  const homes: string[] = [];
  if (existsSync(JVM_DIR)) homes.push(...readdirSync(JVM_DIR).map((name) => join(JVM_DIR, name)));
  if (process.env.JAVA_HOME) homes.push(process.env.JAVA_HOME);
  const byHome = new Map<string, Jdk>();
  for (const home of homes) {
    const jdk = readJdk(home);
    if (jdk && !byHome.has(jdk.home)) byHome.set(jdk.home, jdk);
  }
  return [...byHome.values()];
}

/** `SOC_WATCH_JAVA_HOME` wins; otherwise the best installed JDK for this server version. */
export function jdkFor(kind: EngineKind, version: string): Jdk {
  const requirement = javaRequirement(kind, version);
  const name = `${displayName(kind)} ${version}`;
  const override = process.env.SOC_WATCH_JAVA_HOME;
  if (override) {
    const jdk = readJdk(override);
    if (!jdk) throw new Error(`SOC_WATCH_JAVA_HOME=${override} is not a JDK (no bin/java or release file)`);
    if (jdk.major < requirement.min) {
      throw new Error(
        `SOC_WATCH_JAVA_HOME is Java ${jdk.major}; ${name} needs Java ${requirement.min} or newer`,
      );
    }
    return jdk;
  }
  const installed = installedJdks();
  const jdk = chooseJdk(requirement, installed);
  if (jdk) return jdk;
  const found = installed.length
    ? `found: ${installed.map((j) => `Java ${j.major} at ${j.home}`).join(', ')}`
    : `no JDK found under ${JVM_DIR}`;
  throw new Error(
    `${name} needs a JDK, Java ${requirement.min} or newer (${found}). ` +
      `Install one (Debian: apt-get install openjdk-17-jdk-headless for Elasticsearch 8 / OpenSearch 2; ` +
      `Java 21+, e.g. Temurin, for Elasticsearch 9 / OpenSearch 3) or set SOC_WATCH_JAVA_HOME to its directory.`,
  );
}

/** Any JDK's `jar` tool: the fallback unpacker when `unzip` is not installed. */
export function jarTool(): string | undefined {
  return installedJdks()
    .map((jdk) => join(jdk.home, 'bin', 'jar'))
    .find((path) => existsSync(path));
}

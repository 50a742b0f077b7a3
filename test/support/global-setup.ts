// Vitest global setup of the `integration` project (runs once, in the main process): real
// Elasticsearch and OpenSearch for the integration tests. SOC_WATCH_TEST_ES_VERSION /
// SOC_WATCH_TEST_OPENSEARCH_VERSION choose the versions (default: the engine script's defaults;
// `.ci/run` runs the project once per pair of `npm run engine -- pairs`).
// SOC_WATCH_TEST_ES_URL / SOC_WATCH_TEST_OPENSEARCH_URL point at existing clusters instead. Servers started here are stopped in teardown; if vitest is interrupted
// (Ctrl+C → process.exit) the engine library's exit hook kills them, and if the process is
// killed outright their watchdogs do. It also runs the pool of disposable servers for fault
// drills (fault-engines.ts): tests lease them instead of starting their own.
import type { TestProject } from 'vitest/node';
import {
  displayName,
  type EngineHandle,
  type EngineKind,
  readServerVersion,
  splitCredentials,
  startEngine,
} from '../../scripts/engine.js';
import { startFaultEngineService } from './fault-engines.js';

interface Cluster {
  url: string;
  version: string;
  handle?: EngineHandle;
}

const ENV: Record<EngineKind, string> = {
  elasticsearch: 'SOC_WATCH_TEST_ES_URL',
  opensearch: 'SOC_WATCH_TEST_OPENSEARCH_URL',
};

const VERSION_ENV: Record<EngineKind, string> = {
  elasticsearch: 'SOC_WATCH_TEST_ES_VERSION',
  opensearch: 'SOC_WATCH_TEST_OPENSEARCH_VERSION',
};

function say(line: string): void {
  console.log(`soc-watch tests: ${line}`);
}

async function cluster(kind: EngineKind): Promise<Cluster> {
  const variable = ENV[kind];
  const external = process.env[variable];
  const wanted = process.env[VERSION_ENV[kind]] || undefined;
  if (external) {
    const version = await readServerVersion(external, kind).catch((error: unknown) => {
      throw new Error(`${variable}: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (wanted && version !== wanted) {
      throw new Error(
        `${variable} runs ${displayName(kind)} ${version}, but ${VERSION_ENV[kind]} asks for ${wanted}`,
      );
    }
    // Never print credentials that may be part of the URL.
    say(`${displayName(kind)} ${version} at ${splitCredentials(external).base} (from ${variable})`);
    return { url: external, version };
  }
  const handle = await startEngine({ kind, log: say, ...(wanted ? { version: wanted } : {}) });
  say(`${displayName(kind)} ${handle.version} at ${handle.url}`);
  return { url: handle.url, version: handle.version, handle };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const results = await Promise.allSettled([cluster('elasticsearch'), cluster('opensearch')]);
  const started = results.flatMap((result) =>
    result.status === 'fulfilled' && result.value.handle ? [result.value.handle] : [],
  );
  const stopShared = async () => {
    await Promise.all(started.map((handle) => handle.stop()));
  };
  const [es, os] = results;
  if (es?.status !== 'fulfilled' || os?.status !== 'fulfilled') {
    await stopShared();
    const reasons = results.flatMap((result) =>
      result.status === 'rejected'
        ? [result.reason instanceof Error ? result.reason.message : String(result.reason)]
        : [],
    );
    throw new Error(`soc-watch tests: no test clusters.\n${reasons.join('\n\n')}`);
  }
  // Servers for fault drills (killed, frozen, secured), started on first use, shared by the files;
  // none in the shared scope (vitest.config.ts), where the drills skip themselves.
  const faultEngines =
    process.env.SOC_WATCH_TEST_SCOPE === 'shared'
      ? undefined
      : await startFaultEngineService({ esVersion: es.value.version, log: say });
  project.provide('faultEngines', faultEngines?.url ?? '');
  project.provide('esUrl', es.value.url);
  project.provide('opensearchUrl', os.value.url);
  project.provide('esVersion', es.value.version);
  project.provide('opensearchVersion', os.value.version);
  return async () => {
    const results = await Promise.allSettled([faultEngines?.close(), stopShared()]);
    for (const result of results) if (result.status === 'rejected') throw result.reason;
  };
}

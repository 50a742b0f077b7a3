// PLACEHOLDER until scripts/engine.ts lands: uses existing clusters from the environment.
import type { TestProject } from 'vitest/node';

export default async function setup(project: TestProject) {
  const es = process.env.SOC_WATCH_TEST_ES_URL ?? 'http://127.0.0.1:9200';
  const os = process.env.SOC_WATCH_TEST_OPENSEARCH_URL ?? 'http://127.0.0.1:9201';
  project.provide('esUrl', es);
  project.provide('opensearchUrl', os);
  project.provide('esVersion', 'unknown');
  project.provide('opensearchVersion', 'unknown');
}

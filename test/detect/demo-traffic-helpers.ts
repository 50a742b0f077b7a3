// Helpers for the demo-traffic integration test: what DEMO_TRUTH says the detector must raise,
// and cleanup of the index and index template the test creates.
import type { DemoAttack } from '../../demo/traffic.js';
import type { ClusterClient } from '../../source/cluster/types.js';
import type { BuiltInRule } from '../../source/detect/alert.js';
import { authTemplateName } from '../../source/ingest/template.js';

/** `rule|service|key`, the detector's alert id. */
export function expectedId(rule: BuiltInRule, attack: Pick<DemoAttack, 'service' | 'key'>): string {
  return `${rule}|${attack.service}|${attack.key}`;
}

/**
 * Alert ids DEMO_TRUTH implies: each attack's own rule plus every rule in `alsoCrosses`,
 * for the attack's service and key (for `distributed` the key is the account; the rules an
 * account-keyed scenario also crosses would be keyed by the same value, and there are none).
 */
export function impliedAlertIds(truth: readonly DemoAttack[]): string[] {
  const ids = new Set<string>();
  for (const attack of truth) {
    for (const rule of [attack.rule, ...attack.alsoCrosses]) ids.add(expectedId(rule, attack));
  }
  return [...ids].sort();
}

/** Delete the test's own index and the template ensureAuthTemplate installed for it. */
export async function dropIndexAndTemplate(client: ClusterClient, index: string): Promise<void> {
  if (index.includes('*') || !index.startsWith('test-')) throw new Error(`refusing to delete ${index}`);
  const raw = client.raw;
  if (raw.kind === 'elasticsearch') {
    await raw.client.indices.delete({ index, ignore_unavailable: true });
    await raw.client.indices.deleteIndexTemplate({ name: authTemplateName(index) });
  } else {
    await raw.client.indices.delete({ index, ignore_unavailable: true });
    await raw.client.indices.deleteIndexTemplate({ name: authTemplateName(index) });
  }
}

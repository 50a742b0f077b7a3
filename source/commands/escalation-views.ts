// Who escalated which alert, for `once` and evidence bundles: the escalator's own view of the
// audit trail (cluster index + local audit file, last 24 h), read through its `sync()`.
// Best effort: a listing problem leaves the escalation state out (null) with a warning, it
// never fails the command. As of a past time, only escalations started by then count.
import type { ClusterClient } from '../cluster/types.js';
import type { Config, Secrets } from '../config/types.js';
import type { EscalationView } from '../detect/alert-record.js';

export async function escalationViews(
  client: ClusterClient,
  config: Config,
  secrets: Secrets,
  options: { asOf: number | null; signal?: AbortSignal; warn: (line: string) => void },
): Promise<Map<string, EscalationView> | null> {
  try {
    const { createEscalator } = await import('../slack/escalator.js');
    const escalator = createEscalator({ client, config, secrets });
    const records = await escalator.sync(options.signal ? { signal: options.signal } : {});
    const views = new Map<string, EscalationView>();
    for (const [alertId, record] of records) {
      if (options.asOf !== null && record.at > options.asOf) continue;
      views.set(alertId, { state: String(record.delivery), by: record.by, at: record.at });
    }
    return views;
  } catch (error) {
    options.warn(`escalation states unavailable: ${(error as Error)?.message ?? String(error)}`);
    return null;
  }
}

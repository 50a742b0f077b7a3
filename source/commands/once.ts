// `soc-watch once`: one snapshot of failed logins per service over the window, then exit.
// `--json` prints the Snapshot (schema 1; documented in source/cluster/snapshot.ts and
// docs/snapshot.md) as stable, pretty JSON for scripts; otherwise a readable table.
// `--escalate` hands over to the Slack escalation (source/commands/escalate.ts).
// Exit codes: 0 printed; 1 the cluster failed (one readable line on stderr); 3 with
// --strict when the snapshot has warnings (no indices, failed shards).
import { createClusterClient } from '../cluster/client.js';
import { fetchSnapshot } from '../cluster/fetch.js';
import { formatSnapshotTable } from '../cluster/snapshot-table.js';
import { type ClusterClient, ClusterError } from '../cluster/types.js';
import { sanitize } from '../core/sanitize.js';
import type { Command } from './context.js';

export const onceCommand: Command = async (context) => {
  const { config, secrets, flags, stdout, stderr, signal } = context;
  if (typeof flags.escalate === 'string') {
    const { escalateFromCli } = await import('./escalate.js');
    return escalateFromCli(context, flags.escalate);
  }
  let client: ClusterClient | undefined;
  try {
    client = await createClusterClient(config, secrets, { signal });
    const snapshot = await fetchSnapshot(client, config, { signal });
    stdout.write(
      flags.json === true
        ? `${JSON.stringify(snapshot, null, 2)}\n`
        : formatSnapshotTable(snapshot, { ascii: config.ascii }),
    );
    // No indices or failed shards must not pass for "no attacks": with --json the warnings
    // are in the JSON and repeated on stderr; --strict makes them fail the run.
    const warnings = snapshot.warnings ?? [];
    if (flags.json === true)
      for (const warning of warnings) stderr.write(`soc-watch: warning: ${sanitize(warning)}\n`);
    return flags.strict === true && warnings.length > 0 ? 3 : 0;
  } catch (error) {
    if (!(error instanceof ClusterError)) throw error;
    stderr.write(`soc-watch: ${error.message}\n`);
    return 1;
  } finally {
    await client?.close().catch(() => undefined);
  }
};

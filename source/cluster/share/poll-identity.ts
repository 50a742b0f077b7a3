// What makes two consoles' polls the same poll: the same cluster asked with the same
// credentials (another account may see other indices or documents), the same searches
// (index pattern, fields, services, custom rules, offender count, snapshot mode) and the same
// window and pace. Thresholds, mutes and the allow-list are each console's own: the
// detector runs in every console on the shared snapshot.
// Secrets take part only through the socket's HMAC name (private-dir.ts), never in clear.
import type { Config, Secrets } from '../../config/types.js';

export function pollIdentity(config: Config, secrets: Secrets, windowMs: number): string {
  return JSON.stringify({
    v: 1,
    nodes: config.nodes,
    backend: config.backend,
    auth: config.auth,
    tls: config.tls,
    credentials: {
      apiKey: secrets.apiKey ?? null,
      username: secrets.username ?? null,
      password: secrets.password ?? null,
      bearerToken: secrets.bearerToken ?? null,
    },
    indexPattern: config.indexPattern,
    fields: config.fields,
    services: config.services,
    customRules: config.customRules,
    maxOffenders: config.maxOffenders,
    snapshots: config.snapshots ?? 'incremental',
    requestTimeoutMs: config.requestTimeoutMs,
    windowMs,
    refreshMs: config.refreshMs,
  });
}

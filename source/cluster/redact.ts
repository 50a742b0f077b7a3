// Keeping credentials out of everything we print. Node URLs may carry `user:pass@`, and
// library error messages sometimes quote the URL; secrets may also be echoed back by a
// proxy. Every message that leaves the cluster layer goes through `redact()`.
import { USERINFO } from '../config/credentials.js';
import type { Secrets } from '../config/types.js';

/** `https://user:pw@es1:9200/` → `es1:9200` (host and port only; never credentials or paths). */
export function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.host;
  } catch {
    return url
      .replace(USERINFO, '$1')
      .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
      .replace(/\/.*$/, '');
  }
}

/** The display name of a cluster: its hosts, comma separated. */
export function clusterName(nodes: readonly string[]): string {
  return nodes.map(hostOf).join(',');
}

/** Remove URL credentials and any known secret value from a message. */
export function redact(text: string, secrets?: Secrets): string {
  let out = text.replace(USERINFO, '$1');
  if (secrets) {
    for (const value of [secrets.apiKey, secrets.password, secrets.bearerToken, secrets.slackWebhookUrl]) {
      // Very short values would redact ordinary words; real secrets are longer than 3 chars.
      if (value && value.length > 3) out = out.split(value).join('***');
    }
  }
  return out;
}

// Keeping credentials out of everything we print. Node URLs may carry `user:pass@`, and
// library error messages sometimes quote the URL; secrets may also be echoed back by a
// proxy. Every message that leaves the cluster layer goes through `redact()`.
import type { Secrets } from '../config/types.js';

// User info runs to the LAST `@` before the path: a password typed with a raw `@`
// (`https://alice:p@ss@es1`) must not leave its tail behind.
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;
const USERINFO_PARTS = /(\b[a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@/gi;

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

/**
 * Node URLs as they may be shown: the user name stays (it says which account is used), the
 * password becomes `***`. `https://alice:pw@es1:9200` → `https://alice:***@es1:9200`.
 */
export function maskCredentials(text: string): string {
  return text.replace(USERINFO_PARTS, (_match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon < 0 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
}

/** Whether a URL (or a text holding URLs) carries `user:password@` or `user@`. */
export function hasCredentials(text: string): boolean {
  return new RegExp(USERINFO.source, 'i').test(text);
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

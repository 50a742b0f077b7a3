// "Open in Kibana": a Discover URL filtered on the alert's key (source IP or account) over the
// alert's time range. Discover reads its state from rison in the URL hash (`_g` global time,
// `_a` app query); values are rison-quoted, then URL-encoded.

/** Rison string literal: single quotes, with `!` escaping `!` and `'`. */
export function risonString(value: string): string {
  return `'${value.replace(/!/g, '!!').replace(/'/g, "!'")}'`;
}

/** KQL phrase: double quotes, with `\` escaping `\` and `"`. */
export function kqlPhrase(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A KQL field name is safe unquoted when it has only these characters. */
const FIELD = /^[A-Za-z0-9_@][A-Za-z0-9_.@-]*$/;

export interface DiscoverLink {
  /** Kibana base URL, e.g. `https://kibana.example:5601` (a space path like `/s/soc` is kept). */
  kibanaUrl: string;
  /** Field to filter on, e.g. `source.ip`; omitted → time range only. */
  field?: string;
  value: string;
  from: number;
  to: number;
}

/**
 * Discover URL, or undefined when the base is not an http(s) URL (a `javascript:` or other
 * scheme must never become a button) or the field name is not a plain field path.
 */
export function discoverUrl(link: DiscoverLink): string | undefined {
  let base: URL;
  try {
    base = new URL(link.kibanaUrl);
  } catch {
    return undefined;
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') return undefined;
  if (base.username || base.password) return undefined; // credentials never go into Slack
  const path = base.pathname.replace(/\/+$/, '');
  const time = `(time:(from:${risonString(new Date(link.from).toISOString())},to:${risonString(new Date(link.to).toISOString())}))`;
  let app = "(query:(language:kuery,query:''))";
  if (link.field !== undefined) {
    if (!FIELD.test(link.field)) return undefined;
    const kql = `${link.field}:${kqlPhrase(link.value)}`;
    app = `(query:(language:kuery,query:${risonString(kql)}))`;
  }
  return `${base.origin}${path}/app/discover#/?_g=${encodeURIComponent(time)}&_a=${encodeURIComponent(app)}`;
}

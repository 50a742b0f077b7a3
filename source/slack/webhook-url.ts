// The incoming-webhook URL is a bearer secret: whoever has it can post to the channel. It is
// checked here (https, or http only to this machine for a local receiver) and scrubbed from
// any text that might echo it (library errors, response bodies) before that text is shown.

export type WebhookUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Validate without ever putting the URL (or any part of it) into the reason. */
export function checkWebhookUrl(raw: string): WebhookUrlCheck {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: 'the Slack webhook URL is not a valid URL' };
  }
  if (url.protocol === 'https:') return { ok: true, url };
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return { ok: true, url };
  return {
    ok: false,
    reason:
      'the Slack webhook URL must be https (plain http is accepted only for a receiver on this machine)',
  };
}

/** Remove every form of the secret URL (whole, without its query, its path, encoded) from `text`. */
export function scrubSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  const forms = new Set<string>([secret.trim()]);
  try {
    const url = new URL(secret.trim());
    forms.add(url.href);
    forms.add(`${url.origin}${url.pathname}`);
    // The path is the secret part of a Slack webhook (T…/B…/token); keep scrubbing it alone.
    if (url.pathname.length > 1) forms.add(url.pathname);
    // Each long segment alone too (the token, the team and channel ids), not the word "services".
    const segments = url.pathname
      .split('/')
      .filter((segment) => segment.length >= 9 && segment !== 'services');
    for (const segment of segments) forms.add(segment);
  } catch {
    // not a URL: the raw string is all we can scrub
  }
  for (const form of [...forms]) {
    forms.add(encodeURIComponent(form));
    forms.add(encodeURI(form));
  }
  let clean = text;
  // Longest first, so a whole URL is replaced before its path.
  for (const form of [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length)) {
    clean = clean.split(form).join('[webhook URL]');
  }
  return clean;
}

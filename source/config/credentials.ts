// Credentials written into URLs (`https://user:pass@host`). The config layer refuses to store
// them and masks them for display; the cluster layer strips them from messages (redact.ts).
// User info runs to the LAST `@` before the path: a password typed with a raw `@`
// (`https://alice:p@ss@es1`) must not leave its tail behind.

export const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;
const USERINFO_PARTS = /(\b[a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@/gi;

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

// `/`: a live filter. Each keystroke filters the rows; Enter keeps it, Esc restores what was
// there before the prompt opened. A CIDR or a whole address that cannot be one (10.0.0.0/33,
// 10.0.0.300) is said to be invalid, and Enter does not keep it: silently matching nothing
// would read as "no such attacker".
import { isCidr } from '../../core/net.js';
import { sanitize } from '../../core/sanitize.js';
import { none, withOverlay } from '../state/effects.js';
import { PromptText } from './line.js';
import type { Prompt } from './prompt.js';

const IPV4_LIKE = /^\d+(\.\d+){3}$/;
const IPV6_LIKE = /^[0-9a-f]*:[0-9a-f:.]*$/i;

/** Why the filter text is not a valid IP or CIDR when it has to be one; null when fine. */
export function filterProblem(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (trimmed.includes('/')) {
    if (isCidr(trimmed)) return null;
    const [address = '', bits = ''] = trimmed.split('/');
    const v6 = address.includes(':');
    const max = v6 ? 128 : 32;
    if (bits === '') return `invalid CIDR: add a prefix length 0-${max} after /`;
    if (!/^\d+$/.test(bits) || Number(bits) > max) {
      return `invalid CIDR: the prefix length after / is 0-${max} for ${v6 ? 'IPv6' : 'IPv4'}`;
    }
    return `invalid CIDR: ${v6 ? 'not an IPv6 address' : 'not an IPv4 address'} before /`;
  }
  // A complete dotted quad must be an address (a shorter one is a prefix match, e.g. 10.0.).
  if (IPV4_LIKE.test(trimmed) && !isCidr(trimmed)) return 'invalid IP: each IPv4 part is 0-255';
  // Two colons in a row or more than seven is not a name, and not an address either.
  if (IPV6_LIKE.test(trimmed) && /:.*:/.test(trimmed) && trimmed.split(':').length > 8) {
    return 'invalid IP: an IPv6 address has at most 8 groups';
  }
  return null;
}

export const filterPrompt: Prompt<'filter'> = {
  kind: 'filter',
  accepts: { allowed: /^.$/u, max: 64 },
  text: (overlay) => overlay.text,
  edit: (state, overlay, text) => ({ ...state, filter: text, overlay: { ...overlay, text } }),
  // An invalid IP/CIDR is not kept: the prompt stays open with the reason shown.
  submit: (state, overlay) => none(filterProblem(overlay.text) ? state : withOverlay(state, null)),
  cancel: (state, overlay) => ({ ...state, filter: overlay.before, overlay: null }),
  Line: ({ overlay }) => {
    const problem = filterProblem(overlay.text);
    return (
      <PromptText
        label="filter: "
        text={sanitize(overlay.text)}
        error={problem === null ? null : `${problem}; fix it or Esc`}
        hint="IP, CIDR (10.0.0.0/8) or user; Enter keep, Esc undo"
      />
    );
  },
};

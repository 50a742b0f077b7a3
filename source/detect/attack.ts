// MITRE ATT&CK techniques the detector names (Enterprise matrix, names as ATT&CK spells
// them). Custom rules and services may name any technique id; an id missing from this table
// is still shown, with the id as its name, rather than dropped.
import type { Technique } from './alert.js';

export const TECHNIQUES: Record<string, Technique> = {
  T1110: { id: 'T1110', name: 'Brute Force' },
  'T1110.001': { id: 'T1110.001', name: 'Password Guessing' },
  'T1110.002': { id: 'T1110.002', name: 'Password Cracking' },
  'T1110.003': { id: 'T1110.003', name: 'Password Spraying' },
  'T1110.004': { id: 'T1110.004', name: 'Credential Stuffing' },
  T1078: { id: 'T1078', name: 'Valid Accounts' },
  'T1078.001': { id: 'T1078.001', name: 'Default Accounts' },
  'T1078.002': { id: 'T1078.002', name: 'Domain Accounts' },
  'T1078.003': { id: 'T1078.003', name: 'Local Accounts' },
  T1021: { id: 'T1021', name: 'Remote Services' },
  'T1021.001': { id: 'T1021.001', name: 'Remote Services: Remote Desktop Protocol' },
  'T1021.004': { id: 'T1021.004', name: 'Remote Services: SSH' },
  T1133: { id: 'T1133', name: 'External Remote Services' },
  T1087: { id: 'T1087', name: 'Account Discovery' },
};

/** Technique for an id; unknown ids keep the id as their name. */
export function technique(id: string): Technique {
  const trimmed = id.trim();
  return TECHNIQUES[trimmed] ?? { id: trimmed, name: trimmed };
}

/** Techniques for a list of ids, in order, without duplicates or empty ids. */
export function techniques(ids: readonly (string | undefined)[]): Technique[] {
  const seen = new Set<string>();
  const out: Technique[] = [];
  for (const id of ids) {
    const trimmed = id?.trim();
    if (!trimmed || seen.has(trimmed)) continue;
    seen.add(trimmed);
    out.push(technique(trimmed));
  }
  return out;
}

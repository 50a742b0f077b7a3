// Offender flags as one character each, readable without colour and the same in ASCII.
// The help overlay and the detail view print the legend from this table.

import type { OffenderFlag } from '../../detect/detector.js';

export type { OffenderFlag };

export interface FlagSpec {
  flag: OffenderFlag;
  mark: string;
  label: string;
  /** Flags that call for attention are drawn in the danger colour. */
  alarming: boolean;
}

/** In display order: the most urgent first. */
export const FLAG_SPECS: readonly FlagSpec[] = [
  { flag: 'success-after-failure', mark: '!', label: 'login succeeded after failures', alarming: true },
  { flag: 'over-threshold', mark: 'T', label: 'over the brute-force threshold', alarming: true },
  { flag: 'spraying', mark: 'S', label: 'password spraying (many accounts)', alarming: true },
  { flag: 'enumeration', mark: 'E', label: 'user enumeration (invalid accounts)', alarming: true },
  { flag: 'slow', mark: 'L', label: 'low-and-slow (long window)', alarming: true },
  { flag: 'repeat', mark: 'R', label: 'repeat offender', alarming: false },
  { flag: 'muted', mark: 'M', label: 'muted', alarming: false },
  { flag: 'allow-listed', mark: 'A', label: 'allow-listed', alarming: false },
];

/** The specs of `flags`, in display order whatever order they came in. */
export function flagSpecs(flags: readonly OffenderFlag[]): FlagSpec[] {
  return FLAG_SPECS.filter((spec) => flags.includes(spec.flag));
}

/** The flags cell: `!TS`, or empty. */
export function flagMarks(flags: readonly OffenderFlag[]): string {
  return flagSpecs(flags)
    .map((spec) => spec.mark)
    .join('');
}

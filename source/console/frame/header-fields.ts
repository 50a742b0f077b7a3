// The first header line's left part: which fields fit beside the badge. Whole fields are
// dropped, least important first, so no state word is ever cut (a cut "Slack: not configured"
// could read "Slack: not co…").

export interface HeaderField {
  text: string;
  /** Higher is kept longer. */
  keep: number;
}

/**
 * Fields in display order; the most important are taken first, each while it still fits
 * `width` (a short, less important field may fill the room a long one left).
 */
export function fitFields(fields: readonly HeaderField[], width: number, separator: string): string {
  const candidates = fields.filter((field) => field.text !== '');
  const byImportance = [...candidates].sort((a, b) => b.keep - a.keep);
  const kept = new Set<HeaderField>();
  let used = 0;
  for (const field of byImportance) {
    const cost = field.text.length + (kept.size === 0 ? 0 : separator.length);
    if (kept.size > 0 && used + cost > width) continue;
    kept.add(field);
    used += cost;
  }
  return candidates
    .filter((field) => kept.has(field))
    .map((field) => field.text)
    .join(separator);
}

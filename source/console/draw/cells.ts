// Fitting text into fixed-width cells. Every table cell is padded or cut to exactly its
// column width in terminal cells (string-width, so CJK and emoji count as two), which is
// what keeps columns aligned whatever the data. Input must already be sanitized: no
// escapes or controls, which would make widths meaningless.
import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';

export type Align = 'left' | 'right';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * Terminal cells `text` takes. Most cells are plain ASCII (IPs, counts, ECS names), where
 * that is the length; string-width's Unicode segmentation is kept for everything else. It
 * is the hottest function of a render, hence the shortcut.
 */
export function cellWidth(text: string): number {
  return PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text);
}
export type CutAt = 'end' | 'middle' | 'start';

/** Cut `text` to at most `width` cells, marking the cut with `ellipsis`. */
export function truncate(text: string, width: number, ellipsis = '…', position: CutAt = 'end'): string {
  if (width <= 0) return '';
  if (cellWidth(text) <= width) return text;
  if (width <= cellWidth(ellipsis)) return ellipsis.slice(0, width);
  return cliTruncate(text, width, { position, truncationCharacter: ellipsis });
}

/** Exactly `width` cells: truncated with an ellipsis or padded with spaces. */
export function fitCell(
  text: string,
  width: number,
  options: { align?: Align; ellipsis?: string; cut?: CutAt } = {},
): string {
  if (width <= 0) return '';
  const cut = truncate(text, width, options.ellipsis ?? '…', options.cut ?? 'end');
  const pad = ' '.repeat(Math.max(0, width - cellWidth(cut)));
  return options.align === 'right' ? pad + cut : cut + pad;
}

/**
 * A comma-separated list cut at item boundaries (`T1110.001,T1021.004` → `T1110.001+` when
 * only one fits), so an identifier is never shown half; `+` says more were dropped.
 */
export function truncateItems(text: string, width: number, ellipsis = '…'): string {
  if (cellWidth(text) <= width) return text;
  const items = text.split(',');
  let out = '';
  for (const item of items) {
    const next = out === '' ? item : `${out},${item}`;
    if (cellWidth(next) + 1 > width) break;
    out = next;
  }
  return out === '' ? truncate(text, width, ellipsis) : `${out}+`;
}

/** Thousands separators without depending on the host locale (tests and tmux agree). */
export function formatCount(value: number): string {
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

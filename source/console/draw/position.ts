// Where a list is scrolled to: the first row shown, and "5/12 ↓" (more below), "↑" (more
// above), or nothing when it all fits. Nothing scrolls off the screen without the screen saying so.
import type { Glyphs } from './glyphs.js';

export function listPosition(
  selected: number,
  total: number,
  offset: number,
  visible: number,
  glyphs: Glyphs,
): string {
  if (total <= visible) return '';
  const above = offset > 0 ? glyphs.up : '';
  const below = offset + visible < total ? glyphs.down : '';
  return `${Math.max(selected, 0) + 1}/${total} ${above}${below}`.trimEnd();
}

/** First row shown so the selected row (-1: none) is visible in `visible` rows. */
export function scrollOffset(selected: number, total: number, visible: number): number {
  if (visible <= 0 || total <= visible || selected < visible) return 0;
  return Math.min(selected - visible + 1, total - visible);
}

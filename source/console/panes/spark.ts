// Sparkline text for a failure timeline: the whole window squeezed into the room there is
// (adjacent buckets summed), drawn by `sparkly` from zero so a quiet window looks flat, then
// mapped to the glyph set's ticks (ASCII when the terminal cannot show block characters).
import sparkly from 'sparkly';
import { type Glyphs, UNICODE_GLYPHS } from '../draw/glyphs.js';

/** At most `width` values covering all of `values`, each the sum of the buckets it covers. */
export function squeeze(values: readonly number[], width: number): number[] {
  if (width <= 0) return [];
  if (values.length <= width) return values.slice();
  const out: number[] = [];
  for (let index = 0; index < width; index += 1) {
    const from = Math.floor((index * values.length) / width);
    const to = Math.floor(((index + 1) * values.length) / width);
    let sum = 0;
    for (let bucket = from; bucket < to; bucket += 1) sum += values[bucket] ?? 0;
    out.push(sum);
  }
  return out;
}

export function sparkline(values: readonly number[], width: number, glyphs: Glyphs): string {
  const squeezed = squeeze(values, width);
  if (squeezed.length === 0) return '';
  const line = sparkly(squeezed, { minimum: 0 });
  if (!glyphs.ascii) return line;
  return Array.from(line, (tick) => {
    const level = UNICODE_GLYPHS.ticks.indexOf(tick);
    return level < 0 ? ' ' : (glyphs.ticks[level] ?? ' ');
  }).join('');
}

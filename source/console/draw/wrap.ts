// Word wrap in terminal cells, for text that must be read whole (help, message log, long
// warnings): breaks at spaces, splits a word longer than the line, indents the lines after
// the first. Input must be sanitized (see cells.ts).
import { cellWidth } from './cells.js';

function splitWord(word: string, width: number): string[] {
  const parts: string[] = [];
  let part = '';
  for (const char of word) {
    if (part !== '' && cellWidth(part + char) > width) {
      parts.push(part);
      part = '';
    }
    part += char;
  }
  if (part !== '') parts.push(part);
  return parts;
}

/** `text` in lines of at most `width` cells; lines after the first start with `indent` spaces. */
export function wrapText(text: string, width: number, indent = 0): string[] {
  const room = Math.max(1, width);
  const pad = ' '.repeat(Math.min(indent, Math.max(0, room - 1)));
  const lines: string[] = [];
  let line = '';
  const limit = () => (lines.length === 0 ? room : room - pad.length);
  const flush = () => {
    lines.push(lines.length === 0 ? line : pad + line);
    line = '';
  };
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (cellWidth(candidate) <= limit()) {
      line = candidate;
      continue;
    }
    if (line !== '') flush();
    if (cellWidth(word) <= limit()) {
      line = word;
      continue;
    }
    const parts = splitWord(word, room - pad.length);
    for (const part of parts.slice(0, -1)) {
      line = part;
      flush();
    }
    line = parts.at(-1) ?? '';
  }
  if (line !== '' || lines.length === 0) flush();
  return lines;
}

/**
 * A message in one line of `width` cells without losing its meaning silently: whole when it
 * fits, else its start, cut at a word, and a pointer to the log where it is whole.
 */
export function shortForm(text: string, width: number, ellipsis: string, pointer = '(L for log)'): string {
  if (cellWidth(text) <= width) return text;
  const suffix = `${ellipsis} ${pointer}`;
  const room = width - cellWidth(suffix);
  if (room <= 0) return pointer.slice(0, Math.max(0, width));
  const head = splitWord(text, room)[0] ?? '';
  const space = head.lastIndexOf(' ');
  const cut = space >= room * 0.6 ? head.slice(0, space) : head;
  return `${cut.trimEnd()}${suffix}`;
}

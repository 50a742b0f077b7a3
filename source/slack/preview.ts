// A readable terminal rendering of a Slack webhook payload: what a responder would see, for
// the demo receiver and for previews. Pure. The payload is untrusted input (anything can post
// to a local receiver), so it is validated field by field and every string is sanitized.
import { sanitize } from '../core/sanitize.js';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** mrkdwn as a terminal shows it: links as `label (url)`, entities decoded, then sanitized. */
export function mrkdwnToPlain(text: string): string {
  const linked = text.replace(/<([^<>|]+)\|([^<>]*)>/g, '$2 ($1)').replace(/<([^<>|]+)>/g, '$1');
  const decoded = linked.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  // Keep line structure: sanitize each line (it would turn newlines into U+FFFD).
  return decoded
    .split('\n')
    .map((line) => sanitize(line))
    .join('\n');
}

function textOf(value: unknown): string {
  if (!isObject(value) || typeof value.text !== 'string') return '';
  return value.type === 'mrkdwn' ? mrkdwnToPlain(value.text) : sanitize(value.text);
}

const indent = (text: string, prefix = '  ') =>
  text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');

/** Render a payload (`{text, blocks}`) as lines of plain text. */
export function renderSlackPayload(payload: unknown, width = 78): string {
  if (!isObject(payload)) return '(not a JSON object)';
  const lines: string[] = [];
  const rule = '─'.repeat(Math.max(10, Math.min(width, 120)));
  const blocks = Array.isArray(payload.blocks) ? payload.blocks : [];
  if (blocks.length === 0 && typeof payload.text === 'string') lines.push(mrkdwnToPlain(payload.text));
  for (const block of blocks) {
    if (!isObject(block)) continue;
    switch (block.type) {
      case 'header':
        lines.push(rule, textOf(block.text), rule);
        break;
      case 'section': {
        const text = textOf(block.text);
        if (text) lines.push(indent(text));
        if (Array.isArray(block.fields)) {
          for (const field of block.fields) {
            const [label = '', ...rest] = textOf(field).split('\n');
            lines.push(`  ${label.replace(/^\*|\*$/g, '')}: ${rest.join(' ')}`);
          }
        }
        break;
      }
      case 'context':
        if (Array.isArray(block.elements)) {
          for (const element of block.elements) lines.push(indent(textOf(element), '  · '));
        }
        break;
      case 'actions':
        if (Array.isArray(block.elements)) {
          for (const element of block.elements) {
            if (!isObject(element)) continue;
            const url = typeof element.url === 'string' ? ` → ${sanitize(element.url)}` : '';
            lines.push(`  [${textOf(element.text)}]${url}`);
          }
        }
        break;
      case 'divider':
        lines.push(rule);
        break;
      default:
        lines.push(`  (${sanitize(String(block.type))} block)`);
    }
  }
  if (blocks.length > 0 && typeof payload.text === 'string') {
    lines.push(`  notification text: ${mrkdwnToPlain(payload.text).replace(/\n/g, ' ')}`);
  }
  return lines.join('\n');
}

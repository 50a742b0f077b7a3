// The message log (L): the last messages whole, wrapped, each with the console's clock time
// (not the events'), newest at the bottom; j/k scroll back (13 B14).
import { Box, Text } from 'ink';
import { sanitize } from '../../core/sanitize.js';
import { useUi } from '../draw/ui-context.js';
import { wrapText } from '../draw/wrap.js';
import { consoleClock, LOG_SIZE } from '../messages/log.js';
import type { Flash } from '../state/state.js';
import { OverlayFrame } from './OverlayFrame.js';

export const LOG_TITLE = "Messages, newest last; times are this console's clock (Esc or L closes)";
const TONE_WORD: Record<Flash['tone'], string> = { info: '', warn: 'warning: ', error: 'error: ' };

export interface LogLine {
  text: string;
  tone: Flash['tone'];
}

/** Every message as wrapped lines: `14:03:27  warning: …`, the rest indented under the text. */
export function logLines(messages: readonly Flash[], inner: number): LogLine[] {
  if (messages.length === 0) return [{ text: 'no messages yet', tone: 'info' }];
  return messages.flatMap((message) =>
    wrapText(
      `${consoleClock(message.at)}  ${TONE_WORD[message.tone]}${sanitize(message.text)}`,
      inner,
      10,
    ).map((text) => ({ text, tone: message.tone })),
  );
}

/** Lines inside the box for a body `height`: border (2), title (1), position (1). */
export const logRoom = (height: number) => Math.max(1, height - 4);

/** `back` lines up from the newest, clamped. */
export function clampBack(back: number, total: number, room: number): number {
  return Math.min(Math.max(0, back), Math.max(0, total - room));
}

export function MessageLog({
  messages,
  width,
  height,
  back = 0,
}: {
  messages: readonly Flash[];
  width: number;
  height: number;
  /** Lines scrolled up from the newest. */
  back?: number;
}) {
  const { glyphs, theme } = useUi();
  const inner = Math.max(10, width - 4);
  const lines = logLines(messages, inner);
  const room = logRoom(height);
  const up = clampBack(back, lines.length, room);
  const end = lines.length - up;
  const start = Math.max(0, end - room);
  const shown = lines.slice(start, end);
  const position =
    lines.length > room
      ? `lines ${start + 1}-${end} of ${lines.length} ${start > 0 ? glyphs.up : ''}${up > 0 ? glyphs.down : ''}  j/k scroll`
      : `${messages.length} message${messages.length === 1 ? '' : 's'} (the last ${LOG_SIZE} are kept)`;
  const colour = (tone: Flash['tone']) =>
    tone === 'error' ? theme.danger : tone === 'warn' ? theme.warn : undefined;
  return (
    <OverlayFrame width={width} height={height}>
      <Text wrap="truncate-end" bold>
        {LOG_TITLE}
      </Text>
      {shown.map((line, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines of one render, never reordered
        <Text key={`${start + index}:${line.text}`} wrap="truncate-end" color={colour(line.tone)}>
          {line.text}
        </Text>
      ))}
      <Box flexGrow={1} />
      <Text wrap="truncate-end" color={theme.muted}>
        {position}
      </Text>
    </OverlayFrame>
  );
}

// The frame every overlay (help, detail, message log) is drawn in: the glyph set's border in
// the accent colour, one cell of padding, nothing drawn outside it.
import { Box } from 'ink';
import type { ReactNode } from 'react';
import { useUi } from '../draw/ui-context.js';

export function OverlayFrame({
  width,
  height,
  flexShrink,
  children,
}: {
  width: number;
  height: number;
  /** 0: keep `height` even where the parent is shorter (help, which is as tall as its lines). */
  flexShrink?: number;
  children: ReactNode;
}) {
  const { glyphs, theme } = useUi();
  return (
    <Box
      flexDirection="column"
      width={width}
      height={height}
      {...(flexShrink === undefined ? {} : { flexShrink })}
      borderStyle={glyphs.border}
      borderColor={theme.accent}
      paddingX={1}
      overflow="hidden"
    >
      {children}
    </Box>
  );
}

// Rendering at a chosen terminal size. ink-testing-library hard-codes 100 columns and no
// rows, so this uses Ink's own render with a fake stdout whose columns/rows we set (and can
// resize), in debug mode so every frame is written whole. Input goes through a fake stdin
// that Ink reads like a TTY.
import { EventEmitter } from 'node:events';
import { render } from 'ink';
import type { ReactElement } from 'react';
import stripAnsi from 'strip-ansi';
import type { Glyphs } from '../../source/console/draw/glyphs.js';
import { UNICODE_GLYPHS } from '../../source/console/draw/glyphs.js';
import { COLOUR_THEME, type Theme } from '../../source/console/draw/theme.js';
import { UiContext } from '../../source/console/draw/ui-context.js';

export class FakeStdout extends EventEmitter {
  isTTY = true;
  frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (chunk: string) => {
    this.frames.push(chunk);
    return true;
  };
  resize(columns: number, rows: number) {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

export class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(data: string) {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read = () => {
    const data = this.data;
    this.data = null;
    return data;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

export const KEYS = {
  enter: '\r',
  escape: '\u001b',
  tab: '\t',
  shiftTab: '\u001b[Z',
  backspace: '\u007f',
  down: '\u001b[B',
  up: '\u001b[A',
  right: '\u001b[C',
  left: '\u001b[D',
  pageDown: '\u001b[6~',
  pageUp: '\u001b[5~',
  ctrlC: '\u0003',
} as const;

/** Let Ink read input and commit a frame (a lone ESC is held 20 ms by Ink's parser). */
export const settle = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Rendered {
  stdout: FakeStdout;
  stdin: FakeStdin;
  /** Last frame without styling. */
  frame(): string;
  /** Last frame as written (with any escape sequences). */
  raw(): string;
  lines(): string[];
  press(...keys: string[]): Promise<void>;
  unmount(): void;
}

export function renderAt(
  node: ReactElement,
  size: { columns: number; rows: number },
  ui: { glyphs?: Glyphs; theme?: Theme; hyperlinks?: boolean } = {},
): Rendered {
  const stdout = new FakeStdout(size.columns, size.rows);
  const stdin = new FakeStdin();
  const instance = render(
    <UiContext
      value={{
        glyphs: ui.glyphs ?? UNICODE_GLYPHS,
        theme: ui.theme ?? COLOUR_THEME,
        hyperlinks: ui.hyperlinks === true,
      }}
    >
      {node}
    </UiContext>,
    {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      stderr: new FakeStdout(size.columns, size.rows) as unknown as NodeJS.WriteStream,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    },
  );
  const raw = () => stdout.frames.at(-1) ?? '';
  return {
    stdout,
    stdin,
    raw,
    frame: () => stripAnsi(raw()),
    lines: () => stripAnsi(raw()).split('\n'),
    async press(...keys: string[]) {
      for (const key of keys) {
        stdin.write(key);
        await settle(key === KEYS.escape ? 40 : 5);
      }
      await settle();
    },
    unmount: () => {
      instance.unmount();
      instance.cleanup();
    },
  };
}

// The console refuses to start without a terminal at both ends, with a pointer to `once`,
// instead of dying on Ink's raw-mode error.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { consoleCommand, NOT_A_TTY } from '../../source/commands/console.js';
import type { CommandContext } from '../../source/commands/context.js';
import { testConfig } from '../support/config.js';

function context(stdinTTY: boolean, stdoutTTY: boolean) {
  const stderr = new PassThrough();
  let written = '';
  stderr.on('data', (chunk) => {
    written += String(chunk);
  });
  const stdin = Object.assign(new PassThrough(), { isTTY: stdinTTY });
  const stdout = Object.assign(new PassThrough(), { isTTY: stdoutTTY });
  const ctx: CommandContext = {
    config: testConfig(),
    secrets: {},
    input: [],
    flags: {},
    warnings: [],
    persist: {
      set() {
        throw new Error('must not persist');
      },
    },
    stdout,
    stderr,
    stdin,
    signal: new AbortController().signal,
  };
  return { ctx, stderr: () => written, stdout };
}

describe('soc-watch console without a terminal', () => {
  it.each([
    [false, true],
    [true, false],
    [false, false],
  ])('stdin TTY %s, stdout TTY %s: one message, exit code 2, nothing drawn', async (stdinTTY, stdoutTTY) => {
    const { ctx, stderr, stdout } = context(stdinTTY, stdoutTTY);
    expect(await consoleCommand(ctx)).toBe(2);
    expect(stderr()).toBe(NOT_A_TTY);
    expect(stderr()).toContain('soc-watch once');
    expect(stdout.read()).toBeNull();
  });
});

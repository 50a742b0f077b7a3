// A CommandContext for running a command in-process, the way the CLI shell would: what it
// writes to stdout and stderr is kept for the test to read, and it persists nothing.
import { PassThrough } from 'node:stream';
import type { CommandContext } from '../../source/config/command-context.js';
import type { Config, Secrets } from '../../source/config/types.js';

export function commandContext(config: Config, secrets: Secrets, flags: Record<string, unknown> = {}) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  err.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const ctx: CommandContext = {
    config,
    secrets,
    input: [],
    flags,
    warnings: [],
    persist: {
      set() {
        throw new Error('not used');
      },
    },
    stdout: out,
    stderr: err,
    stdin: new PassThrough(),
    signal: new AbortController().signal,
  };
  return { ctx, output: () => ({ stdout, stderr }) };
}

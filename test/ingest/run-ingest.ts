// Run `soc-watch ingest` in-process against a real cluster, capturing its output.
import { Readable, Writable } from 'node:stream';
import type { ClusterClient } from '../../source/cluster/types.js';
import type { CommandContext } from '../../source/commands/context.js';
import { createIngestCommand, type IngestDependencies } from '../../source/commands/ingest.js';
import { authTemplateName } from '../../source/ingest/template.js';
import { testConfig } from '../support/config.js';

export function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

export interface RunOptions {
  stdin?: Readable;
  signal?: AbortSignal;
  dependencies?: IngestDependencies;
}

export async function runIngest(
  url: string,
  input: string[],
  flags: Record<string, unknown>,
  options: RunOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = capture();
  const stderr = capture();
  const context: CommandContext = {
    config: testConfig({ nodes: [url] }),
    secrets: {},
    input,
    flags: { format: 'auto', ...flags },
    warnings: [],
    persist: { set: () => {} },
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: options.stdin ?? Readable.from([]),
    signal: options.signal ?? new AbortController().signal,
  };
  const code = await createIngestCommand(options.dependencies)(context);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Delete an ingest index and its template. */
export async function dropIngestIndex(client: ClusterClient, index: string): Promise<void> {
  const raw = client.raw;
  if (raw.kind === 'elasticsearch') {
    await raw.client.indices.delete({ index, ignore_unavailable: true });
    await raw.client.indices.deleteIndexTemplate({ name: authTemplateName(index) }).catch(() => {});
  } else {
    await raw.client.indices.delete({ index, ignore_unavailable: true });
    await raw.client.indices.deleteIndexTemplate({ name: authTemplateName(index) }).catch(() => {});
  }
}

// The console's `x`: the key asks for the selected alert's bundle, and the bundle written from
// the detector's last snapshots carries the alert, the `_msearch` of exactly those windows,
// mode 0600 files, and no raw hostile text. (Re-running that query against a real cluster is
// tested in test/replay/timeline.integration.test.ts, through the same writer.)
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../source/commands/context.js';
import { exportEvidence } from '../../source/console/evidence.js';
import { handleKey } from '../../source/console/keys/handle-key.js';
import { NO_KEY } from '../../source/console/keys/key-chunks.js';
import { selectedAlert } from '../../source/console/state/selectors.js';
import type { EvidenceBundle } from '../../source/evidence/bundle.js';
import { testConfig } from '../support/config.js';
import { feedFocused, polledState, T0 } from './fixtures.js';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function context(configDirectory: string): CommandContext {
  return {
    config: testConfig(),
    secrets: {},
    input: [],
    flags: {},
    warnings: [],
    persist: { set: () => {} },
    configDirectory,
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    signal: new AbortController().signal,
  };
}

describe('console x: evidence bundle', () => {
  it('x on an alert asks for its bundle; the bundle holds the alert and the query of its windows', () => {
    const state = feedFocused(polledState());
    const alert = selectedAlert(state)!;
    const result = handleKey(state, 'x', NO_KEY, { now: T0 + 1000, page: 5 });
    expect(result.effects).toEqual([{ kind: 'evidence', alertId: alert.id }]);

    const directory = mkdtempSync(join(tmpdir(), 'soc-watch-x-'));
    directories.push(directory);
    const written = exportEvidence(context(directory), state, alert.id, T0 + 2000);
    expect(written.ok).toBe(true);
    const folder = join(directory, 'evidence');
    const files = readdirSync(folder).sort();
    expect(files).toHaveLength(2);
    for (const file of files) expect(statSync(join(folder, file)).mode & 0o777).toBe(0o600);
    const bundle = JSON.parse(readFileSync(join(folder, files[0]!), 'utf8')) as EvidenceBundle;
    expect(bundle.alert.id).toBe(`${alert.rule}:${alert.service}:${alert.key}`);
    const window = state.detector.snapshot!.window;
    const firstBody = JSON.parse(bundle.query.ndjson.split('\n')[1]!) as {
      query: { bool: { filter: { range: Record<string, { gte: number; lt: number }> }[] } };
    };
    expect(Object.values(firstBody.query.bool.filter[0]!.range)[0]).toMatchObject({
      gte: Date.parse(window.from),
      lt: Date.parse(window.to),
    });
    expect(exportEvidence(context(directory), state, 'no|such|alert', T0).ok).toBe(false);
  });
});

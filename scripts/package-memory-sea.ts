// The executable's side of bench:package's memory run (scripts/package-memory.ts): the product
// as bundled into the executable (the same modules the console loads, imported here rather
// than by path). Loaded only once Yoga is (scripts/package-sea-main.ts), as the console is.
import { render } from 'ink';
import { createElement } from 'react';
import { createClusterClient } from '../source/cluster/client.js';
import { App } from '../source/console/App.js';
import { UNICODE_GLYPHS } from '../source/console/draw/glyphs.js';
import { COLOUR_THEME } from '../source/console/draw/theme.js';
import { UiContext } from '../source/console/draw/ui-context.js';
import { MAX_FPS } from '../source/console/session.js';
import { alertList } from '../source/console/state/selectors.js';
import { initialState } from '../source/console/state/state.js';
import { createStore } from '../source/console/state/store.js';
import { detectionSettings } from '../source/detect/settings.js';
import { type PackageMemoryJob, runPackageMemory } from './package-memory.js';

export async function runInExecutable(jobText: string): Promise<void> {
  const run = await runPackageMemory(
    {
      createElement,
      render,
      App,
      UiContext,
      MAX_FPS,
      detectionSettings,
      initialState,
      createStore,
      alertList,
      UNICODE_GLYPHS,
      COLOUR_THEME,
      createClusterClient,
    },
    JSON.parse(jobText) as PackageMemoryJob,
  );
  process.stdout.write(`${JSON.stringify(run)}\n`);
  process.exit(0);
}

// What bench/render.tsx and its memory child (bench/render-memory.mts) share: the fake
// terminal, the evolving attack traffic, and mounting the real App the way `soc-watch` does.
//
// The memory child runs the compiled product (dist/) under plain `node`, so this file is
// transpiled to JavaScript for it (types erased, nothing else changes) and must not import
// product code by path: the product comes in as a `Product`, loaded from source/ by the
// parent (tsx) and from dist/ by the child. Only type imports of source/ appear here.
import { EventEmitter } from 'node:events';
import type { Config } from '../source/config/types.js';
import type { Store } from '../source/console/state/store.js';
import type { Offender, ServiceSnapshot, Snapshot } from '../source/contracts/snapshot.js';
import { seededRandom } from './seeded-random.mjs';

export const COLUMNS = 120;
export const ROWS = 40;
export const OFFENDERS = 30;
export const REFRESH_MS = 5000;
export const WINDOW_MS = 15 * 60_000;
export const BUCKET_MS = 15_000;
export const T0 = Date.parse('2026-03-01T12:00:00.000Z');

/** The product modules the bench drives, from source/ (parent) or dist/ (memory child). */
export interface Product {
  createElement: typeof import('react').createElement;
  render: typeof import('ink').render;
  App: typeof import('../source/console/App.js').App;
  UiContext: typeof import('../source/console/draw/ui-context.js').UiContext;
  MAX_FPS: typeof import('../source/console/session.js').MAX_FPS;
  detectionSettings: typeof import('../source/detect/settings.js').detectionSettings;
  initialState: typeof import('../source/console/state/state.js').initialState;
  createStore: typeof import('../source/console/state/store.js').createStore;
  alertList: typeof import('../source/console/state/selectors.js').alertList;
  UNICODE_GLYPHS: typeof import('../source/console/draw/glyphs.js').UNICODE_GLYPHS;
  COLOUR_THEME: typeof import('../source/console/draw/theme.js').COLOUR_THEME;
  createClusterClient: typeof import('../source/cluster/client.js').createClusterClient;
}

/**
 * Load the product from `root` (source/ or dist/). React picks its development or
 * production build when it is first loaded, and `soc-watch` runs the production one
 * (bin/soc-watch.js sets NODE_ENV), so this must run before anything imports React.
 * dist/ is compiled from source/ by tsc, so each dist module has its source's type.
 */
export async function loadProduct(root: URL): Promise<Product> {
  process.env.NODE_ENV = 'production';
  const at = (path: string) => new URL(path, root).href;
  const [
    react,
    ink,
    app,
    uiContext,
    consoleCommand,
    settings,
    state,
    store,
    glyphs,
    theme,
    client,
    selectors,
  ] = await Promise.all([
    import('react'),
    import('ink'),
    import(at('console/App.js')) as Promise<typeof import('../source/console/App.js')>,
    import(at('console/draw/ui-context.js')) as Promise<
      typeof import('../source/console/draw/ui-context.js')
    >,
    import(at('console/session.js')) as Promise<typeof import('../source/console/session.js')>,
    import(at('detect/settings.js')) as Promise<typeof import('../source/detect/settings.js')>,
    import(at('console/state/state.js')) as Promise<typeof import('../source/console/state/state.js')>,
    import(at('console/state/store.js')) as Promise<typeof import('../source/console/state/store.js')>,
    import(at('console/draw/glyphs.js')) as Promise<typeof import('../source/console/draw/glyphs.js')>,
    import(at('console/draw/theme.js')) as Promise<typeof import('../source/console/draw/theme.js')>,
    import(at('cluster/client.js')) as Promise<typeof import('../source/cluster/client.js')>,
    import(at('console/state/selectors.js')) as Promise<
      typeof import('../source/console/state/selectors.js')
    >,
  ]);
  return {
    createElement: react.createElement,
    render: ink.render,
    App: app.App,
    UiContext: uiContext.UiContext,
    MAX_FPS: consoleCommand.MAX_FPS,
    detectionSettings: settings.detectionSettings,
    initialState: state.initialState,
    createStore: store.createStore,
    alertList: selectors.alertList,
    UNICODE_GLYPHS: glyphs.UNICODE_GLYPHS,
    COLOUR_THEME: theme.COLOUR_THEME,
    createClusterClient: client.createClusterClient,
  };
}

/** A terminal that counts what it is sent. */
export class Terminal extends EventEmitter {
  readonly isTTY = true;
  readonly columns = COLUMNS;
  readonly rows = ROWS;
  bytes = 0;
  write(chunk: string | Uint8Array, encoding?: unknown, callback?: () => void): boolean {
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    const done = typeof encoding === 'function' ? (encoding as () => void) : callback;
    done?.();
    return true;
  }
}

class Keyboard extends EventEmitter {
  readonly isTTY = true;
  read = () => null;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Attack traffic that evolves poll by poll: a few counts change, sources come and go. */
export class Traffic {
  private readonly random = seededRandom(42);
  private next = 1;
  private readonly services: { name: string; label: string; offenders: Offender[]; timeline: number[] }[];

  constructor() {
    this.services = [
      { name: 'ssh', label: 'SSH', offenders: [], timeline: new Array(WINDOW_MS / BUCKET_MS).fill(0) },
      { name: 'rdp', label: 'RDP', offenders: [], timeline: new Array(WINDOW_MS / BUCKET_MS).fill(0) },
    ];
    for (const service of this.services) {
      for (let index = 0; index < OFFENDERS; index += 1) service.offenders.push(this.offender(T0, index));
    }
  }

  private offender(now: number, index: number): Offender {
    const id = this.next++;
    const failures = 5 + Math.floor(this.random() * 200);
    const users = 1 + (index % 9);
    return {
      ip:
        index % 5 === 0
          ? `2001:db8:${(id % 65_000).toString(16)}::${index + 1}`
          : `198.51.${id % 250}.${index + 1}`,
      failures,
      distinctUsers: users,
      topUsers: Array.from({ length: Math.min(users, 5) }, (_, user) => ({
        name: ['root', 'admin', 'oracle', 'ubuntu', 'test'][user]!,
        count: Math.max(1, Math.floor(failures / (user + 2))),
      })),
      invalidUserFailures: index % 4 === 0 ? Math.floor(failures / 2) : 0,
      hosts: [{ name: `web-${index % 3}`, count: failures }],
      firstFailure: iso(now - 600_000),
      lastFailure: iso(now - Math.floor(this.random() * 300_000)),
      successesAfterFailure: index === 7 ? 1 : 0,
      firstSuccessAfterFailure: index === 7 ? iso(now - 60_000) : null,
      successUser: index === 7 ? 'admin' : null,
      country: ['CN', 'RU', 'US', 'BR', null][index % 5] ?? null,
      asn: index % 5 === 4 ? null : 4134 + index,
      asOrg: index % 5 === 4 ? null : `AS-ORG-${index}`,
    };
  }

  /** The snapshot of poll `poll` (taken at `now`). */
  poll(poll: number, now: number, churn: boolean): Snapshot {
    const services: ServiceSnapshot[] = this.services.map((service) => {
      // A few numbers change: three offenders gain failures, the last bucket grows.
      for (let change = 0; change < 3; change += 1) {
        const index = Math.floor(this.random() * service.offenders.length);
        const current = service.offenders[index]!;
        const more = 1 + Math.floor(this.random() * 3);
        service.offenders[index] = { ...current, failures: current.failures + more, lastFailure: iso(now) };
        service.timeline[service.timeline.length - 1]! += more;
      }
      if (poll % (BUCKET_MS / REFRESH_MS) === 0) service.timeline = [...service.timeline.slice(1), 0];
      if (churn && poll % 50 === 0) {
        // A new source replaces the quietest one (its alerts go quiet, then close).
        service.offenders.sort((a, b) => b.failures - a.failures);
        service.offenders[service.offenders.length - 1] = this.offender(now, poll % OFFENDERS);
      }
      const offenders = [...service.offenders].sort((a, b) => b.failures - a.failures);
      return {
        service: service.name,
        label: service.label,
        failures: offenders.reduce((sum, offender) => sum + offender.failures, 0),
        successes: 3,
        distinctIps: offenders.length,
        unknownSource: 2,
        invalidUserFailures: offenders.reduce((sum, offender) => sum + offender.invalidUserFailures, 0),
        offenders,
        offendersTruncated: false,
        timeline: [...service.timeline],
        targetedUsers: [],
        took: 4,
      };
    });
    return {
      schema: 1,
      backend: { kind: 'elasticsearch', version: '8.19.9' },
      cluster: 'es.example:9200',
      indexPattern: 'logs-*,winlogbeat-*',
      window: { from: iso(now - WINDOW_MS), to: iso(now), ms: WINDOW_MS },
      bucketMs: BUCKET_MS,
      services,
      customRules: [],
      took: 4,
      fetchMs: 6,
      fetchedAt: iso(now),
    };
  }
}

export interface Session {
  store: Store;
  terminal: Terminal;
  renders: () => number;
  flush: () => Promise<void>;
  stop: () => void;
  clock: { now: number };
}

/** The real App, store, reducer and detector, rendered by Ink with `soc-watch`'s options. */
export function mount(product: Product, config: Config, incremental: boolean): Session {
  const clock = { now: T0 };
  const store = product.createStore(
    product.initialState({
      now: clock.now,
      services: config.services.map((service) => ({ name: service.name, label: service.label })),
      cluster: 'es.example:9200',
      indexPattern: config.indexPattern,
      refreshMs: REFRESH_MS,
      windowMs: WINDOW_MS,
      settings: product.detectionSettings(config),
      escalation: { configured: true, hint: 'Slack: configured' },
    }),
  );
  const terminal = new Terminal();
  let renders = 0;
  const instance = product.render(
    product.createElement(
      product.UiContext,
      { value: { glyphs: product.UNICODE_GLYPHS, theme: product.COLOUR_THEME } },
      product.createElement(product.App, { store, onEffect: () => {}, clock: () => clock.now }),
    ),
    {
      stdout: terminal as unknown as NodeJS.WriteStream,
      stdin: new Keyboard() as unknown as NodeJS.ReadStream,
      stderr: new Terminal() as unknown as NodeJS.WriteStream,
      exitOnCtrlC: false,
      patchConsole: false,
      incrementalRendering: incremental,
      maxFps: product.MAX_FPS,
      alternateScreen: true,
      interactive: true,
      onRender: () => {
        renders += 1;
      },
    },
  );
  return {
    store,
    terminal,
    clock,
    renders: () => renders,
    flush: () => instance.waitUntilRenderFlush(),
    stop: () => {
      instance.unmount();
      instance.cleanup();
    },
  };
}

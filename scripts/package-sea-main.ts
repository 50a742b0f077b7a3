// Entry of the single executable (`npm run package` bundles it with the CLI into one file).
// It does what bin/soc-watch.js and its shebang do for the npm command:
// - the node flags of the shebang are in the executable's own configuration (execArgv), so
//   they apply before any JavaScript runs;
// - the environment the shebang sets (MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_) must be there when the process
//   starts, because glibc reads it once, at the first malloc. An executable has no shebang,
//   so it replaces itself once with the same arguments and that environment added
//   (process.execve: same PID, same terminal). A value the user set wins and is kept;
// - NODE_ENV=production is compiled in (React's production build), see scripts/package.ts.
/** The environment of bin/soc-watch.js's shebang, written in by scripts/package.ts. */
declare const SOC_WATCH_LAUNCH_ENV: Record<string, string>;

const missing = Object.entries(SOC_WATCH_LAUNCH_ENV).filter(([name]) => process.env[name] === undefined);
if (missing.length > 0 && process.execve) {
  try {
    // argv[0] is the executable, argv[1] the name it was started by, then the user's arguments.
    process.execve(process.execPath, process.argv.slice(1), {
      ...process.env,
      ...Object.fromEntries(missing),
    });
  } catch (error) {
    // Running without the setting costs memory, not correctness: say so and go on.
    process.stderr.write(
      `soc-watch: could not restart with ${missing.map(([name, value]) => `${name}=${value}`).join(' ')} (${(error as Error).message}); memory use may be higher\n`,
    );
  }
}

// bench:package measures the console's memory inside the executable with this hidden switch
// (scripts/package-memory.ts); it is not a command. Ink's layout engine (Yoga, WebAssembly)
// loads only for the console: see scripts/package.ts.
const memoryJob = process.env.SOC_WATCH_SEA_MEMORY_JOB;
(memoryJob
  ? // Ink reads Yoga's constants as it loads: Yoga first, as for the console.
    import('./package-yoga.js')
      .then((yoga) => yoga.initYoga())
      .then(() => import('./package-memory-sea.js'))
      .then((bench) => bench.runInExecutable(memoryJob))
  : import('../source/cli.js')
).catch((error: unknown) => {
  process.stderr.write(`soc-watch: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});

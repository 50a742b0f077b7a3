#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=32768 node --optimize-for-size --max-semi-space-size=1
// Plain JavaScript that any Node can parse: refuse old runtimes with one line that says what
// to use instead, before loading the compiled CLI (which uses syntax and APIs of Node >= 22).
// (In a checkout, npm and npx put the project's own Node 24 first on PATH.)
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(
    `soc-watch needs Node.js >= 22 (this is ${process.version}): install Node.js 22 or later, or use the single executable soc-watch-linux-x64, which needs no Node (\`npm run package\` in a checkout builds it into build/; see Install in the README).\n`,
  );
  process.exit(1);
}
// React's development build (prop diffing, render logging) costs ~3x the CPU per console
// frame; a CLI runs the production build unless told otherwise.
if (!process.env.NODE_ENV) process.env.NODE_ENV = 'production';
// The shebang sets how much memory the console keeps (measured with `npm run bench:render`,
// 10,000 polls back to back, and on a live console polling 1M failed logins every 2 s):
// - Each poll makes ~10 MB of short-lived garbage (most of it Ink laying out the frame) over
//   ~30 MB of live data. Left alone, V8 sizes its heap from that allocation rate and keeps
//   ~4x the live data plus freed pages (console ~185 MB, bench ~330 MB).
// - --optimize-for-size makes V8 collect sooner and hand freed pages back (console and bench
//   ~135-145 MB) for ~20-50 ms more CPU per poll, about 1 % of a core at the default 5 s
//   refresh. It sets no heap limit: a big response still gets all the memory it needs.
//   --max-semi-space-size=1, which it implies, keeps the young generation at 2 MB.
// - MALLOC_ARENA_MAX=2 stops glibc from giving each of V8's worker threads a malloc arena of
//   its own, which once fragmented holds ~10-15 MB more (other C libraries ignore it).
// - MALLOC_MMAP_THRESHOLD_=32768 gives each block of 32 KB or more (typed arrays of the
//   incremental snapshots' slices, made and freed at every poll) pages of its own, returned
//   when freed. Left to glibc, the threshold rises to the largest block freed and such blocks
//   come from the main heap, which they fragment: bench:window's memory child (200,000 IPs)
//   grew 2.9 MB per 1,000 polls (C heap 44.6 → 49.5 MB from poll ~6,000 to ~8,000, RSS
//   148.7 MB at 10,000); with it, 145.3 MB at 10,000 (124.5 against 132.8 at 3,000). The C
//   heap still grows ~1.9 MB per 1,000 polls; 8192 measured no better (137.1 MB at poll
//   7,000 against 138.5) and costs more system time at start.
// All of it must be on the command line: V8 sizes its heap and glibc its arenas before any
// JavaScript runs. scripts/launcher-command.ts reads this line for the demo and the bench.
import('../dist/cli.js').catch((error) => {
  process.stderr.write(`soc-watch: ${error?.message ?? error}\n`);
  process.exit(1);
});

#!/usr/bin/env -S node --max-semi-space-size=1
// Plain JavaScript that any Node can parse: refuse old runtimes with one line
// before loading the compiled CLI (which uses syntax and APIs of Node >= 22).
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(
    `soc-watch needs Node.js >= 22 (this is ${process.version}); run it through npm/npx in the project, which uses the bundled Node 24.\n`,
  );
  process.exit(1);
}
// React's development build (prop diffing, render logging) costs ~3x the CPU per console
// frame; a CLI runs the production build unless told otherwise.
if (!process.env.NODE_ENV) process.env.NODE_ENV = 'production';
// The shebang caps V8's semi-spaces at 1 MB: each poll parses a response of up to a few
// hundred KB, and left alone V8 grows its young generation for that burst until the console
// sits at ~350 MB RSS on a busy cluster; capped, it stays near 165 MB for the same work
// (measured). The flag cannot be set at run time (v8.setFlagsFromString has no effect).
import('../dist/cli.js').catch((error) => {
  process.stderr.write(`soc-watch: ${error?.message ?? error}\n`);
  process.exit(1);
});

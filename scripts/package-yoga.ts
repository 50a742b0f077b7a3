// Stands in for `yoga-layout` in the single executable's bundle (scripts/package.ts maps the
// import here). The real module loads its WebAssembly with a top-level await, which a
// CommonJS bundle (what Node 24's single-executable support runs) cannot hold. Here the same
// load is an exported function that the CLI awaits before it loads the console command (the
// only one that draws with Ink: scripts/package.ts adds the wait), and `default` is a live
// binding that Ink reads only once it lays out a frame.
import { loadYoga, type Yoga } from 'yoga-layout/load';

export * from 'yoga-layout/load';

let yoga: Yoga | undefined;

export { yoga as default };

export async function initYoga(): Promise<void> {
  yoga ??= await loadYoga();
}

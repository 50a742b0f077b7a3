// The npm command's side of bench:package's memory run (scripts/package-memory.ts): the
// compiled product (dist/) and node_modules loaded by path, as bin/soc-watch.js loads them.
// bench:package bundles this file (product modules left out) and runs it with the launcher's
// node flags and environment. Argument: the job, JSON.
import { loadProduct } from '../bench/render-harness.mjs';
import { type PackageMemoryJob, runPackageMemory } from './package-memory.js';

const product = await loadProduct(new URL('../dist/', import.meta.url));
const run = await runPackageMemory(product, JSON.parse(process.argv[2] ?? '') as PackageMemoryJob);
process.stdout.write(`${JSON.stringify(run)}\n`);
process.exit(0);

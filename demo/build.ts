// The console the demo opens is the compiled CLI (bin/soc-watch.js → dist/cli.js), the same
// program a user runs. Rebuild it first when any source file is newer than the build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (/\.(ts|tsx|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether dist/cli.js is missing or older than something under source/ or the build config. */
export function buildIsStale(root: string): boolean {
  const built = join(root, 'dist', 'cli.js');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const inputs = Math.max(
    newestMtime(join(root, 'source')),
    statSync(join(root, 'tsconfig.json')).mtimeMs,
    statSync(join(root, 'tsconfig.build.json')).mtimeMs,
  );
  return inputs > builtAt;
}

/** `npm run build` (tsc -p tsconfig.build.json) with this Node. Returns true when dist/cli.js exists afterwards. */
export function buildCli(root: string, log: (line: string) => void): boolean {
  log('building the CLI (npm run build)…');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) log(`the build reported errors (exit ${result.status ?? result.signal})`);
  return existsSync(join(root, 'dist', 'cli.js'));
}

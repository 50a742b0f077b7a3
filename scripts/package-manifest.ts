// `npm pack` (prepack / postpack): the tarball's package.json without the `prepare` script.
// In a checkout, `prepare` builds dist/ and links the bin on `npm install`; in a package that
// ships dist/ already it would only be an install script that npm asks the user to allow
// (and that needs the TypeScript compiler, a dev dependency). So prepack writes package.json
// without it and postpack puts the original back, byte for byte; a pack that died between
// the two is repaired by the next one. Runs on Node 24 as is (types are stripped).
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const MANIFEST = 'package.json';
const SAVED = 'node_modules/.cache/soc-watch-pack/package.json';

function restore(): void {
  if (!existsSync(SAVED)) return;
  copyFileSync(SAVED, MANIFEST);
  rmSync(SAVED);
}

const step = process.argv[2];
if (step === 'pack') {
  restore();
  const text = readFileSync(MANIFEST, 'utf8');
  const manifest = JSON.parse(text) as { scripts?: Record<string, string> };
  mkdirSync('node_modules/.cache/soc-watch-pack', { recursive: true });
  writeFileSync(SAVED, text);
  delete manifest.scripts?.prepare;
  writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
} else if (step === 'restore') {
  restore();
} else {
  throw new Error('usage: node scripts/package-manifest.ts pack|restore');
}

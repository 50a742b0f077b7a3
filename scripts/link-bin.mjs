// `npx soc-watch` inside this checkout: npm links the bins of dependencies into
// node_modules/.bin but not the project's own, so link it here (run by `prepare`).
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';

mkdirSync('node_modules/.bin', { recursive: true });
const link = 'node_modules/.bin/soc-watch';
if (existsSync(link)) rmSync(link);
symlinkSync('../../bin/soc-watch.js', link);
chmodSync('bin/soc-watch.js', 0o755);

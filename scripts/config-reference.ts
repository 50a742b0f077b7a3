// The configuration reference table in README.md, generated from the key table so the
// documentation cannot drift from the code: `npx tsx scripts/config-reference.ts --write`
// rewrites it; test/config/readme.test.ts fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { envNamesOf, KEYS } from '../source/config/keys.js';
import { FLAG_KEYS } from '../source/config/load.js';
import { allowedText, formatValue } from '../source/config/validate.js';
import { KEYMAP } from '../source/console/keys/keymap.js';

const escapePipes = (text: string) => text.replace(/\|/g, '\\|');

export function configReference(): string {
  const flagOf = new Map(
    Object.entries(FLAG_KEYS).map(([flag, path]) => [
      path,
      `\`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}\``,
    ]),
  );
  const lines = ['| Key | Default | Environment | Flag | Allowed | Meaning |', '|---|---|---|---|---|---|'];
  for (const spec of KEYS) {
    const fallback = formatValue(spec.default);
    const def = fallback === '' ? '(none)' : `\`${fallback}\``;
    const env = envNamesOf(spec)
      .map((name) => `\`${name}\``)
      .join(', ');
    lines.push(
      `| \`${spec.path}\` | ${def} | ${env} | ${flagOf.get(spec.path) ?? ''} | ${escapePipes(allowedText(spec))} | ${escapePipes(spec.description)} |`,
    );
  }
  return lines.join('\n');
}

/** The console's keys, from the same table that drives input and the `?` overlay. */
export function keysReference(): string {
  const lines = ['| Keys | Where | What |', '|---|---|---|'];
  const seen = new Set<string>();
  for (const binding of KEYMAP) {
    if (binding.command === 'type') continue;
    const row = `| \`${binding.keys}\` | ${binding.contexts.join(', ')} | ${escapePipes(binding.help)} |`;
    if (seen.has(row)) continue;
    seen.add(row);
    lines.push(row);
  }
  return lines.join('\n');
}

function replaceBetween(readme: string, name: string, content: string): string {
  const start = new RegExp(`<!-- ${name}:start[^>]*-->`).exec(readme);
  const end = readme.indexOf(`<!-- ${name}:end -->`);
  if (!start || end < 0) throw new Error(`README.md lacks the ${name} markers`);
  return `${readme.slice(0, start.index + start[0].length)}\n${content}\n${readme.slice(end)}`;
}

export function withReference(readme: string): string {
  return replaceBetween(
    replaceBetween(readme, 'config-reference', configReference()),
    'keys',
    keysReference(),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = new URL('../README.md', import.meta.url);
  if (process.argv.includes('--write')) writeFileSync(path, withReference(readFileSync(path, 'utf8')));
  else process.stdout.write(`${configReference()}\n`);
}

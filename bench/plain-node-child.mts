// Bench children that run as plain JavaScript under plain node (no tsx, no type stripping:
// either would add its own tens of MB to the RSS a memory bench measures): their TypeScript
// transpiled here, types erased, one file at a time, into node_modules/.cache, from where
// packages resolve to the project's own copies, as dist/'s imports do.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const ROOT = new URL('../', import.meta.url);

/** `names` (bench/*.mts) written as .mjs beside each other; returns the URL of `main`'s. */
export async function plainNodeChild(names: readonly string[], main: string): Promise<URL> {
  const { default: ts } = await import('typescript');
  const out = new URL('node_modules/.cache/soc-watch-bench/', ROOT);
  mkdirSync(out, { recursive: true });
  for (const name of names) {
    const { outputText } = ts.transpileModule(readFileSync(new URL(name, import.meta.url), 'utf8'), {
      fileName: name,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2023,
        verbatimModuleSyntax: true,
      },
    });
    writeFileSync(new URL(name.replace(/\.mts$/, '.mjs'), out), outputText);
  }
  return new URL(main.replace(/\.mts$/, '.mjs'), out);
}

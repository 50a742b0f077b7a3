// `soc-watch completion` (an integration test only because it runs the CLI and bash as child
// processes): the scripts come from the CLI's own tables. The bash script is run by a real bash (as bash runs it on Tab: COMP_WORDS set, the function called, COMPREPLY
// read); zsh runs the same script through bashcompinit; the fish script is checked for what
// it offers. Run through the compiled CLI (npm test builds dist/ first).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEYS } from '../../source/config/keys.js';

const bin = join(import.meta.dirname, '../../bin/soc-watch.js');

function soc(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 20_000 });
}

const bashScript = soc(['completion', 'bash']).stdout;

/** What bash offers after typing `line` (a trailing space means a new, empty word). */
function complete(line: string): string[] {
  const program = `${bashScript}
words=(${line
    .split(' ')
    .map((word) => `'${word}'`)
    .join(' ')})
COMP_WORDS=("\${words[@]}")
COMP_CWORD=$((\${#words[@]} - 1))
COMPREPLY=()
_soc_watch
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', program], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.split('\n').filter(Boolean).sort();
}

describe('soc-watch completion', () => {
  it('completes commands, flags and their values in bash', () => {
    expect(complete('soc-watch ')).toEqual(['completion', 'config', 'doctor', 'ingest', 'once', 'replay']);
    expect(complete('soc-watch replay --')).toEqual(
      expect.arrayContaining(['--from', '--to', '--step', '--json']),
    );
    expect(complete('soc-watch once --')).toEqual(
      expect.arrayContaining(['--at', '--fail-on', '--evidence']),
    );
    expect(complete('soc-watch co')).toEqual(['completion', 'config']);
    expect(complete('soc-watch once --')).toEqual(
      expect.arrayContaining(['--json', '--escalate', '--note', '--url', '--index', '--help']),
    );
    expect(complete('soc-watch once --')).not.toContain('--format');
    expect(complete('soc-watch --as')).toEqual(['--ascii']);
    expect(complete('soc-watch --backend ')).toEqual(['auto', 'elasticsearch', 'opensearch']);
    expect(complete('soc-watch doctor --auth b')).toEqual(['basic', 'bearer']);
    expect(complete('soc-watch ingest --format ')).toEqual(['auto', 'journald', 'syslog', 'windows']);
    // A boolean flag takes no value: what follows is completed as usual.
    expect(complete('soc-watch --insecure --')).toContain('--url');
    expect(complete('soc-watch completion ')).toEqual(['bash', 'fish', 'zsh']);
  });

  it('completes config actions, every config key, and the values a key allows', () => {
    expect(complete('soc-watch config ')).toEqual(['get', 'list', 'path', 'set', 'unset']);
    expect(complete('soc-watch config set ')).toEqual(KEYS.map((spec) => spec.path).sort());
    expect(complete('soc-watch config get rules.spr')).toEqual([
      'rules.spraying.distinctUsers',
      'rules.spraying.enabled',
    ]);
    expect(complete('soc-watch config set backend ')).toEqual(['auto', 'elasticsearch', 'opensearch']);
    expect(complete('soc-watch config set rules.spraying.enabled ')).toEqual(['false', 'true']);
    expect(complete('soc-watch config set window ')).toEqual([]);
    expect(complete('soc-watch config list ')).toEqual([]);
  });

  it('prints zsh and fish scripts from the same tables, and refuses an unknown shell', () => {
    const zsh = soc(['completion', 'zsh']);
    expect(zsh.status).toBe(0);
    expect(zsh.stdout).toContain('bashcompinit');
    expect(zsh.stdout).toContain('complete -o default -F _soc_watch soc-watch');
    const fish = soc(['completion', 'fish']);
    expect(fish.status).toBe(0);
    expect(fish.stdout).toContain(
      "complete -c soc-watch -n '__fish_use_subcommand' -a 'once replay doctor ingest config completion'",
    );
    expect(fish.stdout).toContain("-l backend -x -a 'auto elasticsearch opensearch'");
    expect(fish.stdout).toContain("-l format -x -a 'auto syslog journald windows'");
    for (const spec of KEYS) expect(fish.stdout).toContain(`-a '${spec.path}'`);
    const bad = soc(['completion', 'tcsh']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('completion needs one shell: bash, zsh, fish');
    expect(bad.stdout).toBe('');
  });
});

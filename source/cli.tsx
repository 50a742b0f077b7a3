// The command-line shell: picks the command, parses its flags with meow, loads the one
// config layer, and hands a CommandContext to the command. Commands return exit codes;
// this file is the only place that calls process.exit.
import { dirname } from 'node:path';
import meow from 'meow';
import type { CommandContext, ConfigPersistence } from './commands/context.js';
import { loadConfig, loadDotEnv } from './config/load.js';
import { openConfigStore } from './config/store.js';
import { ConfigError } from './config/validate.js';

const COMMANDS = ['console', 'once', 'replay', 'doctor', 'ingest', 'config', 'completion'] as const;
type CommandName = (typeof COMMANDS)[number];

const CONNECTION_HELP = `
  Connection (override the config file and environment)
    --url URL[,URL]       Cluster node(s)            env ELASTICSEARCH_URL
    --backend NAME        auto | elasticsearch | opensearch
    --auth MODE           auto | none | apiKey | basic | bearer
                          secrets only from env: ELASTICSEARCH_API_KEY, ELASTICSEARCH_USERNAME +
                          ELASTICSEARCH_PASSWORD, ELASTICSEARCH_BEARER_TOKEN (or *_FILE)
    --ca-file PATH        CA certificate (PEM)
    --ca-fingerprint HEX  SHA-256 fingerprint of the CA
    --insecure            Skip TLS verification (prints a warning)
    --timeout DURATION    Request timeout, e.g. 10s
    --index PATTERN       Index pattern, e.g. logs-*,winlogbeat-*
    --window DURATION     Detection window, e.g. 15m
    --refresh DURATION    Poll interval, e.g. 5s`;

const HELP: Record<CommandName, string> = {
  console: `
  Usage
    $ soc-watch [flags]            live console (needs a terminal)
    $ soc-watch <command> --help   help for a command

  Commands
    (none)        The live console: offenders per service, sparklines, alerts, Slack escalation
    once          One snapshot with its alerts (--json for scripts, --at for a past time)
    replay        The detector over a past period: the alert timeline (--from, --to)
    doctor        Check the cluster, index pattern and fields, and say what to fix
    ingest FILE…  Parse sshd / journald / Windows logon logs into ECS and index them
    config        get | set | unset | path | list
    completion    bash | zsh | fish: shell completion script
${CONNECTION_HELP}
    --kibana-url URL      Kibana base URL for Discover links
    --ascii               ASCII sparklines and borders
    --at TIME             Not live: the console as of TIME (times as for once --at);
                          [ ] step one refresh, { } one window
    --replay FROM..TO     Not live: play that period (Space play/pause, < > speed x1..x600,
                          [ ] step, n next alert), e.g. --replay "yesterday 02:00..yesterday 04:00"

  Keys in the console: press ? for help, q to quit.

  Examples
    $ ELASTICSEARCH_URL=https://es:9200 ELASTICSEARCH_API_KEY=… soc-watch
    $ soc-watch once --json | jq '.services[].offenders[0]'
    $ soc-watch config set thresholds.ssh 10
`,
  once: `
  Usage
    $ soc-watch once [--json] [--at TIME] [--fail-on SEVERITY] [flags]

  Fetch one snapshot of failed logins per service over the window, run the detector on it,
  and print both (alerts under the panes).

  Flags
    --json                Stable JSON (schema 2: the snapshot plus alerts) for scripts
    --strict              Exit 3 when the snapshot has warnings (no indices, failed shards)
    --at TIME             As of TIME instead of now: the windows end there. ISO 8601
                          (2026-12-02T03:00Z; UTC without a zone), "yesterday 03:00" (UTC),
                          or relative with =: --at=-2h
    --lookback DURATION   Replay the detector over this much before the time first, so the
                          alerts' states (new, active, quiet, closed) are the console's
                          (default: the slow window, 6h; 0 = none, every alert new)
    --fail-on SEVERITY    Exit 3 when an alert is at or above low | medium | high | critical
    --evidence ALERT_ID   Write the alert's evidence bundle (Markdown + JSON) to evidenceDir;
                          ALERT_ID as listed, <rule>:<service>:<key>
    --escalate SPEC       Escalate one alert to Slack: <rule>:<service>:<key>, e.g.
                          brute-force:ssh:203.0.113.7 (same dedupe as the console)
    --note TEXT           Note to add to the escalation
    --force               Send even if an earlier attempt got no answer from Slack
                          (it may have been posted: the message says it is a re-send).
                          Exit 0 posted, 1 not posted, 3 Slack did not answer
${CONNECTION_HELP}
`,
  replay: `
  Usage
    $ soc-watch replay --from TIME --to TIME [--step 30s] [--window 15m] [--json] [flags]

  Run the detector poll by poll over a past period, as the live console would have, and
  print the alert timeline: when each alert opened, last grew, went quiet and closed, with
  its peak counts. The same data gives the same output on every run.

  Flags
    --from TIME, --to TIME  ISO 8601 (UTC without a zone), "yesterday 02:00" (UTC), now, or
                            relative with =: --from=-12h
    --step DURATION         Time between polls (default 30s)
    --json                  NDJSON: one event per line (opened, grew, active, quiet, closed)
${CONNECTION_HELP}
`,
  doctor: `
  Usage
    $ soc-watch doctor [flags]

  Check reachability, auth, backend and version, the index pattern, every configured
  field and its type, and failures per service; print a fix for every failure.
  Exit code 0 when all checks pass, 1 otherwise.
${CONNECTION_HELP}
`,
  ingest: `
  Usage
    $ soc-watch ingest FILE… [flags]
    $ journalctl -u ssh -o json | soc-watch ingest -

  Parse sshd logs (auth.log / secure, RFC 3164 or ISO timestamps), journalctl -o json
  exports and Windows 4624/4625 events (Winlogbeat ECS or Get-WinEvent JSON) into ECS
  and index them idempotently (re-ingesting a file adds nothing).

  Flags
    --format NAME         auto | syslog | journald | windows (default auto, per line)
    --to INDEX            Target index (default: config ingestIndex, soc-watch-auth)
    --year YEAR           Year of the first RFC 3164 line (advancing at Dec→Jan); default:
                          inferred from the file's mtime, never in the future
    --timezone ZONE       Zone of timestamps without one, e.g. +02:00 (default: local, TZ)
    --dry-run             Print ECS documents as NDJSON instead of indexing
    --follow              Keep reading as the files grow (tail -F through rotation), with a
                          checkpoint beside the config: restarts lose and double nothing
    --cursor-file FILE    With -: keep the last indexed journald __CURSOR in FILE
    --status              Show a running follower's lag, lines waiting and last error
${CONNECTION_HELP}
`,
  config: `
  Usage
    $ soc-watch config list            every key, its value and where it comes from
    $ soc-watch config get KEY
    $ soc-watch config set KEY VALUE
    $ soc-watch config unset KEY
    $ soc-watch config path

  Precedence: flags > environment > config file > defaults. Secrets (API key, password,
  bearer token, Slack webhook URL) are read from the environment or files only and are
  never written or shown. Examples:
    $ soc-watch config set window 30m
    $ soc-watch config set thresholds.ssh 10
    $ soc-watch config set allowList.cidrs 10.0.0.0/8,192.168.0.0/16
`,
  completion: `
  Usage
    $ soc-watch completion bash|zsh|fish

  Print a completion script for commands, flags, config keys and their values.
    bash  eval "$(soc-watch completion bash)"          in ~/.bashrc
    zsh   eval "$(soc-watch completion zsh)"           in ~/.zshrc, after compinit
    fish  soc-watch completion fish > ~/.config/fish/completions/soc-watch.fish
`,
};

const CONNECTION_FLAGS = {
  url: { type: 'string' },
  backend: { type: 'string' },
  auth: { type: 'string' },
  caFile: { type: 'string' },
  caFingerprint: { type: 'string' },
  insecure: { type: 'boolean' },
  timeout: { type: 'string' },
  index: { type: 'string' },
  window: { type: 'string' },
  refresh: { type: 'string' },
} as const;

const FLAGS = {
  console: {
    ...CONNECTION_FLAGS,
    kibanaUrl: { type: 'string' },
    ascii: { type: 'boolean' },
    at: { type: 'string' },
    replay: { type: 'string' },
  },
  once: {
    ...CONNECTION_FLAGS,
    json: { type: 'boolean' },
    strict: { type: 'boolean' },
    escalate: { type: 'string' },
    note: { type: 'string' },
    force: { type: 'boolean' },
    kibanaUrl: { type: 'string' },
    at: { type: 'string' },
    lookback: { type: 'string' },
    failOn: { type: 'string' },
    evidence: { type: 'string' },
  },
  replay: {
    ...CONNECTION_FLAGS,
    from: { type: 'string' },
    to: { type: 'string' },
    step: { type: 'string' },
    json: { type: 'boolean' },
  },
  doctor: CONNECTION_FLAGS,
  ingest: {
    ...CONNECTION_FLAGS,
    format: { type: 'string', choices: ['auto', 'syslog', 'journald', 'windows'], default: 'auto' },
    to: { type: 'string' },
    year: { type: 'number' },
    timezone: { type: 'string' },
    dryRun: { type: 'boolean' },
    follow: { type: 'boolean' },
    cursorFile: { type: 'string' },
    status: { type: 'boolean' },
  },
  config: {},
  completion: {},
} as const;

/** Set only in the single executable, which has no package.json beside it (scripts/package.ts). */
declare const SOC_WATCH_PACKAGE: { name: string; version: string; description: string } | undefined;

function usageError(message: string): never {
  process.stderr.write(`soc-watch: ${message}\nRun soc-watch --help for usage.\n`);
  process.exit(2);
}

async function loadCommand(name: CommandName) {
  switch (name) {
    case 'console':
      return (await import('./commands/console.js')).consoleCommand;
    case 'once':
      return (await import('./commands/once.js')).onceCommand;
    case 'doctor':
      return (await import('./commands/doctor.js')).doctorCommand;
    case 'replay':
      return (await import('./commands/replay.js')).replayCommand;
    case 'ingest':
      return (await import('./commands/ingest.js')).ingestCommand;
    case 'config':
    case 'completion':
      throw new Error(`${name} is handled before the config is loaded`);
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const first = argv[0];
  let name: CommandName = 'console';
  let rest = argv;
  if (first !== undefined && !first.startsWith('-')) {
    if (!(COMMANDS as readonly string[]).includes(first) || first === 'console') {
      usageError(`unknown command "${first}" (commands: ${COMMANDS.slice(1).join(', ')})`);
    }
    name = first as CommandName;
    rest = argv.slice(1);
  }

  const cli = meow(HELP[name], {
    importMeta: import.meta,
    ...(typeof SOC_WATCH_PACKAGE === 'undefined' ? {} : { pkg: SOC_WATCH_PACKAGE }),
    argv: rest,
    flags: FLAGS[name] as never,
    allowUnknownFlags: false,
    booleanDefault: undefined,
  });
  const flags = cli.flags as Record<string, unknown>;

  if (name === 'console' && cli.input.length > 0) usageError(`unknown command "${cli.input[0]}"`);
  if (name === 'ingest' && cli.input.length === 0 && flags.status !== true)
    usageError('ingest needs at least one FILE, or - for stdin');

  if (name === 'completion') {
    const { completionCommand } = await import('./commands/completion.js');
    return completionCommand(
      cli.input,
      { commands: COMMANDS.filter((command) => command !== 'console'), flags: FLAGS },
      (text) => process.stdout.write(text),
      (line) => process.stderr.write(`${line}\n`),
    );
  }

  loadDotEnv();
  const store = openConfigStore({
    ...(process.env.SOC_WATCH_CONFIG_DIR ? { directory: process.env.SOC_WATCH_CONFIG_DIR } : {}),
  });
  if (name === 'config') {
    // Before loading: a bad value in the file must not stop `config unset` from fixing it.
    const { runConfigCommand } = await import('./commands/config.js');
    return runConfigCommand({
      args: cli.input,
      env: process.env,
      flags,
      store,
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    });
  }
  const loaded = loadConfig({ flags, env: process.env, store });
  for (const warning of loaded.warnings) process.stderr.write(`${warning}\n`);

  const persist: ConfigPersistence = { set: (key, value) => void store.set(key, value) };
  const controller = new AbortController();
  // The console installs its own handlers (Ink owns the terminal); the other commands abort
  // their work on the first signal and give up on the second.
  if (name !== 'console') {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) process.exit(130);
      controller.abort(new Error(`interrupted by ${signal}`));
    };
    // `when-exit` (conf → atomically) re-kills the process with the same signal a few ms
    // later, which counted as the second signal: `ingest --follow` under systemd exited 130
    // before writing its checkpoint. Its exit-time cleanup still runs on a normal exit.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.removeAllListeners(signal);
      process.on(signal, onSignal);
    }
  }

  const context: CommandContext = {
    config: loaded.config,
    secrets: loaded.secrets,
    input: cli.input,
    flags,
    warnings: loaded.warnings,
    persist,
    configDirectory: dirname(store.path),
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    signal: controller.signal,
  };
  const command = await loadCommand(name);
  return command(context);
}

main().then(
  (code) => {
    process.exitCode = code;
    // Let stdout drain, then make sure no stray handle keeps us alive.
    setTimeout(() => process.exit(code), 50).unref();
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`soc-watch: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`soc-watch: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);

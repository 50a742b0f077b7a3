// `soc-watch config get|set|unset|path|list`. Works on the config file through the store
// (validated, secrets refused) and shows effective values with their source, so an
// analyst can see why a value is what it is. Secrets are only ever shown as set/not set.
import { envNamesOf, keySpec, SECRET_ENV } from '../config/keys.js';
import { type Loaded, loadConfig } from '../config/load.js';
import { type ConfigStore, notAKey } from '../config/store.js';
import { ConfigError, formatValue } from '../config/validate.js';

/** What `soc-watch config` does (also completed by `soc-watch completion`). */
export const CONFIG_ACTIONS = ['get', 'set', 'unset', 'path', 'list'] as const;

export interface ConfigCommandIo {
  args: string[];
  env: NodeJS.ProcessEnv;
  flags: Record<string, unknown>;
  store: ConfigStore;
  out: (line: string) => void;
  err: (line: string) => void;
}

function isSet(env: NodeJS.ProcessEnv, name: string): boolean {
  return Boolean(env[name]?.trim() || env[`${name}_FILE`]?.trim());
}

function list(io: ConfigCommandIo, loaded: Loaded): void {
  const rows: [string, string, string][] = [];
  for (const [path, { value, source }] of [...loaded.effective.entries()].sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    rows.push([path, formatValue(value), source]);
  }
  const width = Math.max(...rows.map(([path]) => path.length));
  const valueWidth = Math.min(48, Math.max(...rows.map(([, value]) => value.length)));
  io.out(`config file: ${io.store.path}`);
  for (const [path, value, source] of rows)
    io.out(`${path.padEnd(width)}  ${value.padEnd(valueWidth)}  (${source})`);
  io.out('');
  io.out('secrets (environment or *_FILE only, never stored or shown):');
  for (const { name, what } of SECRET_ENV) {
    const set =
      isSet(io.env, name) || (name === 'SLACK_WEBHOOK_URL' && Boolean(loaded.config.slack.webhookUrlFile));
    io.out(
      `${name.padEnd(width)}  ${(set ? '•••••• (set, redacted)' : '(not set)').padEnd(valueWidth)}  ${what}`,
    );
  }
}

export async function runConfigCommand(io: ConfigCommandIo): Promise<number> {
  const [action, key, ...values] = io.args;
  const load = () => {
    const loaded = loadConfig({ flags: io.flags, env: io.env, store: io.store });
    for (const warning of loaded.warnings) io.err(warning);
    return loaded;
  };
  try {
    switch (action) {
      case 'path':
        io.out(io.store.path);
        return 0;
      case 'list':
      case undefined:
        list(io, load());
        return 0;
      case 'get': {
        if (!key) throw new ConfigError('config get needs a KEY (soc-watch config list shows every key)');
        if (!keySpec(key) && key !== 'services' && key !== 'customRules') throw new ConfigError(notAKey(key));
        if (key === 'services' || key === 'customRules') {
          io.out(JSON.stringify(io.store.get(key) ?? [], null, 2));
          return 0;
        }
        const entry = load().effective.get(key);
        io.out(formatValue(entry?.value ?? keySpec(key)?.default));
        return 0;
      }
      case 'set': {
        if (!key || values.length === 0)
          throw new ConfigError('config set needs KEY and VALUE, e.g. config set window 30m');
        const value = io.store.set(key, values.join(' '));
        io.out(
          `${key} = ${typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : formatValue(value)}`,
        );
        const spec = keySpec(key);
        const shadow = spec ? envNamesOf(spec).find((name) => io.env[name]) : undefined;
        if (shadow) io.err(`note: ${shadow} is set in the environment and takes precedence over the file`);
        return 0;
      }
      case 'unset':
        if (!key) throw new ConfigError('config unset needs a KEY');
        io.store.unset(key);
        io.out(`${key} unset (default: ${formatValue(keySpec(key)?.default ?? [])})`);
        return 0;
      default:
        throw new ConfigError(`unknown config action "${action}" (use get, set, unset, path or list)`);
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`soc-watch: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

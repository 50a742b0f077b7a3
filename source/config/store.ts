// The config file, through conf: schema-validated, atomic writes, mode 0600. Only what
// the user set is stored (defaults live in the key table), and secrets are refused.
import Conf from 'conf';
import { keySpec, SECRET_KEYS } from './keys.js';
import { confSchema } from './schema.js';
import { ConfigError, parseValue } from './validate.js';

export interface ConfigStore {
  readonly path: string;
  /** The raw value stored in the file at a dot path, or undefined. */
  get(path: string): unknown;
  /** Validate and store; returns the normalised value. Throws ConfigError. */
  set(path: string, raw: unknown): unknown;
  unset(path: string): void;
  /** Everything stored in the file. */
  all(): Record<string, unknown>;
}

const STRUCTURED = new Set(['services', 'customRules']);

function isSecretKey(path: string): boolean {
  const lower = path.toLowerCase();
  return (
    SECRET_KEYS.some((key) => key.toLowerCase() === lower) ||
    /(password|apikey|token|webhookurl$)/i.test(path)
  );
}

export function secretRefusal(path: string): string {
  return (
    `${path} is a secret and is never written to the config file: set it in the environment ` +
    '(ELASTICSEARCH_API_KEY, ELASTICSEARCH_PASSWORD, ELASTICSEARCH_BEARER_TOKEN, SLACK_WEBHOOK_URL — a .env file in ' +
    'the working directory works too), in a file named by *_FILE, or for Slack with slack.webhookUrlFile'
  );
}

/** Where the config lives: $SOC_WATCH_CONFIG_DIR, else the platform config dir (XDG on Linux). */
export function openConfigStore(options: { directory?: string } = {}): ConfigStore {
  let conf: Conf<Record<string, unknown>>;
  try {
    conf = new Conf<Record<string, unknown>>({
      projectName: 'soc-watch',
      projectSuffix: '',
      configFileMode: 0o600,
      schema: confSchema() as never,
      ...(options.directory ? { cwd: options.directory } : {}),
    });
  } catch (error) {
    throw new ConfigError(
      `the config file is invalid: ${(error as Error).message} (fix or remove it; see soc-watch config path)`,
    );
  }

  function write(path: string, value: unknown): void {
    try {
      conf.set(path, value);
    } catch (error) {
      throw new ConfigError(
        `invalid value for ${path}: ${(error as Error).message.replace(/^Config schema violation: /, '')}`,
      );
    }
  }

  return {
    path: conf.path,
    get: (path) => conf.get(path),
    set(path, raw) {
      if (isSecretKey(path)) throw new ConfigError(secretRefusal(path));
      if (STRUCTURED.has(path)) {
        let value: unknown = raw;
        if (typeof raw === 'string') {
          try {
            value = JSON.parse(raw);
          } catch {
            throw new ConfigError(
              `invalid value for ${path}: expected a JSON array (see README, custom services and rules)`,
            );
          }
        }
        write(path, value);
        return value;
      }
      const spec = keySpec(path);
      if (!spec)
        throw new ConfigError(`unknown config key "${path}" (soc-watch config list shows every key)`);
      const value = parseValue(spec, raw);
      write(path, value);
      return value;
    },
    unset(path) {
      if (!STRUCTURED.has(path) && !keySpec(path)) {
        throw new ConfigError(`unknown config key "${path}" (soc-watch config list shows every key)`);
      }
      conf.delete(path);
    },
    all: () => ({ ...conf.store }),
  };
}

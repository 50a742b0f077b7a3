// The config file, through conf: schema-validated, atomic writes, mode 0600 in a directory
// of mode 0700. Only what the user set is stored (defaults live in the key table), and
// secrets are refused, including credentials written into a node URL.
import Conf from 'conf';
import envPaths from 'env-paths';
import { hasCredentials, maskCredentials } from './credentials.js';
import { prepareConfigDirectory, readConfigFileShape } from './directory.js';
import { envNamesOf, KEYS, keySpec, SECRET_ENV, SECRET_KEYS } from './keys.js';
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

/** `SLACK_WEBHOOK_URL`, `slack.webhookUrl`, `api-key` → `slackwebhookurl`, `apikey`: one spelling. */
const squash = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');

function isSecretKey(path: string): boolean {
  const key = squash(path);
  return (
    SECRET_KEYS.some((secret) => squash(secret) === key) ||
    SECRET_ENV.some(({ name }) => squash(name) === key) ||
    /(password|apikey|token|webhookurl$)/.test(key)
  );
}

export function secretRefusal(path: string): string {
  return (
    `${path} is a secret, and secrets come only from the environment: they are never written to the config file. ` +
    'Set ELASTICSEARCH_API_KEY, ELASTICSEARCH_PASSWORD, ELASTICSEARCH_BEARER_TOKEN or SLACK_WEBHOOK_URL ' +
    '(a .env file in the working directory works too), or NAME_FILE naming a file that holds it, ' +
    'or for Slack: soc-watch config set slack.webhookUrlFile FILE'
  );
}

/** `config set ELASTICSEARCH_URL …`: the name of an environment variable, not of a key. */
function envVariableHint(path: string): string | undefined {
  const spec = KEYS.find((candidate) => envNamesOf(candidate).includes(path.toUpperCase()));
  return spec
    ? `"${path}" is an environment variable, not a config key: its key is ${spec.path} (soc-watch config set ${spec.path} VALUE)`
    : undefined;
}

function nodeCredentialsRefusal(raw: unknown): string {
  const shown = maskCredentials(Array.isArray(raw) ? raw.join(',') : String(raw));
  return (
    `nodes: "${shown}" carries credentials, which are never written to the config file. ` +
    'Store the URL without them (https://host:9200) and set ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD ' +
    '(or ELASTICSEARCH_PASSWORD_FILE naming a file) in the environment; or put the whole URL, credentials ' +
    'included, in ELASTICSEARCH_URL'
  );
}

/** Why `path` is not a key: a secret, an environment variable's name, or simply unknown. */
export function notAKey(path: string): string {
  if (isSecretKey(path)) return secretRefusal(path);
  return envVariableHint(path) ?? `unknown config key "${path}" (soc-watch config list shows every key)`;
}

/** Services a threshold can be set for: the built-in ones and those in the file. */
function serviceNames(stored: unknown): string[] {
  const builtIn = KEYS.filter((spec) => spec.path.startsWith('thresholds.')).map((spec) =>
    spec.path.slice('thresholds.'.length),
  );
  const custom = Array.isArray(stored)
    ? stored.flatMap((service) =>
        typeof service === 'object' && service !== null && typeof service.name === 'string'
          ? [service.name as string]
          : [],
      )
    : [];
  return [...new Set([...builtIn, ...custom])];
}

/** Where the config lives: $SOC_WATCH_CONFIG_DIR, else the platform config dir (XDG on Linux). */
export function openConfigStore(options: { directory?: string } = {}): ConfigStore {
  const directory = options.directory ?? envPaths('soc-watch', { suffix: '' }).config;
  // Before conf: its recursive mkdir spins forever under /proc, and creates with umask modes.
  prepareConfigDirectory(directory);
  readConfigFileShape(directory);
  let conf: Conf<Record<string, unknown>>;
  try {
    conf = new Conf<Record<string, unknown>>({
      projectName: 'soc-watch',
      projectSuffix: '',
      configFileMode: 0o600,
      schema: confSchema() as never,
      cwd: directory,
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
      const code = (error as NodeJS.ErrnoException).code;
      if (code) {
        throw new ConfigError(
          `cannot write the config file ${conf.path}: ${code} — set SOC_WATCH_CONFIG_DIR to a writable directory`,
        );
      }
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
      if (!spec) throw new ConfigError(notAKey(path));
      if (
        (spec.type === 'urls' || spec.type === 'url') &&
        hasCredentials(Array.isArray(raw) ? raw.join(',') : String(raw))
      ) {
        throw new ConfigError(
          spec.type === 'urls'
            ? nodeCredentialsRefusal(raw)
            : `${path}: "${maskCredentials(String(raw))}" carries credentials, which are never written to the config file: store the URL without them (a browser opening the link logs in itself)`,
        );
      }
      const service = /^thresholds\.(.+)$/.exec(path)?.[1];
      const services = serviceNames(conf.get('services'));
      if (service !== undefined && !services.includes(service)) {
        throw new ConfigError(
          `no service named "${service}": thresholds exist for ${services.join(', ')} ` +
            '(a custom service is defined first, with soc-watch config set services …)',
        );
      }
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

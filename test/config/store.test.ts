// The config file and `soc-watch config`: secrets never reach the file or the screen, the
// directory is private and checked before use, the file's shape is checked, and bounds hold.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConfigCommand } from '../../source/commands/config.js';
import { openConfigStore } from '../../source/config/store.js';

const temp = () => mkdtempSync(join(tmpdir(), 'soc-watch-store-'));

async function config(args: string[], options: { env?: NodeJS.ProcessEnv; directory?: string } = {}) {
  const directory = options.directory ?? temp();
  const store = openConfigStore({ directory });
  const out: string[] = [];
  const err: string[] = [];
  const code = await runConfigCommand({
    args,
    env: options.env ?? {},
    flags: {},
    store,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out: out.join('\n'), err: err.join('\n'), directory, path: store.path };
}

const fileText = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

describe('credentials in node URLs', () => {
  it('config set refuses a node URL with credentials, says where they go, and writes nothing', async () => {
    const result = await config(['set', 'nodes', 'https://alice:Hunter2Secret@es1.example:9200']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD/);
    expect(result.err).toContain('https://alice:***@es1.example:9200');
    expect(result.err).not.toContain('Hunter2Secret');
    expect(fileText(result.path)).not.toContain('Hunter2Secret');
  });

  it('kibanaUrl with credentials is refused too, and shown masked from the environment', async () => {
    const result = await config(['set', 'kibanaUrl', 'https://alice:Hunter2Secret@kibana:5601']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('https://alice:***@kibana:5601" carries credentials');
    expect(fileText(result.path)).not.toContain('Hunter2Secret');
    const get = await config(['get', 'kibanaUrl'], {
      env: { SOC_WATCH_KIBANA_URL: 'https://alice:Hunter2Secret@kibana:5601' },
    });
    expect(get.out).toBe('https://alice:***@kibana:5601');
    const { loadConfig } = await import('../../source/config/load.js');
    const { config: loaded } = loadConfig({
      store: openConfigStore({ directory: temp() }),
      env: { SOC_WATCH_KIBANA_URL: 'https://alice:Hunter2Secret@kibana:5601' },
    });
    expect(loaded.kibanaUrl).toBe('https://kibana:5601');
  });

  it('a rejected node list never echoes its password', async () => {
    const result = await config(['set', 'nodes', 'https://alice:Hunter2Secret@es1:9200,not a url']);
    expect(result.code).toBe(2);
    expect(result.err).not.toContain('Hunter2Secret');
  });

  it('an environment URL with credentials is shown masked by config list and config get', async () => {
    const env = { ELASTICSEARCH_URL: 'https://alice:Hunter2Secret@es1.example:9200' };
    const list = await config(['list'], { env });
    expect(list.out).toMatch(/nodes\s+https:\/\/alice:\*\*\*@es1\.example:9200\s+\(env\)/);
    const get = await config(['get', 'nodes'], { env });
    expect(get.out).toBe('https://alice:***@es1.example:9200');
    expect(`${list.out}${list.err}${get.out}${get.err}`).not.toContain('Hunter2Secret');
  });

  it('a raw @ in the password does not leave its tail on screen', async () => {
    const env = { ELASTICSEARCH_URL: 'https://alice:p@ss@es1.example:9200' };
    const get = await config(['get', 'nodes'], { env });
    expect(get.out).toBe('https://alice:***@es1.example:9200');
  });

  it('a hand-edited file with credentials is masked too', async () => {
    const directory = temp();
    writeFileSync(join(directory, 'config.json'), '{"nodes":["https://bob:Sw0rdfish@es2:9200"]}');
    const get = await config(['get', 'nodes'], { directory });
    expect(get.out).toBe('https://bob:***@es2:9200');
    expect(get.err).toMatch(/holds credentials in nodes; move them to ELASTICSEARCH_USERNAME/);
    expect(get.err).not.toContain('Sw0rdfish');
  });
});

describe('secrets and keys', () => {
  it.each(['SLACK_WEBHOOK_URL', 'ELASTICSEARCH_PASSWORD', 'ELASTICSEARCH_API_KEY_FILE', 'slack.webhookUrl'])(
    'config set %s says secrets come only from the environment',
    async (key) => {
      const result = await config(['set', key, 'x']);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(/secrets come only from the environment/);
      expect(result.err).not.toMatch(/unknown config key/);
    },
  );

  it('an environment variable given as a key names the key', async () => {
    const result = await config(['set', 'ELASTICSEARCH_URL', 'https://es1:9200']);
    expect(result.err).toMatch(/environment variable, not a config key: its key is nodes/);
  });
});

describe('the config directory', () => {
  it('is created 0700 whatever the umask, parents included', () => {
    const previous = process.umask(0o000);
    try {
      const directory = join(temp(), 'a', 'soc-watch');
      const store = openConfigStore({ directory });
      store.set('window', '30m');
      expect(statSync(directory).mode & 0o777).toBe(0o700);
      expect(statSync(join(directory, '..')).mode & 0o777).toBe(0o700);
      expect(statSync(store.path).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });

  it('a directory under /proc fails at once with a clear message (it used to spin at 100 % CPU)', () => {
    const script = join(temp(), 'open.ts');
    writeFileSync(
      script,
      `import { openConfigStore } from ${JSON.stringify(join(import.meta.dirname, '../../source/config/store.ts'))};\n` +
        `try { openConfigStore({ directory: '/proc/soc-watch-test/config' }); console.log('opened'); }\n` +
        `catch (error) { console.log(String(error.message)); }\n`,
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 20_000,
      killSignal: 'SIGKILL',
    });
    expect(child.signal).toBeNull();
    expect(child.stdout).toMatch(
      /cannot create the config directory \/proc\/soc-watch-test\/config: \/proc does not take new directories.*SOC_WATCH_CONFIG_DIR/,
    );
  });

  it('a file where the directory should be is named', () => {
    const file = join(temp(), 'plain-file');
    writeFileSync(file, 'x');
    expect(() => openConfigStore({ directory: join(file, 'soc-watch') })).toThrow(
      /plain-file exists and is not a directory/,
    );
  });
});

describe('the config file', () => {
  it.each([
    ['[]', 'an array'],
    ['null', 'null'],
    ['"text"', 'a string'],
  ])('holding %s is rejected with its path', (text, what) => {
    const directory = temp();
    writeFileSync(join(directory, 'config.json'), text);
    expect(() => openConfigStore({ directory })).toThrow(
      new RegExp(`${join(directory, 'config.json')} holds ${what} where an object`),
    );
  });

  it('that is not JSON is rejected with its path', () => {
    const directory = temp();
    writeFileSync(join(directory, 'config.json'), '{ "window": ');
    expect(() => openConfigStore({ directory })).toThrow(/config\.json is not valid JSON/);
  });
});

describe('bounds', () => {
  it('refresh is at least 1s', async () => {
    const result = await config(['set', 'refresh', '1ms']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/refresh: "1ms" — too short; expected a duration of at least 1s/);
    expect((await config(['set', 'refresh', '1s'])).code).toBe(0);
  });

  it('maxOffenders is at most 10,000 (measured; see keys.ts)', async () => {
    const result = await config(['set', 'maxOffenders', '1000000000']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/too large; expected a whole number from 1 to 10,000/);
    expect((await config(['set', 'maxOffenders', '10000'])).code).toBe(0);
  });

  it('thresholds exist only for services that exist', async () => {
    const result = await config(['set', 'thresholds.sshh', '3']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/no service named "sshh": thresholds exist for ssh, rdp/);
    const directory = temp();
    await config(['set', 'services', '[{"name":"poc-ssh","failure":{"match_all":{}}}]'], { directory });
    expect((await config(['set', 'thresholds.poc-ssh', '3'], { directory })).code).toBe(0);
    expect((await config(['set', 'thresholds.nope', '3'], { directory })).err).toMatch(
      /thresholds exist for ssh, rdp, poc-ssh/,
    );
  });

  it('a stale threshold in the file is a warning naming the services', async () => {
    const directory = temp();
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, 'config.json'), '{"thresholds":{"sshh":3}}');
    const { loadConfig } = await import('../../source/config/load.js');
    const { warnings } = loadConfig({ store: openConfigStore({ directory }), env: {} });
    expect(warnings.join('\n')).toMatch(/thresholds\.sshh .* is for no service \(services: ssh, rdp\)/);
  });
});

describe('caFingerprint', () => {
  const hex = 'ab'.repeat(32);
  const colons = hex.toUpperCase().match(/../g)?.join(':') ?? '';

  it.each([
    [hex, hex],
    [colons, hex],
    [`sha256:${hex}`, hex],
    [`SHA256 Fingerprint=${colons}`, hex],
  ])('accepts %s', async (value, stored) => {
    const directory = temp();
    expect((await config(['set', 'caFingerprint', value], { directory })).code).toBe(0);
    expect((await config(['get', 'caFingerprint'], { directory })).out).toBe(stored);
  });

  it.each([
    ['not-hex', /"n" is not a hex digit/],
    ['ab:cd:ef', /6 hex digits, not 64/],
    ['a'.repeat(40), /SHA-1 fingerprint/],
    ['SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU', /OpenSSH's format/],
  ])('rejects %s saying why', async (value, why) => {
    const result = await config(['set', 'caFingerprint', value]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(why);
    expect(result.err).toMatch(/expected a SHA-256 fingerprint: 64 hex digits/);
  });
});

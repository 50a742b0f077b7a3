import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envNameOf } from '../../source/config/keys.js';
import { loadConfig } from '../../source/config/load.js';
import { openConfigStore } from '../../source/config/store.js';
import { ConfigError } from '../../source/config/validate.js';

function freshStore() {
  return openConfigStore({ directory: mkdtempSync(join(tmpdir(), 'soc-watch-config-')) });
}

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const { config, secrets, warnings } = loadConfig({ store: freshStore(), env: {} });
    expect(config.nodes).toEqual(['http://127.0.0.1:9200']);
    expect(config.indexPattern).toBe('logs-*,filebeat-*,winlogbeat-*,soc-watch-auth');
    expect(config.windowMs).toBe(15 * 60_000);
    expect(config.refreshMs).toBe(5000);
    expect(config.services.map((s) => [s.name, s.threshold])).toEqual([
      ['ssh', 5],
      ['rdp', 5],
    ]);
    expect(config.rules.slowBruteForce).toEqual({
      enabled: true,
      threshold: 10,
      windowMs: 6 * 3_600_000,
      refreshMs: 60_000,
    });
    expect(config.rules.successAfterFailure.correlationMs).toBe(3_600_000);
    expect(config.allowList.users).toEqual(['*$', 'ANONYMOUS LOGON']);
    expect(config.auth.mode).toBe('none');
    expect(secrets).toEqual({});
    expect(warnings).toEqual([]);
  });

  it('applies flags > environment > file > defaults', () => {
    const store = freshStore();
    store.set('window', '30m');
    store.set('refresh', '10s');
    store.set('thresholds.ssh', '8');
    const env = { SOC_WATCH_WINDOW: '1h', SOC_WATCH_THRESHOLDS_SSH: '9' };
    const { config, effective } = loadConfig({ store, env, flags: { window: '5m' } });
    expect(config.windowMs).toBe(5 * 60_000);
    expect(effective.get('window')?.source).toBe('flag');
    expect(config.refreshMs).toBe(10_000);
    expect(effective.get('refresh')?.source).toBe('file');
    expect(config.services.find((s) => s.name === 'ssh')?.threshold).toBe(9);
    expect(effective.get('thresholds.ssh')?.source).toBe('env');
    expect(effective.get('maxOffenders')?.source).toBe('default');
  });

  it('reads the earlier bot’s variable names and picks the auth mode from the secrets', () => {
    const env = {
      ELASTICSEARCH_URL: 'https://es1.example:9200,https://es2.example:9200/',
      ELASTICSEARCH_USERNAME: 'analyst',
      ELASTICSEARCH_PASSWORD: 'hunter2',
      SLACK_WEBHOOK_URL: 'https://hooks.example/T/B/x',
    };
    const { config, secrets } = loadConfig({ store: freshStore(), env });
    expect(config.nodes).toEqual(['https://es1.example:9200', 'https://es2.example:9200']);
    expect(config.auth).toEqual({ mode: 'basic', username: 'analyst' });
    expect(secrets).toEqual({
      username: 'analyst',
      password: 'hunter2',
      slackWebhookUrl: 'https://hooks.example/T/B/x',
    });
    expect(JSON.stringify(config)).not.toContain('hunter2');
    expect(JSON.stringify(config)).not.toContain('hooks.example');
    const apiKey = loadConfig({ store: freshStore(), env: { ...env, ELASTICSEARCH_API_KEY: 'k' } });
    expect(apiKey.config.auth.mode).toBe('apiKey');
  });

  it('moves credentials out of a node URL into the secrets', () => {
    const { config, secrets } = loadConfig({
      store: freshStore(),
      env: { ELASTICSEARCH_URL: 'https://bob:s%40cret@es.example:9200' },
    });
    expect(config.nodes).toEqual(['https://es.example:9200']);
    expect(secrets).toMatchObject({ username: 'bob', password: 's@cret' });
    expect(config.auth.mode).toBe('basic');
  });

  it('reads secrets from *_FILE and the Slack URL from slack.webhookUrlFile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-watch-secret-'));
    writeFileSync(join(dir, 'key'), 'base64key\n');
    writeFileSync(join(dir, 'hook'), 'https://hooks.example/file\n');
    const store = freshStore();
    store.set('slack.webhookUrlFile', join(dir, 'hook'));
    const { secrets, config } = loadConfig({ store, env: { ELASTICSEARCH_API_KEY_FILE: join(dir, 'key') } });
    expect(secrets.apiKey).toBe('base64key');
    expect(secrets.slackWebhookUrl).toBe('https://hooks.example/file');
    expect(config.auth.mode).toBe('apiKey');
  });

  it('warns about --insecure', () => {
    const { config, warnings } = loadConfig({ store: freshStore(), env: {}, flags: { insecure: true } });
    expect(config.tls.insecure).toBe(true);
    expect(warnings.join('\n')).toMatch(/TLS certificate verification is OFF/);
  });

  it('rejects invalid values naming the key, the value and what is allowed', () => {
    expect(() => loadConfig({ store: freshStore(), env: { SOC_WATCH_WINDOW: 'abc' } })).toThrow(
      /invalid value for window: "abc" — expected a duration.*SOC_WATCH_WINDOW/,
    );
    expect(() => loadConfig({ store: freshStore(), env: {}, flags: { url: 'not a url' } })).toThrow(
      /invalid value for nodes: "not a url" — expected one or more http\(s\) URLs/,
    );
    expect(() => loadConfig({ store: freshStore(), env: {}, flags: { backend: 'solr' } })).toThrow(
      /backend: "solr" — expected one of auto, elasticsearch, opensearch/,
    );
    expect(() => loadConfig({ store: freshStore(), env: { SOC_WATCH_AUTH_MODE: 'apiKey' } })).toThrow(
      ConfigError,
    );
  });

  it('adds custom services (e.g. the earlier proof of concept’s ssh-logs index) with their own thresholds', () => {
    const store = freshStore();
    store.set(
      'services',
      JSON.stringify([
        {
          name: 'poc-ssh',
          label: 'POC',
          indexPattern: 'ssh-logs',
          failure: { match_phrase: { message: 'Failed password' } },
          fields: { sourceIp: 'ip_address', time: 'timestamp' },
        },
        { name: 'ssh', indexPattern: 'auth-*' },
      ]),
    );
    store.set('thresholds.poc-ssh', '3');
    const { config } = loadConfig({ store, env: {} });
    const poc = config.services.find((s) => s.name === 'poc-ssh');
    expect(poc).toMatchObject({ label: 'POC', indexPattern: 'ssh-logs', threshold: 3 });
    expect(poc?.fields.sourceIp).toBe('ip_address');
    expect(poc?.fields.user).toBe('user.name');
    expect(config.services.find((s) => s.name === 'ssh')?.indexPattern).toBe('auth-*');
  });

  it('names environment variables after the key path', () => {
    expect(envNameOf('rules.spraying.distinctUsers')).toBe('SOC_WATCH_RULES_SPRAYING_DISTINCT_USERS');
    expect(envNameOf('indexPattern')).toBe('SOC_WATCH_INDEX_PATTERN');
  });
});

describe('config store', () => {
  it('writes the file with mode 0600 and refuses secrets', () => {
    const store = freshStore();
    store.set('window', '30m');
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(() => store.set('slack.webhookUrl', 'https://hooks.example/x')).toThrow(/is a secret/);
    expect(() => store.set('password', 'x')).toThrow(/is a secret/);
    expect(() => store.set('nope', '1')).toThrow(/unknown config key "nope"/);
    expect(() => store.set('allowList.cidrs', '10.0.0.0/8,999.1.1.1/8')).toThrow(/allowList.cidrs/);
    expect(store.set('allowList.cidrs', '10.0.0.0/8, 2001:db8::/32')).toEqual([
      '10.0.0.0/8',
      '2001:db8::/32',
    ]);
  });
});

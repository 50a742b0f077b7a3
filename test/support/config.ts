// A complete, valid Config for tests, with the product defaults, so tests do not depend on
// the config loader. Override any top-level key; `rules` is merged one level deep.
import { builtInServices, DEFAULT_FIELDS } from '../../source/config/services.js';
import type { Config } from '../../source/config/types.js';
import type { RuleSettings } from '../../source/contracts/rules.js';

export const DEFAULT_RULES: RuleSettings = {
  bruteForce: { enabled: true },
  slowBruteForce: { enabled: true, threshold: 10, windowMs: 6 * 3_600_000, refreshMs: 60_000 },
  spraying: { enabled: true, distinctUsers: 5 },
  enumeration: { enabled: true, invalidUsers: 5 },
  distributed: { enabled: true, distinctIps: 5 },
  successAfterFailure: { enabled: true, failures: 5, correlationMs: 3_600_000 },
  quietAfterMs: 15 * 60_000,
  closeAfterMs: 3_600_000,
};

export type ConfigOverrides = Partial<Omit<Config, 'rules'>> & { rules?: Partial<RuleSettings> };

export function testConfig(overrides: ConfigOverrides = {}): Config {
  const { rules, ...rest } = overrides;
  return {
    nodes: ['http://127.0.0.1:9200'],
    auth: { mode: 'none' },
    tls: { insecure: false },
    backend: 'auto',
    indexPattern: 'logs-*',
    ingestIndex: 'logs-soc-watch-default',
    escalationIndex: 'soc-watch-escalations',
    fields: { ...DEFAULT_FIELDS },
    windowMs: 15 * 60_000,
    refreshMs: 5_000,
    // Not the product's 10 s: integration tests run on loaded 2-core machines, where a bulk load or
    // a cold query has taken longer (tests about timeouts set their own).
    requestTimeoutMs: 60_000,
    maxOffenders: 500,
    services: builtInServices(),
    customRules: [],
    allowList: { cidrs: [], users: [] },
    slack: { timeoutMs: 10_000, retries: 3 },
    ascii: false,
    ...rest,
    rules: { ...DEFAULT_RULES, ...rules },
  };
}

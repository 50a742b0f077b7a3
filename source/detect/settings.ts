// What the detector needs from the configuration, in one plain object the console can
// change live (a threshold edit is `withThreshold` followed by `reevaluate`).
import type { AllowList, Config, CustomRule } from '../config/types.js';
import type { RuleSettings } from '../contracts/rules.js';

export interface DetectionSettings {
  /** Brute-force threshold per service name: failures from one IP in the window. */
  thresholds: Record<string, number>;
  rules: RuleSettings;
  customRules: CustomRule[];
  allowList: AllowList;
  services: { name: string; label: string; technique?: string }[];
}

/** Threshold used for a service the settings do not know (fail2ban's maxretry). */
export const DEFAULT_THRESHOLD = 5;

export function detectionSettings(config: Config): DetectionSettings {
  const thresholds: Record<string, number> = {};
  for (const service of config.services) thresholds[service.name] = service.threshold;
  return {
    thresholds,
    rules: structuredClone(config.rules),
    customRules: structuredClone(config.customRules),
    allowList: { cidrs: [...config.allowList.cidrs], users: [...config.allowList.users] },
    services: config.services.map((service) =>
      service.technique === undefined
        ? { name: service.name, label: service.label }
        : { name: service.name, label: service.label, technique: service.technique },
    ),
  };
}

/**
 * The same settings with one service's brute-force threshold changed. Throws a RangeError
 * for a threshold that is not a positive whole number or a service that is not configured
 * (the console validates input first; this guards against programming errors).
 */
export function withThreshold(
  settings: DetectionSettings,
  service: string,
  threshold: number,
): DetectionSettings {
  if (!Number.isSafeInteger(threshold) || threshold < 1) {
    throw new RangeError(`threshold for ${service} must be a whole number ≥ 1, got ${threshold}`);
  }
  if (!settings.services.some((entry) => entry.name === service) && !(service in settings.thresholds)) {
    throw new RangeError(`unknown service: ${service}`);
  }
  return { ...settings, thresholds: { ...settings.thresholds, [service]: threshold } };
}

export function thresholdFor(settings: DetectionSettings, service: string): number {
  return settings.thresholds[service] ?? DEFAULT_THRESHOLD;
}

export function serviceTechnique(settings: DetectionSettings, service: string): string | undefined {
  return settings.services.find((entry) => entry.name === service)?.technique;
}

// The resolved configuration every command works from: defaults < config file <
// environment < flags, already validated and with durations parsed to milliseconds.
// Secrets live apart (see `Secrets`) so nothing that serialises a Config can leak them.

import type { RuleSettings, Severity } from '../contracts/rules.js';

/** A query DSL clause, passed to the cluster as-is (validated as a JSON object only). */
export type QueryDsl = Record<string, unknown>;

export type Backend = 'auto' | 'elasticsearch' | 'opensearch';
export type AuthMode = 'none' | 'apiKey' | 'basic' | 'bearer';

/** Field names in the indices. ECS defaults; overridable globally and per service. */
export interface FieldMap {
  time: string;
  sourceIp: string;
  user: string;
  host: string;
  country: string;
  asn: string;
  asOrg: string;
}

export interface ServiceDefinition {
  /** Short id used in config keys, alerts and JSON output: `ssh`, `rdp`, or a custom name. */
  name: string;
  /** Display label, e.g. `SSH`. */
  label: string;
  /** Filter (query DSL) selecting failed authentications of this service. */
  failure: QueryDsl;
  /** Filter selecting successful authentications (for success-after-failure). */
  success?: QueryDsl;
  /** Filter, applied inside failures, marking attempts on accounts that do not exist. */
  invalidUser?: QueryDsl;
  /** Index pattern override for this service (defaults to Config.indexPattern). */
  indexPattern?: string;
  /** Field overrides for this service. */
  fields: FieldMap;
  /** ATT&CK technique of the remote service, e.g. T1021.004 (SSH), T1021.001 (RDP). */
  technique?: string;
  /** Brute-force threshold: failures from one IP in the window. */
  threshold: number;
}

export interface CustomRule {
  name: string;
  /** A configured service name, or omitted when indexPattern + filter are given. */
  service?: string;
  indexPattern?: string;
  filter?: QueryDsl;
  groupBy: string;
  /** `count` or `distinct:<field>` */
  metric: string;
  threshold: number;
  windowMs: number;
  severity: Severity;
  technique: string;
}

export interface AllowList {
  /** CIDR ranges or single addresses. */
  cidrs: string[];
  /** Account patterns; `*` is a wildcard (e.g. `*$` machine accounts). Case-insensitive. */
  users: string[];
}

export interface Config {
  nodes: string[];
  auth: { mode: AuthMode; username?: string };
  tls: { caFile?: string; caFingerprint?: string; insecure: boolean };
  backend: Backend;
  indexPattern: string;
  ingestIndex: string;
  escalationIndex: string;
  fields: FieldMap;
  windowMs: number;
  refreshMs: number;
  /** No event of a service that had events for this long: the console warns (issue 13 A3). Default 10 min. */
  silenceAlertMs?: number;
  requestTimeoutMs: number;
  /** Max offender rows fetched per service (terms size). */
  maxOffenders: number;
  /** How the live console polls (absent: incremental); see source/cluster/incremental/. */
  snapshots?: 'incremental' | 'full';
  /** Live consoles on one host share identical polls (absent: true); see source/cluster/share/. */
  sharePolls?: boolean;
  services: ServiceDefinition[];
  rules: RuleSettings;
  customRules: CustomRule[];
  allowList: AllowList;
  slack: { webhookUrlFile?: string; timeoutMs: number; retries: number };
  kibanaUrl?: string;
  ascii: boolean;
  /** Directory of evidence bundles; absent: `evidence` beside the config file. */
  evidenceDir?: string;
}

/** Secrets: from the environment or files only; never printed, logged or stored in the config file. */
export interface Secrets {
  apiKey?: string;
  username?: string;
  password?: string;
  bearerToken?: string;
  slackWebhookUrl?: string;
}

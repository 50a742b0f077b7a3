// The snapshot: plain, serialisable data describing failed logins per service over one
// window. It is the spine of the product: the poller produces it, the detector reads it,
// the console draws it, Slack messages quote it, and `once --json` prints it (schema 1;
// documented in docs/snapshot.md).
// Times are ISO-8601 strings in UTC so the JSON form and the in-memory form are the same.

/**
 * Distinct counts (distinct IPs, users) come from the cluster's cardinality aggregation with
 * its default precision threshold (3000): exact in practice up to it, approximate above
 * (200,000 IPs read 200,982). Above this, a number shown to a person is marked `≈`.
 */
export const DISTINCT_EXACT_UP_TO = 3000;

export interface NamedCount {
  name: string;
  count: number;
}

export interface Offender {
  /** Source IP address (IPv4 or IPv6, as the cluster returns it). */
  ip: string;
  failures: number;
  distinctUsers: number;
  /** Most tried accounts, most first (top 5; filled for the 25 busiest IPs, [] beyond: see query.ts). */
  topUsers: NamedCount[];
  /** Failures on accounts that do not exist (sshd "invalid user", Windows 0xC0000064). */
  invalidUserFailures: number;
  /** Hosts targeted, most first (top 3; filled for the 25 busiest IPs, [] beyond). */
  hosts: NamedCount[];
  firstFailure: string;
  lastFailure: string;
  /** Successful logins from this IP at or after its first failure in the window. */
  successesAfterFailure: number;
  firstSuccessAfterFailure: string | null;
  /** Account of that first success, when known. */
  successUser: string | null;
  /** Origin, when the events carry it (null beyond the 25 busiest IPs). */
  country: string | null;
  asn: number | null;
  asOrg: string | null;
  /**
   * false: topUsers, hosts and origin were NOT fetched for this IP (only the busiest are), so
   * their emptiness means "not fetched", never "none" (issue 13 A4). Absent when fetched.
   */
  detailed?: false;
}

export interface TargetedUser {
  user: string;
  failures: number;
  distinctIps: number;
  /** Whether the account exists, as far as the logs tell (no invalid-user failures for it). */
  invalidUserFailures: number;
}

export interface ServiceSnapshot {
  service: string;
  label: string;
  failures: number;
  successes: number;
  distinctIps: number;
  /** Failures with no source IP (e.g. RDP 4625 with IpAddress "-"): counted, never dropped. */
  unknownSource: number;
  invalidUserFailures: number;
  /** Offending IPs, most failures first; bounded by config.maxOffenders. */
  offenders: Offender[];
  /** True when more IPs had failures than were returned. */
  offendersTruncated: boolean;
  /** Failure counts per bucket, oldest first, covering the whole window (zeros included). */
  timeline: number[];
  /** Most targeted accounts, most distinct source IPs first. */
  targetedUsers: TargetedUser[];
  /** Server-side time for this service's search (ms). */
  took: number;
  /**
   * Shards this service's searches ran on, and how many failed. `total: 0`: the index
   * pattern matched no indices (not the same as "no failed logins"). `failed > 0`: the
   * numbers are partial. Present in every snapshot built by source/cluster/parse.ts.
   */
  shards?: { total: number; failed: number };
  /**
   * Event time (ISO) of the service's newest event (failure or success) in the 7 days before
   * the window's end, from the data: how far behind ingest is (issue 13 A3). null: none in
   * those 7 days. Absent in snapshots that did not ask (the slow window, older producers).
   */
  newestEvent?: string | null;
}

/** Result of one custom rule (config `customRules`): groups at or above the rule's threshold are for the detector to judge. */
export interface CustomRuleResult {
  rule: string;
  /** Service the rule is scoped to, or null when it has its own index pattern/filter. */
  service: string | null;
  windowMs: number;
  groups: { key: string; value: number; count: number }[];
}

export interface Snapshot {
  schema: 1;
  backend: { kind: 'elasticsearch' | 'opensearch'; version: string };
  /** Host(s) only, never credentials. */
  cluster: string;
  indexPattern: string;
  window: { from: string; to: string; ms: number };
  bucketMs: number;
  services: ServiceSnapshot[];
  /** Custom rules evaluated in the same round trip (empty when none are configured). */
  customRules: CustomRuleResult[];
  /** Largest server `took` of the round trip (ms). */
  took: number;
  /** Client wall time of the round trip (ms). */
  fetchMs: number;
  fetchedAt: string;
  /**
   * Non-fatal problems with this snapshot (e.g. some shards failed, so numbers may be low).
   * Always present in snapshots built by source/cluster/parse.ts; empty when all went well.
   */
  warnings?: string[];
}

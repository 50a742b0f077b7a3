// Rule vocabulary shared by config (which reads it), detection (which applies it), Slack and
// the console (which show it). It lives on the ground floor so none of those rooms has to
// import another to name a severity.

export type Severity = 'low' | 'medium' | 'high' | 'critical';

export interface RuleSettings {
  bruteForce: { enabled: boolean };
  slowBruteForce: { enabled: boolean; threshold: number; windowMs: number; refreshMs: number };
  spraying: { enabled: boolean; distinctUsers: number };
  enumeration: { enabled: boolean; invalidUsers: number };
  distributed: { enabled: boolean; distinctIps: number };
  successAfterFailure: { enabled: boolean; failures: number; correlationMs: number };
  /** How long without new failures before an alert goes quiet, then closed. */
  quietAfterMs: number;
  closeAfterMs: number;
}

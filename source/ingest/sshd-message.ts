// What one sshd log message means, taken alone (the per-connection bookkeeping that decides
// what counts as a separate attempt is in sshd-connections.ts). Wording as OpenSSH 3.x–10.x
// and Linux-PAM write it. Each pattern is anchored at both ends; user names are greedy so a
// name containing " from " still leaves the address and port to the right of the last one.

export type SshdMessage =
  /** `Failed <method> for [invalid user] U from IP port P ssh2`, `Invalid user U from IP`, `User U from IP not allowed because …`. */
  | {
      kind: 'attempt';
      event: 'Failed' | 'Invalid';
      /** Invalid / not-allowed lines open an attempt whose `Failed … for invalid user` follows. */
      intro: boolean;
      invalidUser: boolean;
      method?: string;
      signature?: string;
      user: string;
      source?: string;
      port?: number;
    }
  | { kind: 'success'; method: string; signature?: string; user: string; source: string; port?: number }
  /** Ends of a failing connection: max attempts exceeded, Disconnecting/Connection closed by authenticating|invalid user. */
  | { kind: 'terminal'; invalidUser: boolean; user?: string; source?: string; port?: number }
  /** PAM's account of failures: `authentication failure; … rhost= user=` (1), `PAM N more authentication failures` (N, final). */
  | {
      kind: 'pam';
      witness: 'module' | 'sshd';
      count: number;
      final: boolean;
      invalidUser: boolean;
      user?: string;
      source?: string;
    }
  /** Connection ended without saying anything about authentication. */
  | { kind: 'close' }
  | { kind: 'repeat'; count: number; inner: string }
  /** Authentication-related but never an attempt (`Failed none` probes, duplicates of other lines). */
  | { kind: 'noise' }
  | { kind: 'other' }
  | { kind: 'malformed'; reason: string };

const ERROR_PREFIX = /^(?:error|fatal): /;

// The user name is lazy: the address is the first `from <address> port <n>` that the rest of
// the line can follow (its end, or ` ssh2: <auth info>`). OpenSSH appends auth info after
// `ssh2: `, and that info can itself read `from <ip> port <n> ssh2` — the connection's address
// is the first. A user name containing ` from <ip>` (or ` from <ip> port <n>` without
// ` ssh2: ` after it) still cannot move the address. Residual ambiguity, by construction of
// the format: a user name holding a whole ` from <ip> port <n> ssh2: ` reads as the address
// (sshd writes both identically). Lines without a port (old or patched sshd) take the last
// `from`, with nothing after it. `s`: a user name may carry a carriage return or another
// line separator (kept; sanitised wherever shown).
const FAILED =
  /^Failed (\S+) for (?:(invalid|illegal) user )?(.*?) from (\S+) port (\d{1,5})(?: ssh[12]?(?:: (.*))?)?$/s;
const FAILED_NO_PORT = /^Failed (\S+) for (?:(invalid|illegal) user )?(.*) from (\S+?)(?: ssh[12]?)?$/s;
const ACCEPTED = /^Accepted (\S+) for (.*?) from (\S+) port (\d{1,5})(?: ssh[12]?(?:: (.*))?)?$/s;
const INVALID = /^(?:Invalid|Illegal) user (.*) from (\S+?)(?: port (\d{1,5}))?$/s;
// OpenSSH logs `User U from IP not allowed because not listed in AllowUsers`, and for locked
// accounts or bad shells `User U not allowed because account is locked` (no address).
const NOT_ALLOWED = /^User (.*?)(?: from (\S+))? not allowed because .+$/s;
const MAX_EXCEEDED =
  /^maximum authentication attempts exceeded for (?:(invalid|illegal) user )?(.*) from (\S+) port (\d{1,5})(?: ssh[12]?)?$/s;
const DISCONNECTING = /^Disconnecting (authenticating|invalid) user (.*) (\S+) port (\d{1,5}): .*$/s;
const DISCONNECTING_OLD =
  /^Disconnecting: Too many authentication failures(?: for (?:(invalid|illegal) user )?(.*))?$/s;
const CLOSED_BY_USER =
  /^(?:Connection (?:closed|reset) by|Disconnected from) (authenticating|invalid) user (.*) (\S+) port (\d{1,5})$/s;
const PAM_MODULE_FAILURE = /^pam_[\w-]+\(sshd:auth\): authentication failure; (.*)$/s;
const PAM_MORE = /^PAM (\d+) more authentication failures?; (.*)$/s;
// Case-insensitive: some PAM builds and sshd patches write `PAM: authentication failure`.
// The host may be empty (no reverse name and no address known to PAM).
const PAM_ERROR = /^PAM: Authentication failure for (?:(illegal|invalid) user )?(.*) from(?: (\S+))?$/is;
const PAM_UNKNOWN_USER =
  /^PAM: User not known to the underlying authentication module for (?:illegal|invalid) user (.*) from (\S*)$/is;
const REPEATED = /^message repeated (\d{1,9}) times: \[ ?(.*)\]$/s;
const MAX_REPEAT = 100_000;
const CLOSE =
  /^(?:Connection (?:closed|reset) by \S+ port \d+|Received disconnect from |Disconnected from |Timeout before authentication|Timeout, client not responding)/;
const NOISE =
  /^(?:Failed none for |input_userauth_request: |Postponed |Partial |Accepted key |pam_unix\(sshd:auth\): check pass; user unknown|Disconnecting: Change of username|Disconnected from user )/;
// Starts like an authentication message: if the full pattern then fails, the line is reported
// (in any letter case: a variant spelling must be reported, not skipped silently).
const AUTH_SHAPE =
  /^(?:(?:Failed|Accepted) \S+ for(?: |$)|Invalid user |Illegal user |User .* not allowed because|maximum authentication attempts|PAM \d+ more|PAM: Authentication failure|PAM: User not known|Disconnecting (?:authenticating|invalid) user|(?:Connection (?:closed|reset) by|Disconnected from) (?:authenticating|invalid) user|message repeated)|\(sshd:auth\): authentication failure/is;

const PAM_RHOST = /(?:^|\s)rhost=(\S*)/;
const PAM_USER = /(?:^|\s)user=(.*)$/;

function port(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  return value <= 65_535 ? value : undefined;
}

function pamFields(text: string): { user?: string; source?: string } {
  const out: { user?: string; source?: string } = {};
  const rhost = PAM_RHOST.exec(text)?.[1];
  if (rhost) out.source = rhost;
  const user = PAM_USER.exec(text)?.[1]?.trim();
  if (user) out.user = user;
  return out;
}

// Anywhere in a line: a broken record (truncated JSON, a syslog line without its header) that
// still carries an authentication message is reported, not skipped.
const AUTH_ANYWHERE =
  /(?:Failed|Accepted) \S+ for |(?:Invalid|Illegal) user |authentication failures?[;\s]|maximum authentication attempts/i;

export function looksLikeAuthAnywhere(text: string): boolean {
  return AUTH_ANYWHERE.test(text);
}

/** Does this text start like an sshd message we know (used to tell a host name from a message)? */
export function looksLikeSshdMessage(text: string): boolean {
  return AUTH_SHAPE.test(text.replace(ERROR_PREFIX, ''));
}

export function classifySshdMessage(raw: string): SshdMessage {
  let text = raw.trimEnd();
  // endsWith, not an end-anchored regular expression: V8 tries that at every position of the line.
  if (text.endsWith(' [preauth]')) text = text.slice(0, -' [preauth]'.length);
  if (text.charCodeAt(0) === 101 /* e */ || text.charCodeAt(0) === 102 /* f */)
    text = text.replace(ERROR_PREFIX, '');

  // Dispatch on the first character: most lines are decided by one regular expression.
  switch (text.charCodeAt(0)) {
    case 70 /* F */:
      {
        if (text.startsWith('Failed none for ')) return { kind: 'noise' };
        const m = FAILED.exec(text) ?? FAILED_NO_PORT.exec(text);
        if (m) {
          const invalidUser = m[2] !== undefined;
          return {
            kind: 'attempt',
            event: 'Failed',
            intro: false,
            invalidUser,
            method: m[1]!,
            ...(m[6] ? { signature: m[6] } : {}),
            user: m[3]!,
            source: m[4]!,
            ...optionalPort(m[5]),
          };
        }
        break;
      }
    case 65 /* A */:
      {
        const m = ACCEPTED.exec(text);
        if (m) {
          return {
            kind: 'success',
            method: m[1]!,
            ...(m[5] ? { signature: m[5] } : {}),
            user: m[2]!,
            source: m[3]!,
            ...optionalPort(m[4]),
          };
        }
        break;
      }
    case 73 /* I */:
      {
        const m = INVALID.exec(text);
        if (m) {
          return {
            kind: 'attempt',
            event: 'Invalid',
            intro: true,
            invalidUser: true,
            user: m[1]!,
            source: m[2]!,
            ...optionalPort(m[3]),
          };
        }
        break;
      }
    case 85 /* U */:
      {
        const m = NOT_ALLOWED.exec(text);
        // AllowUsers/DenyUsers/AllowGroups refusals: the account may exist, so this is a plain
        // failure (sshd then logs the attempt itself as "Failed … for invalid user U": merged).
        if (m) {
          return {
            kind: 'attempt',
            event: 'Failed',
            intro: true,
            invalidUser: false,
            user: m[1]!,
            ...(m[2] !== undefined ? { source: m[2] } : {}),
          };
        }
        break;
      }
    case 109 /* m */:
      {
        const repeated = REPEATED.exec(text);
        if (repeated) {
          const count = Number(repeated[1]);
          // rsyslog folds repeats within seconds; a count beyond this is a forged or broken line.
          if (count > MAX_REPEAT)
            return { kind: 'malformed', reason: `repeat count ${count} is implausible` };
          return { kind: 'repeat', count, inner: repeated[2]!.trimEnd() };
        }
        const m = MAX_EXCEEDED.exec(text);
        if (m) return terminal(m[1] !== undefined, m[2], m[3], m[4]);
        break;
      }
    case 68 /* D */:
      {
        const m = DISCONNECTING.exec(text) ?? CLOSED_BY_USER.exec(text);
        if (m) return terminal(m[1] === 'invalid', m[2], m[3], m[4]);
        const old = DISCONNECTING_OLD.exec(text);
        if (old) return terminal(old[1] !== undefined, old[2], undefined, undefined);
        break;
      }
    case 67 /* C */:
      {
        const m = CLOSED_BY_USER.exec(text);
        if (m) return terminal(m[1] === 'invalid', m[2], m[3], m[4]);
        break;
      }
    case 80 /* P */:
      {
        const more = PAM_MORE.exec(text);
        if (more) {
          const count = Number(more[1]);
          return {
            kind: 'pam',
            witness: 'module',
            count,
            final: true,
            invalidUser: false,
            ...pamFields(more[2]!),
          };
        }
        const error = PAM_ERROR.exec(text);
        if (error) return pamError(error);
        const unknown = PAM_UNKNOWN_USER.exec(text);
        if (unknown) {
          return {
            kind: 'pam',
            witness: 'sshd',
            count: 1,
            final: false,
            invalidUser: true,
            user: unknown[1]!,
            source: unknown[2]!,
          };
        }
        break;
      }
    case 112 /* p */:
      {
        const m = PAM_MODULE_FAILURE.exec(text);
        if (m)
          return {
            kind: 'pam',
            witness: 'module',
            count: 1,
            final: false,
            invalidUser: false,
            ...pamFields(m[1]!),
          };
        const error = PAM_ERROR.exec(text);
        if (error) return pamError(error);
        break;
      }
  }
  if (NOISE.test(text)) return { kind: 'noise' };
  if (CLOSE.test(text)) return { kind: 'close' };
  if (AUTH_SHAPE.test(text))
    return { kind: 'malformed', reason: 'sshd authentication line in an unknown form' };
  return { kind: 'other' };
}

/** sshd's own `PAM: Authentication failure for [invalid user] U from HOST`, in any letter case. */
function pamError(m: RegExpExecArray): SshdMessage {
  return {
    kind: 'pam',
    witness: 'sshd',
    count: 1,
    final: false,
    invalidUser: m[1] !== undefined,
    user: m[2]!,
    ...(m[3] ? { source: m[3] } : {}),
  };
}

function optionalPort(text: string | undefined): { port?: number } {
  const value = port(text);
  return value === undefined ? {} : { port: value };
}

function terminal(
  invalidUser: boolean,
  user: string | undefined,
  source: string | undefined,
  portText: string | undefined,
): SshdMessage {
  return {
    kind: 'terminal',
    invalidUser,
    ...(user !== undefined ? { user } : {}),
    ...(source !== undefined ? { source } : {}),
    ...optionalPort(portText),
  };
}

// Windows logon codes, with the names and descriptions the System integration's security
// pipeline (packages/system data_stream/security standard.yml) writes into winlog.logon.*.

/** LogonType number → `winlog.logon.type` name. 3 = Network (RDP with NLA fails as 3), 10 = RemoteInteractive. */
export const LOGON_TYPE_NAMES: Readonly<Record<string, string>> = {
  '0': 'System',
  '2': 'Interactive',
  '3': 'Network',
  '4': 'Batch',
  '5': 'Service',
  '7': 'Unlock',
  '8': 'NetworkCleartext',
  '9': 'NewCredentials',
  '10': 'RemoteInteractive',
  '11': 'CachedInteractive',
  '12': 'CachedRemoteInteractive',
  '13': 'CachedUnlock',
};

// Keys are lower case: Windows renders NTSTATUS codes as `0xc000006d` in event XML, and
// Winlogbeat keeps that form, so that is what we store too.
const STATUS_DESCRIPTIONS: Readonly<Record<string, string>> = {
  '0xc000005e': 'There are currently no logon servers available to service the logon request.',
  '0xc0000064': 'User logon with misspelled or bad user account',
  '0xc000006a': 'User logon with misspelled or bad password',
  '0xc000006d': 'This is either due to a bad username or authentication information',
  '0xc000006e': 'Unknown user name or bad password.',
  '0xc000006f': 'User logon outside authorized hours',
  '0xc0000070': 'User logon from unauthorized workstation',
  '0xc0000071': 'User logon with expired password',
  '0xc0000072': 'User logon to account disabled by administrator',
  '0xc00000dc': 'Indicates the Sam Server was in the wrong state to perform the desired operation.',
  '0xc0000133': 'Clocks between DC and other computer too far out of sync',
  '0xc000015b': 'The user has not been granted the requested logon type (aka logon right) at this machine',
  '0xc000018c':
    'The logon request failed because the trust relationship between the primary domain and the trusted domain failed.',
  '0xc0000192': 'An attempt was made to logon, but the Netlogon service was not started.',
  '0xc0000193': 'User logon with expired account',
  '0xc0000224': 'User is required to change password at next logon',
  '0xc0000225': 'Evidently a bug in Windows and not a risk',
  '0xc0000234': 'User logon with account locked',
  '0xc00002ee': 'Failure Reason: An Error occurred during Logon',
  '0xc0000413':
    'Logon Failure: The machine you are logging onto is protected by an authentication firewall. The specified account is not allowed to authenticate to the machine.',
};

/** `%%2313`-style message references in FailureReason (as raw exports carry them) → text. */
export const FAILURE_REASONS: Readonly<Record<string, string>> = {
  '%%2304': 'An Error occurred during Logon.',
  '%%2305': 'The specified user account has expired.',
  '%%2306': 'The NetLogon component is not active.',
  '%%2307': 'Account locked out.',
  '%%2308': 'The user has not been granted the requested logon type at this machine.',
  '%%2309': "The specified account's password has expired.",
  '%%2310': 'Account currently disabled.',
  '%%2311': 'Account logon time restriction violation.',
  '%%2312': 'User not allowed to logon at this computer.',
  '%%2313': 'Unknown user name or bad password.',
};

/**
 * Normalise an NTSTATUS value to Winlogbeat's form `0xc000006d`: accepts `0xC000006D`,
 * decimal (PowerShell's Properties give 3221225581) and negative Int32 (-1073741715).
 */
export function normalizeStatus(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) {
    const unsigned = value < 0 ? value + 2 ** 32 : value;
    if (unsigned < 0 || unsigned >= 2 ** 32) return undefined;
    return `0x${unsigned.toString(16).padStart(8, '0')}`;
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^0x[0-9a-f]{1,8}$/i.test(text)) return `0x${text.slice(2).toLowerCase().padStart(8, '0')}`;
  if (/^-?\d+$/.test(text)) return normalizeStatus(Number(text));
  return text === '' ? undefined : text;
}

export function statusDescription(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return STATUS_DESCRIPTIONS[value.toLowerCase()];
}

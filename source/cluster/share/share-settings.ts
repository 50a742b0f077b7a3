// What the poller needs to share polls with the other consoles on this host: the socket for a
// main window, or why this console polls alone.
import type { Config, Secrets } from '../../config/types.js';
import { pollIdentity } from './poll-identity.js';
import { privateShareDir, shareDirCandidates, shareSalt, shareSocketPath } from './private-dir.js';

export type ShareSettings =
  | { ok: true; dir: string; socketPath: (windowMs: number) => string }
  | { ok: false; reason: string };

export function shareSettings(
  config: Config,
  secrets: Secrets,
  env: NodeJS.ProcessEnv = process.env,
  candidates: readonly string[] = shareDirCandidates(env, process.getuid?.() ?? -1),
): ShareSettings {
  if (config.sharePolls === false) return { ok: false, reason: 'sharePolls is off' };
  if (process.platform === 'win32') return { ok: false, reason: 'not on Windows' };
  const dir = privateShareDir(candidates);
  if (!dir.ok) return { ok: false, reason: dir.reason };
  let salt: Buffer;
  try {
    salt = shareSalt(dir.path);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const path = dir.path;
  return {
    ok: true,
    dir: path,
    socketPath: (windowMs) => shareSocketPath(path, salt, pollIdentity(config, secrets, windowMs)),
  };
}

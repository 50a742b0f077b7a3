// Elasticsearch and OpenSearch refuse to run as root ("can not run elasticsearch as root", no
// override). As root we run them as an unprivileged system user, created on first use.
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SERVER_USER = process.env.SOC_WATCH_ENGINE_USER ?? 'socwatch';

export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
  /** True when the server runs as another user than this process (we are root). */
  switched: boolean;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function lookup(name: string): Promise<ServerUser | undefined> {
  try {
    const { stdout } = await run('getent', ['passwd', name]);
    const fields = stdout.trim().split(':');
    const uid = Number(fields[2]);
    const gid = Number(fields[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) return undefined;
    return { name, uid, gid, switched: true };
  } catch {
    return undefined; // getent exits 2 when the user does not exist
  }
}

let pending: Promise<ServerUser> | undefined;

/** The user servers run as: ourselves, or (as root) the system user, created idempotently. */
export function serverUser(): Promise<ServerUser> {
  pending ??= resolveUser();
  return pending;
}

async function resolveUser(): Promise<ServerUser> {
  if (!isRoot()) {
    const me = userInfo();
    return { name: me.username, uid: me.uid, gid: me.gid, switched: false };
  }
  const existing = await lookup(SERVER_USER);
  if (existing) return existing;
  try {
    await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVER_USER]);
  } catch (error) {
    // Another process may have created it between our lookup and useradd; look again before failing.
    const raced = await lookup(SERVER_USER);
    if (raced) return raced;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `running as root, and the search servers refuse root: could not create the system user "${SERVER_USER}" to run them as (${reason}). Create it (useradd -r -M -s /usr/sbin/nologin ${SERVER_USER}) or run as a non-root user.`,
    );
  }
  const created = await lookup(SERVER_USER);
  if (!created) throw new Error(`useradd reported success but user "${SERVER_USER}" is not known to getent`);
  return created;
}

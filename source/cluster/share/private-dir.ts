// Where consoles of one user on one host meet to share polls (shared-polls.ts): a directory
// only that user can enter. Its sockets answer with snapshots, so whoever can bind or
// connect there could feed a console false numbers or read the cluster's answers: the
// directory must be this user's own, not a link, and closed to group and others. Anything
// else and the console polls alone (and says why).
//
// Socket paths are visible to every local user (`ss -xl`), so their names carry no plain
// hash of the credentials: names are an HMAC under a random salt kept in the directory.
import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, constants, lstatSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type PrivateDir = { ok: true; path: string } | { ok: false; reason: string };

const SALT_FILE = 'share-salt';
const SALT_BYTES = 32;

/** The candidates, best first: the login's runtime directory, then one of our own in /tmp. */
export function shareDirCandidates(env: NodeJS.ProcessEnv, uid: number): string[] {
  const candidates: string[] = [];
  if (env.XDG_RUNTIME_DIR) candidates.push(join(env.XDG_RUNTIME_DIR, 'soc-watch'));
  candidates.push(join(tmpdir(), `soc-watch-${uid}`));
  return candidates;
}

/** Why `path` may not hold the sockets, or null when it may (a directory of `uid`, mode 0700). */
export function unsafeBecause(path: string, uid: number): string | null {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch (error) {
    return `${path}: ${(error as NodeJS.ErrnoException).code ?? 'cannot be read'}`;
  }
  if (stat.isSymbolicLink()) return `${path} is a symbolic link`;
  if (!stat.isDirectory()) return `${path} is not a directory`;
  if (stat.uid !== uid) return `${path} belongs to another user (uid ${stat.uid})`;
  if ((stat.mode & 0o077) !== 0)
    return `${path} is open to other users (mode ${(stat.mode & 0o777).toString(8)})`;
  return null;
}

/** The first candidate that exists (or can be made) and is private; otherwise why none is. */
export function privateShareDir(
  candidates: readonly string[],
  uid: number = process.getuid?.() ?? -1,
): PrivateDir {
  const reasons: string[] = [];
  for (const path of candidates) {
    try {
      mkdirSync(path, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        reasons.push(`${path}: ${(error as NodeJS.ErrnoException).code ?? 'cannot be made'}`);
        continue;
      }
    }
    const unsafe = unsafeBecause(path, uid);
    if (unsafe === null) return { ok: true, path };
    reasons.push(unsafe);
  }
  return { ok: false, reason: reasons.join('; ') || 'no directory to share polls in' };
}

/** The directory's salt (made once, 0600); a salt not of the expected size is made anew. */
export function shareSalt(dir: string): Buffer {
  const path = join(dir, SALT_FILE);
  try {
    const salt = readFileSync(path);
    if (salt.length === SALT_BYTES) return salt;
  } catch {
    // Not there yet: made below.
  }
  const salt = randomBytes(SALT_BYTES);
  try {
    // O_EXCL: two consoles starting together keep the one written first.
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      writeSync(fd, salt);
    } finally {
      closeSync(fd);
    }
    return salt;
  } catch {
    const written = readFileSync(path);
    if (written.length === SALT_BYTES) return written;
    throw new Error(`${path} is not a share salt (${written.length} bytes)`);
  }
}

/** A socket name for `identity` (everything that makes two polls the same), revealing none of it. */
export function shareSocketPath(dir: string, salt: Buffer, identity: string): string {
  const name = createHmac('sha256', salt).update(identity).digest('hex').slice(0, 24);
  return join(dir, `poll-${name}.sock`);
}

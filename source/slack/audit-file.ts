// Local audit trail for analysts who may not write to the escalation index (403): NDJSON in
// the user's data directory, mode 0600 (it names attackers, accounts and colleagues).
// Append-only: every change appends the whole record; the last line for an id wins, so a
// crash mid-write loses at most the line being written, never earlier history.
// `create` is exclusive across soc-watch processes of this user via a lock file (O_EXCL), so
// two consoles on one machine still dedupe; across machines only the cluster index can.
import { constants } from 'node:fs';
import { appendFile, chmod, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import envPaths from 'env-paths';
import type { AuditStore } from './audit-store.js';
import { parseStoredRecord, type StoredRecord } from './record.js';

export const AUDIT_FILE_NAME = 'escalations.ndjson';

/**
 * Beside the config when `SOC_WATCH_CONFIG_DIR` overrides its directory (a separate setup —
 * a test, a second team — must not show another setup's escalation history), else
 * `~/.local/share/soc-watch/escalations.ndjson` (XDG / macOS / Windows equivalents).
 */
export function defaultAuditFile(env: NodeJS.ProcessEnv = process.env): string {
  const configDirectory = env.SOC_WATCH_CONFIG_DIR?.trim();
  if (configDirectory) return path.join(path.resolve(configDirectory), AUDIT_FILE_NAME);
  return path.join(envPaths('soc-watch', { suffix: '' }).data, AUDIT_FILE_NAME);
}

const LOCK_WAIT_MS = 3000;
/** A lock older than this was left by a crashed process (a critical section takes milliseconds). */
const LOCK_STALE_MS = 10_000;

async function withLock<T>(file: string, action: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  const started = Date.now();
  for (;;) {
    try {
      const handle = await open(lock, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(lock).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      );
      if (age > LOCK_STALE_MS) await unlink(lock).catch(() => undefined);
      else if (Date.now() - started > LOCK_WAIT_MS) throw new Error(`audit file is locked (${lock})`);
      else await sleep(15);
    }
  }
  try {
    return await action();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

/** Read every record, last line per id winning. Unparseable lines (a torn write) are skipped. */
export async function readAuditFile(file: string): Promise<Map<string, StoredRecord>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const records = new Map<string, StoredRecord>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const record = parseStoredRecord(JSON.parse(line));
      if (record) records.set(record.id, record);
    } catch {
      // torn or foreign line
    }
  }
  return records;
}

export function fileAuditStore(file: string = defaultAuditFile()): AuditStore {
  let prepared: Promise<void> | undefined;
  const prepare = () => {
    prepared ??= (async () => {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      // Create with 0600, and tighten a file an older version (or a umask) left readable.
      await appendFile(file, '', { mode: 0o600 });
      await chmod(file, 0o600);
    })();
    return prepared;
  };
  const append = (record: StoredRecord) => appendFile(file, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  return {
    kind: 'file',
    where: file,
    async create(record, options) {
      await prepare();
      return withLock(file, async () => {
        const existing = await readAuditFile(file);
        // An outcome copy (docId set) supersedes the record it copies: it is a plain append.
        if (options?.docId === undefined && existing.has(record.id)) return 'exists';
        await append(record);
        return 'created';
      });
    },
    async get(id) {
      return (await readAuditFile(file)).get(id) ?? null;
    },
    async update(id, partial) {
      await prepare();
      await withLock(file, async () => {
        const current = (await readAuditFile(file)).get(id);
        if (!current) throw new Error(`no local escalation record ${id}`);
        await append({ ...current, ...partial, id });
      });
    },
    async recent(since, filter) {
      const records = [...(await readAuditFile(file)).values()].filter(
        (record) =>
          record.at >= since && (filter?.alertId === undefined || record.alertId === filter.alertId),
      );
      return records.sort((a, b) => b.at - a.at || b.updatedAt - a.updatedAt);
    },
  };
}

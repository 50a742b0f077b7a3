// Helpers for the follower's integration tests: a log writer at a fixed rate (sshd connections,
// half of them announced by a pam_unix line one tick before sshd's Failed line, so a kill can
// fall between the two), the ids the index must hold (the whole log parsed in one go), and
// every document id of an index (scroll over plain HTTP, the same on both backends).
import { closeSync, openSync, writeSync } from 'node:fs';
import type { IngestItem } from '../../source/ingest/doc-id.js';
import { LogParser } from '../../source/ingest/parser.js';
import { authTemplateName } from '../../source/ingest/template.js';

export class LogWriter {
  readonly path: string;
  readonly written: string[] = [];
  #fd: number;
  #pid = 10_000;
  #pendingPam: string[] = [];
  connections = 0;

  constructor(path: string) {
    this.path = path;
    this.#fd = openSync(path, 'a');
  }

  #line(pid: number, message: string): string {
    return `${new Date().toISOString()} web1 sshd[${pid}]: ${message}`;
  }

  /** Write `count` new connections (and finish the previous tick's PAM-announced ones). */
  tick(count: number): void {
    const out = this.#pendingPam.splice(0);
    for (let i = 0; i < count; i += 1) {
      this.#pid += 1;
      const pid = this.#pid;
      const ip = `198.51.${(pid >> 8) & 255}.${pid & 255}`;
      this.connections += 1;
      if (pid % 2 === 0) {
        out.push(
          this.#line(
            pid,
            `Failed password for invalid user u${pid} from ${ip} port ${20_000 + (pid % 40_000)} ssh2`,
          ),
        );
      } else {
        out.push(
          this.#line(
            pid,
            `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=root`,
          ),
        );
        this.#pendingPam.push(
          this.#line(pid, `Failed password for root from ${ip} port ${20_000 + (pid % 40_000)} ssh2`),
        );
      }
    }
    if (out.length === 0) return;
    writeSync(this.#fd, `${out.join('\n')}\n`);
    this.written.push(...out);
  }

  /** Finish what is pending. */
  flush(): void {
    this.tick(0);
  }

  /** logrotate without copytruncate: rename, a few more lines into the old file, then a new file. */
  rotateByRename(rename: (from: string, to: string) => void, to: string, tailConnections: number): void {
    rename(this.path, to);
    this.tick(tailConnections);
    closeSync(this.#fd);
    this.#fd = openSync(this.path, 'a');
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** The ids of every document the written lines stand for (one parser over the whole log). */
export function expectedIds(lines: readonly string[]): Set<string> {
  const parser = new LogParser({ format: 'auto', file: 'all', now: Date.now(), zone: 'utc' });
  const items: IngestItem[] = [];
  lines.forEach((line, i) => {
    parser.push(line, i + 1, items);
  });
  parser.finish(items);
  return new Set(items.map((item) => item.id));
}

/** Every `_id` in the index (after a refresh). */
export async function indexIds(url: string, index: string): Promise<string[]> {
  await fetch(`${url}/${index}/_refresh`, { method: 'POST' });
  const ids: string[] = [];
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await response.json()) as { _scroll_id?: string; hits?: { hits: { _id: string }[] } };
  };
  let page = await post(`/${index}/_search?scroll=1m`, { size: 5000, _source: false, sort: ['_doc'] });
  while (page.hits && page.hits.hits.length > 0) {
    for (const hit of page.hits.hits) ids.push(hit._id);
    page = await post('/_search/scroll', { scroll: '1m', scroll_id: page._scroll_id });
  }
  if (page._scroll_id) {
    await fetch(`${url}/_search/scroll`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scroll_id: page._scroll_id }),
    });
  }
  return ids;
}

export async function deleteIndex(url: string, index: string): Promise<void> {
  await fetch(`${url}/${index}`, { method: 'DELETE' });
  await fetch(`${url}/_index_template/${authTemplateName(index)}`, { method: 'DELETE' });
}

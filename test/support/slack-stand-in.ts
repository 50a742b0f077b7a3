// A local HTTP server standing in for a Slack incoming webhook (Slack is not reachable from
// the tests). It records every request and answers as scripted per request number, including
// the faults a real Slack produces: 5xx, 429 with Retry-After, slow answers, hung answers, and
// connections dropped after the request arrived. `setUpSlackStandIn` is the per-test setup
// (stand-in plus a temporary directory) that the Slack and console tests share.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

export interface ReceivedRequest {
  /** 1-based order of arrival. */
  n: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  /** performance.now() when the request body was complete. */
  at: number;
}

export type Answer =
  | { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }
  /** Never answer (until the server closes). */
  | 'hang'
  /** Read the request, then drop the connection without an answer. */
  | 'drop';

export type Script = (request: ReceivedRequest) => Answer;

export interface SlackStandIn {
  /** A webhook-shaped URL whose path plays the secret. */
  readonly url: string;
  readonly secretPath: string;
  readonly requests: ReceivedRequest[];
  script: Script;
  close(): Promise<void>;
}

export const OK: Script = () => ({ status: 200, body: 'ok' });

export async function startSlackStandIn(script: Script = OK): Promise<SlackStandIn> {
  const requests: ReceivedRequest[] = [];
  const secretPath = `/services/T0STANDIN/B0STANDIN/${Math.random().toString(36).slice(2)}secretTOKEN`;
  const state: { script: Script } = { script };
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const received: ReceivedRequest = {
        n: requests.length + 1,
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body,
        json,
        at: performance.now(),
      };
      requests.push(received);
      const answer = state.script(received);
      if (answer === 'hang') return;
      if (answer === 'drop') {
        request.socket.destroy();
        return;
      }
      const send = () => {
        response.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        response.end(answer.body ?? (answer.status === 200 ? 'ok' : 'error'));
      };
      if (answer.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!response.destroyed) send();
        }, answer.delayMs);
        timers.add(timer);
      } else {
        send();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${secretPath}`,
    secretPath,
    requests,
    get script() {
      return state.script;
    },
    set script(next: Script) {
      state.script = next;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (bound, then released): connections to it are refused. */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface SlackFixture {
  /** The current test's stand-in (one object for the whole file: it forwards to it). */
  readonly slack: SlackStandIn;
  /** A path inside the current test's own temporary directory (audit files, webhook files). */
  inDir(...parts: string[]): string;
}

/**
 * The setup every Slack test shares: a fresh stand-in, and with `dirPrefix` an empty temporary
 * directory, before each test (`all`: once for the file), both closed and removed after it.
 * Call it at the top of the file or `describe`, before hooks that read `slack.url`.
 */
export function setUpSlackStandIn(dirPrefix?: string, scope: 'each' | 'all' = 'each'): SlackFixture {
  let current: SlackStandIn | undefined;
  let dir: string | undefined;
  const [before, after] = scope === 'each' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    current = await startSlackStandIn();
    if (dirPrefix !== undefined) dir = await mkdtemp(path.join(tmpdir(), dirPrefix));
  });
  after(async () => {
    await current?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    current = undefined;
    dir = undefined;
  });
  const live = (): SlackStandIn => {
    if (!current) throw new Error('no Slack stand-in outside a test');
    return current;
  };
  const slack: SlackStandIn = {
    get url() {
      return live().url;
    },
    get secretPath() {
      return live().secretPath;
    },
    get requests() {
      return live().requests;
    },
    get script() {
      return live().script;
    },
    set script(next: Script) {
      live().script = next;
    },
    close: () => live().close(),
  };
  return {
    slack,
    inDir(...parts) {
      if (!dir) throw new Error('no temporary directory outside a test');
      return path.join(dir, ...parts);
    },
  };
}

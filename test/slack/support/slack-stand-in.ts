// A local HTTP server standing in for a Slack incoming webhook (Slack is not reachable from
// the tests). It records every request and answers as scripted per request number, including
// the faults a real Slack produces: 5xx, 429 with Retry-After, slow answers, hung answers, and
// connections dropped after the request arrived.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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

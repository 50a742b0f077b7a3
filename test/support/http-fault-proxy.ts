// FAULT-INJECTION STAND-IN. A tiny HTTP proxy in front of a real cluster for the faults a
// healthy local server cannot produce on demand: a fixed status (401/403/429/503), a
// half-open connection (accepts, never answers), and a hard outage that can be restored on
// the same port (cut/restore). In `forward` mode it passes requests through unchanged.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultMode =
  | { kind: 'forward' }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'hang' }
  /** Forward, but only after `ms` (a slow cluster: e.g. a fresh one creating its first index). */
  | { kind: 'delay'; ms: number };

export interface FaultProxy {
  readonly url: string;
  readonly port: number;
  /** Requests received so far. */
  readonly requests: number;
  /** Method, path and headers of the last request (to check what a client sends). */
  readonly lastRequest: { method: string; path: string; headers: http.IncomingHttpHeaders } | undefined;
  setMode(mode: FaultMode): void;
  /** Stop listening and drop every open connection (the cluster "goes away"). */
  cut(): Promise<void>;
  /** Listen again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(
  target?: string,
  initial: FaultMode = { kind: 'forward' },
): Promise<FaultProxy> {
  let mode = initial;
  let requests = 0;
  let lastRequest: FaultProxy['lastRequest'];
  const sockets = new Set<Socket>();
  const upstream = target ? new URL(target) : undefined;
  const agent = new http.Agent({ keepAlive: true });

  const server = http.createServer((request, response) => {
    requests += 1;
    lastRequest = { method: request.method ?? '', path: request.url ?? '', headers: request.headers };
    if (mode.kind === 'hang') return; // keep the socket open, never answer
    if (mode.kind === 'status') {
      response.writeHead(mode.status, { 'content-type': 'application/json', ...mode.headers });
      response.end(
        JSON.stringify(
          mode.body ?? {
            error: { type: 'injected', reason: `injected ${mode.status}` },
            status: mode.status,
          },
        ),
      );
      return;
    }
    if (!upstream) {
      response.writeHead(502).end();
      return;
    }
    const delayMs = mode.kind === 'delay' ? mode.ms : 0;
    const forwarded = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: upstream.host },
        agent,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    if (delayMs > 0) {
      // Buffer the request, then send it late: the answer is late by the same amount.
      const body: Buffer[] = [];
      request.on('data', (chunk: Buffer) => body.push(chunk));
      request.on('end', () => setTimeout(() => forwarded.end(Buffer.concat(body)), delayMs));
    } else {
      request.pipe(forwarded);
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;

  const cut = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return requests;
    },
    get lastRequest() {
      return lastRequest;
    },
    setMode(next) {
      mode = next;
    },
    cut,
    restore: () => listen(port),
    async close() {
      await cut();
      agent.destroy();
    },
  };
}

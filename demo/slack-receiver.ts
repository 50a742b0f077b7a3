// A local stand-in for a Slack incoming webhook, for the demo (Slack itself is not needed):
//
//   npm run demo:slack-receiver                 # listens on 127.0.0.1:8787
//   npm run demo:slack-receiver -- --port 9000  # another port
//   npm run demo:slack-receiver -- --fail 2     # answer 500 to the first 2 messages (shows retries)
//   npm run demo:slack-receiver -- --status 429 --fail 1   # … or a 429 with Retry-After: 2
//
// It prints the SLACK_WEBHOOK_URL to export in the console's shell, then a readable rendering
// of every message it receives (sanitized: whatever posts here is untrusted), and answers
// 200 "ok" like Slack does.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { renderSlackPayload } from '../source/slack/preview.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    fail: { type: 'string', default: '0' },
    status: { type: 'string', default: '500' },
  },
});

const port = Number(values.port);
const failFirst = Number(values.fail);
const failStatus = Number(values.status);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`slack-receiver: --port must be 0-65535 (got ${values.port})`);
  process.exit(2);
}
if (!Number.isInteger(failFirst) || failFirst < 0 || !Number.isInteger(failStatus)) {
  console.error('slack-receiver: --fail takes a count and --status an HTTP status');
  process.exit(2);
}

const MAX_BODY = 1_000_000;
let received = 0;

const server = createServer((request, response) => {
  if (request.method !== 'POST') {
    response.writeHead(405, { 'content-type': 'text/plain' }).end('invalid_method');
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
  });
  request.on('end', () => {
    received += 1;
    const stamp = new Date().toISOString().slice(11, 19);
    if (size > MAX_BODY) {
      response.writeHead(413, { 'content-type': 'text/plain' }).end('request_too_large');
      return;
    }
    if (received <= failFirst) {
      console.log(`\n[${stamp}] message #${received}: answering ${failStatus} (--fail ${failFirst})`);
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (failStatus === 429) headers['retry-after'] = '2';
      response.writeHead(failStatus, headers).end(failStatus === 429 ? 'rate_limited' : 'internal_error');
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      console.log(`\n[${stamp}] message #${received}: not JSON — answering 400 invalid_payload`);
      response.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
      return;
    }
    console.log(`\n[${stamp}] message #${received} received:`);
    console.log(renderSlackPayload(payload, Math.min(process.stdout.columns ?? 78, 100)));
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
});

server.listen(port, values.host, () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  const host = values.host.includes(':') ? `[${values.host}]` : values.host;
  console.log(`Slack stand-in listening on http://${host}:${actual}`);
  console.log('In the shell that runs soc-watch:');
  console.log(
    `  export SLACK_WEBHOOK_URL=http://${host}:${actual}/services/T0DEMO/B0DEMO/local-demo-receiver`,
  );
  console.log('Waiting for escalations (Ctrl+C to stop)…');
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    console.log(`\n${received} message(s) received.`);
    process.exit(0);
  });
}

// A console that leads shared polls (source/cluster/share/) in a process of its own, so a test
// can freeze it for real (SIGSTOP) while another console follows it. Its polls answer at once
// with a canned snapshot naming it; argv: the socket path. Prints "leading" when it leads.
import { createSharedPolls } from '../../source/cluster/share/shared-polls.js';
import type { Snapshot } from '../../source/contracts/snapshot.js';

const path = process.argv[2]!;
const polls = createSharedPolls({
  socketPath: () => path,
  local: async (_window, { now }) => ({ fetchedAt: `child@${now}` }) as unknown as Snapshot,
  refreshMs: 1_000,
  requestTimeoutMs: 1_000,
});
await polls.fetch([{ windowMs: 900_000, includeCustomRules: true }], {
  now: Date.now(),
  signal: new AbortController().signal,
});
process.stdout.write(`${polls.role === 'leader' ? 'leading' : polls.role}\n`);
// Stays until killed (the server is unref'd: this timer holds the process).
setInterval(() => undefined, 60_000);

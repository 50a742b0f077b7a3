// npx tsx bench/detector-memory.ts [POLLS] — the detector's state over a long run of churning
// sources (10 never seen before every poll, each over the brute-force threshold, polls 5 s apart;
// default 10,000 polls = 14 h): alerts held, closed-alert memory, and the heap after a GC, every
// 1,000 polls. Prints figures; asserts nothing. The bounds themselves are checked by
// test/detect/memory.test.ts over 600 polls (every bound reached by poll 199).
import { createDetectorState, type DetectorState, detect } from '../source/detect/detector.js';
import { MAX_CLOSED_ALERTS, MAX_LIVE_ALERTS } from '../source/detect/lifecycle.js';
import { MEMORY_MAX_ENTRIES } from '../source/detect/memory.js';
import { iso, offender, service, settings, snapshot, T0 } from '../test/detect/builders.js';

const POLLS = Number(process.argv[2] ?? 10_000);
const PER_POLL = 10;
const config = settings();

function churn(i: number, now: number) {
  const offenders = Array.from({ length: PER_POLL }, (_, j) => {
    const n = i * PER_POLL + j;
    const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    return offender(ip, 5, { now, lastFailure: iso(now - 1000) });
  });
  return snapshot([service('ssh', offenders)], { now });
}

function heapMiB(): string {
  (globalThis as { gc?: () => void }).gc?.();
  return (process.memoryUsage().heapUsed / 2 ** 20).toFixed(1);
}

console.log(
  `bounds: live ${MAX_LIVE_ALERTS} (+${PER_POLL} new in a poll), closed ${MAX_CLOSED_ALERTS}, memory ${MEMORY_MAX_ENTRIES}`,
);
console.log('polls   hours  live  closed  remembered  sources  heap MiB  ms/poll');
let state: DetectorState = createDetectorState();
let now = T0;
let lap = performance.now();
for (let i = 0; i < POLLS; i++) {
  now += 5000;
  state = detect(state, { snapshot: churn(i, now), slowSnapshot: null }, config, now);
  if (i % 1000 === 999 || i === POLLS - 1) {
    const live = state.alerts.filter((alert) => alert.state !== 'closed').length;
    const polls = (i % 1000) + 1;
    const msPerPoll = (performance.now() - lap) / polls;
    console.log(
      [
        String(i + 1).padStart(5),
        ((now - T0) / 3_600_000).toFixed(1).padStart(7),
        String(live).padStart(5),
        String(state.alerts.length - live).padStart(7),
        String(state.memory.alerts.size).padStart(11),
        String(state.memory.sources.size).padStart(8),
        heapMiB().padStart(9),
        msPerPoll.toFixed(2).padStart(8),
      ].join(' '),
    );
    lap = performance.now();
  }
}
if (!(globalThis as { gc?: unknown }).gc)
  console.log('(heap without a forced GC: run with NODE_OPTIONS=--expose-gc)');

// The live side of the demo: back-fill the history, then every second index what the
// generator says happened since the last tick. Ids are content hashes (withIds), so a tick
// that is retried, or two demos writing into one cluster, never duplicate anything.
import type { ClusterClient } from '../source/cluster/types.js';
import { bulkIndex } from '../source/ingest/bulk.js';
import { withIds } from '../source/ingest/doc-id.js';
import { generateTraffic } from './traffic.js';

export interface StreamOptions {
  client: ClusterClient;
  index: string;
  seed: number;
  /** First tick covers [start, now). */
  start: number;
  intervalMs?: number;
  now?: () => number;
  /** Called with every indexing failure (the demo decides whether it can print). */
  onError?: (error: unknown) => void;
}

export interface TrafficStream {
  /** Documents indexed so far by the live ticks. */
  readonly indexed: number;
  /** Stop ticking and wait for the tick in flight. */
  stop(): Promise<void>;
}

/** Index the history in one go: [from, to). Returns the number of documents created. */
export async function backfill(
  client: ClusterClient,
  index: string,
  seed: number,
  from: number,
  to: number,
): Promise<number> {
  const items = withIds(generateTraffic({ seed, from, to }));
  const outcome = await bulkIndex(client, index, items, { refresh: true });
  if (outcome.rejected > 0) {
    throw new Error(
      `the cluster rejected ${outcome.rejected} demo documents: ${outcome.rejections[0]?.reason ?? ''}`,
    );
  }
  return outcome.created + outcome.duplicates;
}

export function startStream(options: StreamOptions): TrafficStream {
  const now = options.now ?? Date.now;
  let last = options.start;
  let indexed = 0;
  let inFlight: Promise<void> | undefined;
  let stopped = false;

  const tick = async () => {
    const to = now();
    if (to <= last) return;
    const items = withIds(generateTraffic({ seed: options.seed, from: last, to }));
    try {
      if (items.length > 0) {
        const outcome = await bulkIndex(options.client, options.index, items, { flushIntervalMs: 1000 });
        indexed += outcome.created;
        if (outcome.rejected > 0) {
          options.onError?.(
            new Error(`rejected ${outcome.rejected}: ${outcome.rejections[0]?.reason ?? ''}`),
          );
        }
      }
      last = to;
    } catch (error) {
      // Keep `last`: the next tick retries the same span (ids make that safe).
      options.onError?.(error);
    }
  };

  const timer = setInterval(() => {
    if (stopped || inFlight) return;
    inFlight = tick().finally(() => {
      inFlight = undefined;
    });
  }, options.intervalMs ?? 1000);

  return {
    get indexed() {
      return indexed;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}

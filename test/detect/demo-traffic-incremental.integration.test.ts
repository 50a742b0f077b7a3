// The demo's traffic through the detector twice: on full snapshots (every poll counts the
// whole window) and on incremental ones (source/cluster/incremental/: what the live console
// polls by default). Every alert — id, severity, techniques, evidence, state — must be the
// same after every poll, in real Elasticsearch and OpenSearch. The polls follow the demo's
// live ticks: at NOW, then one refresh interval later, then after the late-arrival margin
// has passed (slices sealed), each after that interval's traffic was indexed. The slow
// window takes the full path in both modes, as in the poller.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { backfill } from '../../demo/stream.js';
import { createClusterClient } from '../../source/cluster/client.js';
import { fetchSnapshots } from '../../source/cluster/fetch.js';
import { createIncrementalSnapshots, LATE_MARGIN_MS } from '../../source/cluster/incremental/engine.js';
import type { BackendKind, ClusterClient } from '../../source/cluster/types.js';
import type { Config } from '../../source/config/types.js';
import { createDetectorState, type DetectorState, detect } from '../../source/detect/detector.js';
import { detectionSettings } from '../../source/detect/settings.js';
import { ensureAuthTemplate } from '../../source/ingest/template.js';
import { testConfig } from '../support/config.js';
import { dropIndexAndTemplate } from './demo-traffic-helpers.js';

const HOUR = 3_600_000;
const SEED = 1;
const NOW = Date.UTC(2025, 5, 1, 12, 0, 7);
const HISTORY_MS = 6 * HOUR;

const backends: { kind: BackendKind; url: () => string }[] = [
  { kind: 'elasticsearch', url: () => inject('esUrl') },
  { kind: 'opensearch', url: () => inject('opensearchUrl') },
];

describe.each(backends)('demo traffic, full vs incremental snapshots, on $kind', ({ kind, url }) => {
  const index = `test-demo-incr-${randomUUID().slice(0, 8)}`;
  let client: ClusterClient | undefined;
  let config: Config;

  beforeAll(async () => {
    config = testConfig({ nodes: [url()], backend: kind, indexPattern: index });
    client = await createClusterClient(config, {});
    await ensureAuthTemplate(client, index);
    await backfill(client, index, SEED, NOW - HISTORY_MS, NOW);
  });

  afterAll(async () => {
    if (!client) return;
    try {
      await dropIndexAndTemplate(client, index);
    } finally {
      await client.close();
    }
  });

  it('raises the same alerts after every poll', async () => {
    const cluster = client!;
    const settings = detectionSettings(config);
    const engine = createIncrementalSnapshots(cluster, config);
    const gap = NOW + config.refreshMs + LATE_MARGIN_MS + 15_000;
    const polls = [NOW, NOW + config.refreshMs, gap, gap + config.refreshMs];
    let full: DetectorState = createDetectorState();
    let incremental: DetectorState = createDetectorState();
    let previous = NOW;
    for (const [poll, now] of polls.entries()) {
      if (now > previous) await backfill(cluster, index, SEED, previous, now);
      previous = now;
      const windows = [{ windowMs: config.windowMs }];
      if (poll === 0) windows.push({ windowMs: config.rules.slowBruteForce.windowMs });
      const [short, slow] = await fetchSnapshots(cluster, config, windows, { now });
      const fast = await engine.fetch(config.windowMs, { now });
      // The first poll (and the one after a gap longer than the margin) is the full query's
      // while the slices are read in the background; the others are merged from the slices.
      await engine.settled();
      if (poll % 2 === 1) expect(engine.stats().lastAnsweredInFull, `poll ${poll}`).toBe(false);
      if (!short) throw new Error('no snapshot');
      full = detect(full, { snapshot: short, slowSnapshot: slow ?? null }, settings, now);
      incremental = detect(incremental, { snapshot: fast, slowSnapshot: slow ?? null }, settings, now);
      expect(incremental.alerts, `poll ${poll}`).toEqual(full.alerts);
    }
    expect(full.alerts.length).toBeGreaterThan(5);
    expect(new Set(full.alerts.map((alert) => alert.rule))).toEqual(
      new Set([
        'brute-force',
        'slow-brute-force',
        'spraying',
        'enumeration',
        'distributed',
        'success-after-failure',
      ]),
    );
  });
});

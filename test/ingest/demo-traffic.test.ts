// The demo's traffic generator: deterministic, documentation addresses only, and every attack
// in DEMO_TRUTH crosses its rule's default threshold in every window while benign traffic
// crosses none (checked here by counting, independently of the detector).
import { describe, expect, it } from 'vitest';
import {
  DEMO_BENIGN,
  DEMO_TRUTH,
  DISTRIBUTED_IPS,
  generateTraffic,
  SCENARIO_NAMES,
} from '../../demo/traffic.js';
import { ipInAny } from '../../source/core/net.js';
import type { EcsDoc } from '../../source/ingest/ecs.js';
import { DEFAULT_RULES } from '../support/config.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const WINDOW = 15 * MINUTE;
const THRESHOLD = 5;
const END = Date.UTC(2025, 5, 1, 12, 0, 7);
const START = END - 6 * HOUR;
const DOC_RANGES = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'];

const service = (doc: EcsDoc) => (doc.event.dataset === 'system.auth' ? 'ssh' : 'rdp');
const time = (doc: EcsDoc) => Date.parse(doc['@timestamp']);
const failed = (doc: EcsDoc) => doc.event.outcome === 'failure';
const invalid = (doc: EcsDoc) =>
  doc.system?.auth.ssh.event === 'Invalid' ||
  doc.winlog?.event_data.SubStatus?.toLowerCase() === '0xc0000064';

function inWindow(docs: readonly EcsDoc[], end: number, length = WINDOW): EcsDoc[] {
  return docs.filter((doc) => time(doc) >= end - length && time(doc) < end);
}

/** Window ends every 5 minutes over the last 5 hours (each with a full 15-minute window of data and an hour before it). */
const WINDOW_ENDS = Array.from({ length: 60 }, (_, i) => END - i * 5 * MINUTE);

describe('demo traffic generator', () => {
  const docs = generateTraffic({ seed: 1, from: START, to: END });

  it('is deterministic, ordered, and the same whether generated at once or second by second', () => {
    const json = JSON.stringify(docs);
    expect(JSON.stringify(generateTraffic({ seed: 1, from: START, to: END }))).toBe(json);
    expect(JSON.stringify(generateTraffic({ seed: 2, from: START, to: END }))).not.toBe(json);
    const times = docs.map(time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(START);
    expect(times[times.length - 1]).toBeLessThan(END);
    const from = END - 10 * MINUTE;
    const pieces: EcsDoc[] = [];
    for (let t = from; t < END; t += 1_000)
      pieces.push(...generateTraffic({ seed: 1, from: t, to: Math.min(END, t + 1_000) }));
    expect(pieces).toEqual(inWindow(docs, END, 10 * MINUTE));
    expect(generateTraffic({ seed: 1, from: END, to: END })).toEqual([]);
  });

  it('covers every scenario, SSH and RDP, with IPv6 and sources without an address', () => {
    expect(SCENARIO_NAMES).toHaveLength(10);
    expect(docs.some((doc) => doc.source?.ip?.includes(':'))).toBe(true);
    const rdp = docs.filter((doc) => service(doc) === 'rdp');
    expect(rdp.some((doc) => doc.winlog?.logon?.type === 'Network' && !doc.source?.ip)).toBe(true);
    expect(rdp.some((doc) => doc.winlog?.logon?.type === 'RemoteInteractive' && failed(doc))).toBe(true);
    expect(docs.some((doc) => doc.source?.geo?.country_iso_code && doc.source.as?.number)).toBe(true);
  });

  it('uses documentation addresses and AS numbers only', () => {
    const ips = new Set(docs.flatMap((doc) => (doc.source?.ip ? [doc.source.ip] : [])));
    expect(ips.size).toBeGreaterThan(60);
    for (const ip of ips) expect(ipInAny(ip, DOC_RANGES), ip).toBe(true);
    const asns = new Set(
      docs.flatMap((doc) => (doc.source?.as?.number === undefined ? [] : [doc.source.as.number])),
    );
    for (const asn of asns) expect(asn >= 64_496 && asn <= 64_511, String(asn)).toBe(true);
  });

  describe.each(
    DEMO_TRUTH.map((attack) => [`${attack.service} ${attack.rule} ${attack.key}`, attack] as const),
  )('%s', (_label, attack) => {
    const own = docs.filter((doc) => service(doc) === attack.service);
    const bySource = own.filter((doc) => doc.source?.ip === attack.key);

    it('crosses its rule in every window', () => {
      for (const end of WINDOW_ENDS) {
        const window = inWindow(bySource, end).filter(failed);
        switch (attack.rule) {
          case 'brute-force':
            expect(window.length).toBeGreaterThanOrEqual(THRESHOLD);
            break;
          case 'slow-brute-force':
            expect(
              inWindow(bySource, end, DEFAULT_RULES.slowBruteForce.windowMs).filter(failed).length,
            ).toBeGreaterThanOrEqual(Math.min(DEFAULT_RULES.slowBruteForce.threshold, 10));
            // …and never the fast threshold: only the slow rule can catch it.
            expect(window.length).toBeLessThan(THRESHOLD);
            break;
          case 'spraying':
            expect(new Set(window.map((doc) => doc.user?.name)).size).toBeGreaterThanOrEqual(
              DEFAULT_RULES.spraying.distinctUsers,
            );
            expect(window.some(invalid)).toBe(false);
            break;
          case 'enumeration':
            expect(window.filter(invalid).length).toBeGreaterThanOrEqual(
              DEFAULT_RULES.enumeration.invalidUsers,
            );
            break;
          case 'distributed': {
            const onAccount = inWindow(own, end).filter(
              (doc) => failed(doc) && doc.user?.name === attack.key,
            );
            const ips = new Set(onAccount.map((doc) => doc.source?.ip));
            expect(ips.size).toBeGreaterThanOrEqual(DEFAULT_RULES.distributed.distinctIps);
            break;
          }
          case 'success-after-failure': {
            const successes = inWindow(bySource, end, 20 * MINUTE).filter((doc) => !failed(doc));
            expect(successes.length).toBeGreaterThan(0);
            for (const success of successes) {
              const before = inWindow(
                bySource,
                time(success),
                DEFAULT_RULES.successAfterFailure.correlationMs,
              ).filter(failed);
              expect(before.length).toBeGreaterThanOrEqual(DEFAULT_RULES.successAfterFailure.failures);
            }
            break;
          }
        }
      }
    });
  });

  it('keeps each source of the distributed attack below every per-source threshold', () => {
    for (const ip of DISTRIBUTED_IPS) {
      const own = docs.filter((doc) => doc.source?.ip === ip);
      expect(own.length).toBeLessThan(DEFAULT_RULES.slowBruteForce.threshold);
      for (const end of WINDOW_ENDS) expect(inWindow(own, end).length).toBeLessThan(THRESHOLD);
    }
  });

  it('keeps benign traffic below every threshold', () => {
    for (const ip of DEMO_BENIGN.ips) {
      const own = docs.filter((doc) => doc.source?.ip === ip);
      expect(own.some((doc) => !failed(doc))).toBe(true);
      // Fewer than any failure count a rule starts from, over the whole six hours.
      expect(own.filter(failed).length).toBeLessThan(
        Math.min(
          DEFAULT_RULES.successAfterFailure.failures,
          DEFAULT_RULES.slowBruteForce.threshold,
          THRESHOLD,
        ),
      );
      expect(new Set(own.map((doc) => doc.user?.name)).size).toBe(1);
      for (const end of WINDOW_ENDS) expect(inWindow(own, end).filter(failed).length).toBeLessThan(THRESHOLD);
      for (const success of own.filter((doc) => !failed(doc))) {
        expect(inWindow(own, time(success), HOUR).filter(failed).length).toBeLessThan(
          DEFAULT_RULES.successAfterFailure.failures,
        );
      }
    }
    for (const user of DEMO_BENIGN.users) {
      const ips = new Set(docs.filter((doc) => doc.user?.name === user).map((doc) => doc.source?.ip));
      expect(ips.size).toBeLessThan(DEFAULT_RULES.distributed.distinctIps);
    }
  });

  it('has no other source or account near a threshold', () => {
    const attackers = new Set<string>([
      ...DEMO_TRUTH.map((attack) => attack.key),
      ...DISTRIBUTED_IPS,
      ...DEMO_BENIGN.ips,
    ]);
    expect(docs.filter((doc) => doc.source?.ip && !attackers.has(doc.source.ip))).toEqual([]);
    const byUser = new Map<string, Set<string>>();
    for (const doc of inWindow(docs, END).filter(failed)) {
      const key = `${service(doc)} ${doc.user?.name}`;
      if (!byUser.has(key)) byUser.set(key, new Set());
      if (doc.source?.ip) byUser.get(key)!.add(doc.source.ip);
    }
    const distributed = [...byUser]
      .filter(([, ips]) => ips.size >= DEFAULT_RULES.distributed.distinctIps)
      .map(([key]) => key);
    expect(distributed).toEqual(['ssh deploy']);
  });
});

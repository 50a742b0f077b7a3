// Analyst actions: acknowledge, mute (by the alert's IP, by CIDR, expiry), unmute, escalation.
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../source/contracts/snapshot.js';
import {
  applyAction,
  createDetectorState,
  type DetectorState,
  detect,
} from '../../source/detect/detector.js';
import { MINUTE, offender, service, settings, snapshot, T0, targeted } from './builders.js';

const config = settings();
const A = '203.0.113.5';
const B = '203.0.113.77';

function attack(now: number, ips = [A, B]): Snapshot {
  return snapshot(
    [
      service(
        'ssh',
        ips.map((ip) => offender(ip, 6, { now, distinctUsers: 5 })),
      ),
    ],
    { now },
  );
}

function start(): DetectorState {
  return detect(createDetectorState(), { snapshot: attack(T0), slowSnapshot: null }, config, T0);
}

const muted = (state: DetectorState) =>
  Object.fromEntries(state.alerts.map((alert) => [alert.id, alert.mutedUntil]));

describe('acknowledge and escalation', () => {
  it('acknowledges one alert and records its escalation status', () => {
    let state = start();
    state = applyAction(state, { type: 'acknowledge', alertId: `brute-force|ssh|${A}` }, T0 + 1);
    state = applyAction(
      state,
      { type: 'escalation', alertId: `spraying|ssh|${A}`, status: { kind: 'sending', since: T0 + 2 } },
      T0 + 2,
    );
    const byId = Object.fromEntries(state.alerts.map((alert) => [alert.id, alert]));
    expect(byId[`brute-force|ssh|${A}`]?.acknowledged).toBe(true);
    expect(byId[`brute-force|ssh|${B}`]?.acknowledged).toBe(false);
    expect(byId[`spraying|ssh|${A}`]?.escalation).toEqual({ kind: 'sending', since: T0 + 2 });
    // Acknowledgement survives the next poll.
    state = detect(state, { snapshot: attack(T0 + 5000), slowSnapshot: null }, config, T0 + 5000);
    expect(state.alerts.find((alert) => alert.id === `brute-force|ssh|${A}`)?.acknowledged).toBe(true);
  });

  it('ignores unknown alert ids', () => {
    const state = start();
    expect(applyAction(state, { type: 'acknowledge', alertId: 'nope' }, T0)).toBe(state);
  });
});

describe('mute', () => {
  it('by an alert mutes its source IP: every alert from that IP, until the given time', () => {
    let state = start();
    state = applyAction(
      state,
      { type: 'mute', alertId: `brute-force|ssh|${A}`, untilMs: T0 + 10 * MINUTE },
      T0,
    );
    expect(muted(state)).toEqual({
      [`brute-force|ssh|${A}`]: T0 + 10 * MINUTE,
      [`spraying|ssh|${A}`]: T0 + 10 * MINUTE,
      [`brute-force|ssh|${B}`]: null,
      [`spraying|ssh|${B}`]: null,
    });
    // Still muted one millisecond before; unmuted at the time.
    state = detect(
      state,
      { snapshot: attack(T0 + 10 * MINUTE - 1), slowSnapshot: null },
      config,
      T0 + 10 * MINUTE - 1,
    );
    expect(muted(state)[`brute-force|ssh|${A}`]).toBe(T0 + 10 * MINUTE);
    state = detect(
      state,
      { snapshot: attack(T0 + 10 * MINUTE), slowSnapshot: null },
      config,
      T0 + 10 * MINUTE,
    );
    expect(muted(state)[`brute-force|ssh|${A}`]).toBeNull();
    expect(state.mutes).toEqual([]);
  });

  it('by CIDR mutes every alert inside, including alerts raised later', () => {
    let state = applyAction(
      createDetectorState(),
      { type: 'mute', cidr: '203.0.113.0/28', untilMs: T0 + MINUTE },
      T0,
    );
    state = detect(state, { snapshot: attack(T0 + 1000), slowSnapshot: null }, config, T0 + 1000);
    expect(muted(state)).toEqual({
      [`brute-force|ssh|${A}`]: T0 + MINUTE,
      [`spraying|ssh|${A}`]: T0 + MINUTE,
      [`brute-force|ssh|${B}`]: null, // .77 is outside .0–.15
      [`spraying|ssh|${B}`]: null,
    });
  });

  it('mutes an account-keyed alert by its id only', () => {
    const offenders = Array.from({ length: 5 }, (_, i) =>
      offender(`198.51.100.${i + 1}`, 1, { topUsers: [{ name: 'admin', count: 1 }] }),
    );
    const snap = snapshot([service('ssh', offenders, { targetedUsers: [targeted('admin', 5, 5)] })]);
    let state = detect(createDetectorState(), { snapshot: snap, slowSnapshot: null }, config, T0);
    state = applyAction(state, { type: 'mute', alertId: 'distributed|ssh|admin', untilMs: T0 + MINUTE }, T0);
    expect(muted(state)).toEqual({ 'distributed|ssh|admin': T0 + MINUTE });
    expect(state.mutes).toEqual([{ cidr: null, alertId: 'distributed|ssh|admin', untilMs: T0 + MINUTE }]);
  });

  it('ignores an invalid CIDR and a time already past', () => {
    const state = start();
    expect(applyAction(state, { type: 'mute', cidr: '203.0.113.0/33', untilMs: T0 + MINUTE }, T0)).toBe(
      state,
    );
    expect(applyAction(state, { type: 'mute', alertId: `brute-force|ssh|${A}`, untilMs: T0 }, T0)).toBe(
      state,
    );
  });

  it('a second mute of the same target replaces the first', () => {
    let state = start();
    state = applyAction(state, { type: 'mute', cidr: A, untilMs: T0 + MINUTE }, T0);
    state = applyAction(state, { type: 'mute', cidr: `${A}/32`, untilMs: T0 + 2 * MINUTE }, T0);
    expect(state.mutes).toEqual([{ cidr: `${A}/32`, alertId: null, untilMs: T0 + 2 * MINUTE }]);
  });
});

describe('unmute', () => {
  it('by an alert lifts every mute covering it (its IP and a CIDR around it)', () => {
    let state = start();
    state = applyAction(state, { type: 'mute', cidr: '203.0.113.0/24', untilMs: T0 + MINUTE }, T0);
    state = applyAction(state, { type: 'mute', alertId: `brute-force|ssh|${A}`, untilMs: T0 + MINUTE }, T0);
    state = applyAction(state, { type: 'mute', cidr: '198.51.100.0/24', untilMs: T0 + MINUTE }, T0);
    state = applyAction(state, { type: 'unmute', alertId: `spraying|ssh|${A}` }, T0 + 1);
    expect(state.mutes).toEqual([{ cidr: '198.51.100.0/24', alertId: null, untilMs: T0 + MINUTE }]);
    expect(Object.values(muted(state))).toEqual([null, null, null, null]);
  });

  it('by CIDR lifts exactly that mute', () => {
    let state = start();
    state = applyAction(state, { type: 'mute', cidr: '203.0.113.0/24', untilMs: T0 + MINUTE }, T0);
    state = applyAction(state, { type: 'mute', cidr: `${A}/32`, untilMs: T0 + 2 * MINUTE }, T0);
    state = applyAction(state, { type: 'unmute', cidr: '203.0.113.0/24' }, T0);
    expect(muted(state)).toEqual({
      [`brute-force|ssh|${A}`]: T0 + 2 * MINUTE,
      [`spraying|ssh|${A}`]: T0 + 2 * MINUTE,
      [`brute-force|ssh|${B}`]: null,
      [`spraying|ssh|${B}`]: null,
    });
  });
});

// The pure judge of an escalation attempt: pending → delivered | failed | unknown.
import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_MS, judgeAttempt, type Observer } from '../../source/slack/escalation-state.js';
import type { StoredRecord } from '../../source/slack/record.js';
import { T0 } from './support/alert.js';

const record = (overrides: Partial<StoredRecord> = {}): StoredRecord => ({
  id: 'v1-abc',
  escalationId: 'v1-abc',
  attempt: 0,
  alertId: 'brute-force|ssh|203.0.113.7',
  rule: 'brute-force',
  service: 'ssh',
  key: '203.0.113.7',
  by: 'dave@jump4',
  at: T0,
  delivery: 'pending',
  update: false,
  failures: 50,
  severity: 'high',
  owner: 'dave-process',
  deadline: T0 + 10_000,
  updatedAt: T0,
  text: 'x',
  ...overrides,
});

const me = (now: number, overrides: Partial<Observer> = {}): Observer => ({
  now,
  owner: 'my-process',
  host: 'jump1',
  running: new Set(),
  ...overrides,
});

describe('judgeAttempt', () => {
  it('final records say what they are', () => {
    expect(judgeAttempt(record({ delivery: 'sent' }), me(T0)).state).toBe('delivered');
    expect(judgeAttempt(record({ delivery: 'failed', reason: 'HTTP 404' }), me(T0))).toEqual({
      state: 'failed',
      reason: 'HTTP 404',
    });
    expect(judgeAttempt(record({ delivery: 'failed', deliveryUnknown: true }), me(T0)).state).toBe('unknown');
  });

  it('another process’s record is in flight until its deadline, plus skew unless written on this host', () => {
    const other = record({ phase: 'sending', host: 'jump4' });
    expect(judgeAttempt(other, me(T0 + 10_000 + CLOCK_SKEW_MS)).state).toBe('pending');
    expect(judgeAttempt(other, me(T0 + 10_001 + CLOCK_SKEW_MS)).state).toBe('unknown');
    const sameHost = record({ phase: 'sending', host: 'jump1' });
    expect(judgeAttempt(sameHost, me(T0 + 10_000)).state).toBe('pending');
    expect(judgeAttempt(sameHost, me(T0 + 10_001)).state).toBe('unknown');
  });

  it('an expired claim sent nothing (failed); an expired send may have posted (unknown); no phase is a send', () => {
    const late = T0 + 10_001 + CLOCK_SKEW_MS;
    expect(judgeAttempt(record({ phase: 'claim' }), me(late))).toMatchObject({
      state: 'failed',
      reason: 'abandoned by dave@jump4 before anything was sent',
    });
    expect(judgeAttempt(record({ phase: 'sending' }), me(late)).reason).toMatch(/may have been posted/);
    expect(judgeAttempt(record(), me(late)).state).toBe('unknown');
  });

  it('this process’s own record: pending while it sends, else known at once (no waiting for a deadline)', () => {
    const mine = record({ owner: 'my-process', phase: 'claim' });
    expect(judgeAttempt(mine, me(T0, { running: new Set(['v1-abc']) })).state).toBe('pending');
    // The create's answer never came: nothing was sent — retry now.
    expect(judgeAttempt(mine, me(T0)).state).toBe('failed');
    expect(judgeAttempt({ ...mine, phase: 'sending' }, me(T0)).state).toBe('unknown');
  });
});

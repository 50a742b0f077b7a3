// The alert timeline's episodes, from the real detector over built snapshots.
import { describe, expect, it } from 'vitest';
import { createDetectorState, type DetectorState, detect } from '../../source/detect/detector.js';
import { episodes, stepEvents, type TimelineEvent } from '../../source/replay/timeline.js';
import { MINUTE, offender, service, settings, snapshot, T0 } from '../detect/builders.js';

describe('episodes', () => {
  it('an alert that opened and kept firing ends "active", not "new" (no event marks new → active)', () => {
    let state: DetectorState = createDetectorState();
    const events: TimelineEvent[] = [];
    for (let i = 0; i < 3; i++) {
      const at = T0 + i * MINUTE;
      const previous = state;
      const data = snapshot([service('ssh', [offender('203.0.113.10', 6, { now: T0 })])], { now: at });
      state = detect(state, { snapshot: data, slowSnapshot: null }, settings(), at);
      events.push(...stepEvents(previous, state, at));
    }
    expect(events.map((event) => event.kind)).toEqual(['opened']);
    expect(state.alerts[0]?.state).toBe('active');
    expect(episodes(events, state).map((episode) => episode.state)).toEqual(['active']);
  });
});

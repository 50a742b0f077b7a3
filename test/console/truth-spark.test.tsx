// Issue 13 A10: the last bucket of the timeline is still filling when the data is fetched;
// drawn raw it always reads as a drop. It is scaled by its elapsed fraction and drawn apart,
// and the pane says the line's scale (the peak per cell).
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { UNICODE_GLYPHS } from '../../source/console/draw/glyphs.js';
import { ServicePane } from '../../source/console/panes/ServicePane.js';
import { lastBucketElapsed, timelineSpark } from '../../source/console/panes/spark.js';
import { service } from './fixtures.js';

let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

describe('sparkline (A10)', () => {
  it('a steady rate does not drop in the bucket still filling: scaled by its elapsed part', () => {
    // 10 per bucket; 40% into the last one it holds 4.
    const values = [...Array.from({ length: 59 }, () => 10), 4];
    const spark = timelineSpark(values, 60, UNICODE_GLYPHS, 0.4);
    expect(spark.partial).toBe(true);
    expect(spark.body).toBe('█'.repeat(59));
    expect(spark.last).toBe('█');
    expect(spark.peak).toBe(10);
  });

  it('a whole last bucket is drawn as it is, and a drop stays a drop', () => {
    const values = [...Array.from({ length: 59 }, () => 10), 0];
    const spark = timelineSpark(values, 60, UNICODE_GLYPHS, 1);
    expect(spark.partial).toBe(false);
    expect(spark.last).toBe('▁');
    expect(timelineSpark(values, 60, UNICODE_GLYPHS, 0.9).last).toBe('▁');
  });

  it('groups whole buckets per cell, newest last, and reports the peak per cell', () => {
    const values = Array.from({ length: 60 }, (_, index) => (index === 10 ? 412 : 1));
    const spark = timelineSpark(values, 30, UNICODE_GLYPHS, 1);
    expect(spark.group).toBe(2);
    expect(spark.body.length + spark.last.length).toBe(30);
    expect(spark.peak).toBe(413);
  });

  it('elapsed fraction of the last bucket comes from the window end and the fetch time', () => {
    const to = '2026-01-01T00:01:00.000Z';
    expect(lastBucketElapsed({ to }, 15_000, '2026-01-01T00:00:48.000Z')).toBeCloseTo(0.2);
    expect(lastBucketElapsed({ to }, 15_000, '2026-01-01T00:05:00.000Z')).toBe(1);
  });

  it('the pane title shows "peak N/<cell time>" beside the line', () => {
    const data = service('ssh', [], {
      label: 'SSH',
      timeline: Array.from({ length: 60 }, (_, index) => (index === 3 ? 412 : 0)),
    });
    const view = render(
      <ServicePane
        label="SSH"
        data={data}
        rows={[]}
        selected={-1}
        focused={false}
        width={120}
        height={3}
        threshold={5}
        editing={null}
        filtered={false}
        sort={{ column: 'failures', descending: true }}
        flagsOf={() => []}
        now={0}
        stale={false}
        loading={false}
        bucketMs={30_000}
        lastElapsed={0.5}
      />,
    );
    unmount = view.unmount;
    expect(view.lastFrame()?.split('\n')[0]).toMatch(/peak 412\/30s/);
  });
});

// One service: a title line (totals, threshold, sparkline of failures over the window; the
// threshold editor opens right there) and the offender table under it.
import { Box, Text } from 'ink';
import { DISTINCT_EXACT_UP_TO, type Offender, type ServiceSnapshot } from '../../contracts/snapshot.js';
import { formatAge, formatDuration } from '../../core/duration.js';
import { cellWidth, fitCell, formatCount } from '../draw/cells.js';
import { listPosition, scrollOffset } from '../draw/position.js';
import { useUi } from '../draw/ui-context.js';
import type { ServiceLag } from '../state/ingest-lag.js';
import type { SortState } from '../state/sort.js';
import type { OffenderFlag } from './flags.js';
import { OffenderTable } from './OffenderTable.js';
import { Sparkline } from './Sparkline.js';
import { timelineSpark } from './spark.js';

export interface ThresholdEdit {
  text: string;
  error: string | null;
}

export interface ServicePaneProps {
  label: string;
  data: ServiceSnapshot | undefined;
  /** Rows after filter and sort. */
  rows: readonly Offender[];
  selected: number;
  focused: boolean;
  width: number;
  /** Table rows (title and column header are extra). */
  height: number;
  threshold: number;
  editing: ThresholdEdit | null;
  filtered: boolean;
  sort: SortState;
  flagsOf: (offender: Offender) => readonly OffenderFlag[];
  now: number;
  stale: boolean;
  loading: boolean;
  /** Timeline bucket width (ms) and how much of the last bucket had passed at the fetch (A10). */
  bucketMs?: number;
  lastElapsed?: number;
  /** Age of the service's newest event (ingest lag, A3). */
  lag?: ServiceLag | undefined;
}

const MIN_SPARK = 8;
const MAX_SPARK = 60;

export function ServicePane(props: ServicePaneProps) {
  const { glyphs, theme } = useUi();
  const { data, width } = props;
  const dot = ` ${glyphs.dot} `;
  const head = `${props.focused ? glyphs.selected : ' '} ${props.label} `;
  const parts: string[] = [];
  const offset = scrollOffset(Math.max(props.selected, 0), props.rows.length, props.height);
  const position = listPosition(props.selected, props.rows.length, offset, props.height, glyphs);
  if (position !== '') parts.push(position);
  const noIndices = data?.shards?.total === 0;
  if (noIndices) {
    parts.push('NO INDICES');
  } else if (data) {
    parts.push(
      `${formatCount(data.failures)} ${data.failures === 1 ? 'failure' : 'failures'}`,
      `${data.distinctIps > DISTINCT_EXACT_UP_TO ? glyphs.approx : ''}${formatCount(data.distinctIps)} ${data.distinctIps === 1 ? 'IP' : 'IPs'}`,
    );
    if (data.unknownSource > 0) parts.push(`${formatCount(data.unknownSource)} without IP`);
    if (props.filtered) parts.push(`${props.rows.length} of ${data.offenders.length} shown`);
    else if (data.offendersTruncated) parts.push(`top ${data.offenders.length}`);
  }
  const totals = parts.join(dot);
  const thresholdText = `threshold ${props.threshold}`;
  const stale = props.stale ? ' STALE' : data?.shards && data.shards.failed > 0 ? ' PARTIAL' : '';

  if (props.editing) {
    const cursor = glyphs.ascii ? '_' : '▏';
    const prompt = `threshold: ${props.editing.text}${cursor}`;
    const help = props.editing.error
      ? `  ${props.editing.error}`
      : `  (now ${props.threshold}; Enter apply, Esc cancel, +/- nudge after)`;
    return (
      <Box flexDirection="column" width={width}>
        <Text wrap="truncate-end">
          <Text bold inverse={props.focused}>
            {head}
          </Text>
          <Text> </Text>
          <Text inverse bold>
            {prompt}
          </Text>
          <Text color={props.editing.error ? theme.danger : theme.muted}>{help}</Text>
        </Text>
        <Table {...props} />
      </Box>
    );
  }

  const timeline = data?.timeline ?? [];
  // The line's scale: the most failures in one cell, and the time a cell covers.
  const peakText = (sparkWidth: number) => {
    if (!props.bucketMs || sparkWidth < MIN_SPARK) return '';
    const spark = timelineSpark(timeline, sparkWidth, glyphs, props.lastElapsed);
    return `${dot}peak ${formatCount(spark.peak)}/${formatDuration(spark.group * props.bucketMs)}`;
  };
  const base = `${totals === '' ? '' : `${totals}${dot}`}${thresholdText}${stale}${lagText(props.lag, dot)}`;
  const room = (text: string) => width - cellWidth(head) - 1 - cellWidth(text) - 2;
  // Room is measured with a generous peak text; the real one (known once the width is) fits it.
  const sparkWidth = Math.min(timeline.length, MAX_SPARK, room(`${base}${dot}peak 99,999/30m`));
  const showSpark = sparkWidth >= MIN_SPARK;
  const left = `${base}${showSpark ? peakText(sparkWidth) : ''}`;
  const leftWidth = width - cellWidth(head) - 1 - (showSpark ? sparkWidth + 1 : 0);
  const fitted = fitCell(left, Math.max(0, leftWidth), { ellipsis: glyphs.ellipsis });
  // The rule fills the gap between the totals and the sparkline.
  const trimmed = fitted.trimEnd();
  const rule = showSpark
    ? ` ${glyphs.rule.repeat(Math.max(0, cellWidth(fitted) - cellWidth(trimmed) - 1))}`
    : '';
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end" dimColor={props.stale}>
        <Text bold inverse={props.focused}>
          {head}
        </Text>
        <Text> </Text>
        <Text>{showSpark ? trimmed : fitted}</Text>
        {showSpark ? <Text color={theme.muted}>{`${rule} `}</Text> : null}
        {showSpark ? (
          <Sparkline
            values={timeline}
            width={sparkWidth}
            dim={props.stale}
            {...(props.lastElapsed === undefined ? {} : { lastElapsed: props.lastElapsed })}
          />
        ) : null}
      </Text>
      <Table {...props} />
    </Box>
  );
}

/** "newest event 14s ago" (event time, from the data), or that there is none in the lookback. */
export function lagText(lag: ServiceLag | undefined, dot: string): string {
  if (!lag || lag.newestAt === undefined) return '';
  if (lag.never) return `${dot}no events in 7d`;
  if (lag.ageMs === null) return '';
  return `${dot}newest event ${lag.ageMs < 1000 ? '<1s ago' : formatAge(lag.ageMs)}${lag.silent ? '!' : ''}`;
}

function Table(props: ServicePaneProps) {
  const empty = props.loading
    ? 'waiting for the first poll...'
    : props.data?.shards?.total === 0
      ? 'no indices match the index pattern: no data (not "no attacks")'
      : props.filtered
        ? 'no rows match the filter'
        : 'no failed logins in the window';
  return (
    <OffenderTable
      rows={props.rows}
      selected={props.selected}
      focused={props.focused}
      width={props.width}
      height={props.height}
      sort={props.sort}
      flagsOf={props.flagsOf}
      now={props.now}
      dim={props.stale}
      empty={empty}
    />
  );
}

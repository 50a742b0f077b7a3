// The header's badge when the console is not live: "AS OF 2026-12-02 03:00:00 UTC · not live",
// or the replay's time cursor "REPLAY 2026-12-02 03:04:30 UTC ▶ x60 · step 37/720 · not live".
// It takes the place of the connection badge ("updated 12h ago" would read as a stale live
// console) and never shrinks, so "not live" stays on screen at any width. The time is the
// detector's (the time travelled to), in UTC like every time in the data.
import { Text } from 'ink';
import { formatUtc } from '../../core/time-spec.js';
import { useUi } from '../draw/ui-context.js';
import { frameIndex, type Travel } from '../state/travel-state.js';

export function travelText(travel: Travel, ascii: boolean): string {
  const dot = ascii ? '-' : '·';
  if (travel.kind === 'as-of') {
    const loading = travel.pendingAt !== null ? ` ${dot} loading ${formatUtc(travel.pendingAt)}` : '';
    return `AS OF ${formatUtc(travel.at)} ${dot} not live${loading}`;
  }
  const state = travel.playing ? (ascii ? '>' : '▶') : ascii ? '||' : '‖';
  const index = frameIndex(travel);
  const loaded = travel.frames.length < travel.steps.length ? ` (${travel.frames.length} loaded)` : '';
  const shown = index >= 0 ? travel.frames[index]!.at : travel.cursor;
  return `REPLAY ${formatUtc(shown)} ${state} x${travel.speed} ${dot} step ${index + 1}/${travel.steps.length}${loaded} ${dot} not live`;
}

export function TravelBadge({ travel }: { travel: Travel }) {
  const { glyphs, theme } = useUi();
  return (
    <Text color={theme.warn} bold inverse>
      {` ${travelText(travel, glyphs.dot !== '·')} `}
    </Text>
  );
}

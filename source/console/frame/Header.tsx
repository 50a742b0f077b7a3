// Two header lines. First: backend and version, window, refresh interval, the last poll's
// server-side `took`, whether Slack is configured, and the connection state with "updated Ns
// ago" (fields that do not fit are dropped whole, least important first: header-fields.ts). Second: the cluster host and index pattern, or in
// their place the active prompt, the connection error, or the filter (messages: Footer).
import { Box, Text } from 'ink';
import { formatAge, formatDuration } from '../../core/duration.js';
import { sanitize } from '../../core/sanitize.js';
import { useUi } from '../draw/ui-context.js';
import { shortForm } from '../draw/wrap.js';
import { openPrompt } from '../prompts/index.js';
import { coverage } from '../state/coverage.js';
import { ingestLag, laggingServices } from '../state/ingest-lag.js';
import type { AppState } from '../state/state.js';
import { fitFields } from './header-fields.js';
import { StatusBadge } from './StatusBadge.js';
import { statusError, statusText } from './status-text.js';
import { TravelBadge, travelText } from './TravelBadge.js';

const BACKEND_NAME = { elasticsearch: 'Elasticsearch', opensearch: 'OpenSearch' } as const;

export function Header({ state, width, clock }: { state: AppState; width: number; clock?: () => number }) {
  const { glyphs } = useUi();
  const dot = ` ${glyphs.dot} `;
  const loaded = state.snapshot?.window.ms;
  const window =
    loaded !== undefined && loaded !== state.windowMs
      ? `window ${formatDuration(state.windowMs)} (loading)`
      : `window ${formatDuration(state.windowMs)}`;
  const backend = state.snapshot
    ? `${BACKEND_NAME[state.snapshot.backend.kind]} ${sanitize(state.snapshot.backend.version)}`
    : '';
  // The server's own time for the last poll's searches (the snapshot's `took`), exact.
  const took = state.snapshot ? `server took ${state.snapshot.took} ms` : '';
  const slack = state.escalation.configured ? 'Slack: configured' : 'Slack: not configured';
  const now = (clock ?? Date.now)();
  const badge = state.travel
    ? ` ${travelText(state.travel, glyphs.ascii)} `.length
    : badgeWidth(
        statusText(state.status, state.updatedAt, now, glyphs, state.refreshMs, coverage(state.snapshot)),
      );
  // The badge's age grows ("updated 9s ago" → "updated 10s ago") between renders: room for it.
  const room = width - badge - 1 - AGE_GROWTH;
  // Kept longest: the window (what the numbers mean), then whether `e` can reach Slack, then
  // the refresh; at 80 columns the backend name and the server took give way.
  const left = fitFields(
    [
      { text: 'soc-watch', keep: 0 },
      { text: backend, keep: 3 },
      { text: window, keep: 6 },
      { text: `every ${formatDuration(state.refreshMs)}`, keep: 4 },
      { text: took, keep: 1 },
      { text: slack, keep: 5 },
    ],
    room,
    dot,
  );
  return (
    <Box flexDirection="column" width={width} height={2}>
      <Box width={width}>
        <Box flexGrow={1} flexShrink={1} marginRight={1}>
          <Text wrap="truncate-end" bold>
            {left}
          </Text>
        </Box>
        <Box flexShrink={0}>
          {state.travel ? (
            <TravelBadge travel={state.travel} />
          ) : (
            <StatusBadge
              status={state.status}
              updatedAt={state.updatedAt}
              refreshMs={state.refreshMs}
              covered={coverage(state.snapshot)}
              {...(clock ? { clock } : {})}
            />
          )}
        </Box>
      </Box>
      <PromptLine state={state} width={width} />
    </Box>
  );
}

/** Extra columns an "updated Ns ago" may need before the header renders again. */
const AGE_GROWTH = 2;

function badgeWidth(text: { badge: string; age: string }): number {
  return text.badge.length + (text.age === '' ? 0 : 3 + text.age.length);
}

function PromptLine({ state, width }: { state: AppState; width: number }) {
  const { glyphs, theme } = useUi();
  const open = openPrompt(state);
  if (open?.prompt.Line) {
    const { Line } = open.prompt;
    return <Line state={state} overlay={open.overlay} />;
  }
  // Messages go to the footer line and the log (13 B14); this line keeps the cluster.
  const error = statusError(state.status);
  if (error) {
    // A long error (a TLS hint) shows its start and "(L for log)", never a silent cut.
    const text = state.snapshot ? `${error} (showing the last data)` : error;
    return (
      <Text wrap="truncate-end" color={theme.danger}>
        {shortForm(text, width, glyphs.ellipsis)}
      </Text>
    );
  }
  const covered = coverage(state.snapshot);
  const labels = (services: readonly string[]) =>
    services.map((name) => state.services.find((entry) => entry.name === name)?.label ?? name).join(', ');
  if (covered.noIndices.length > 0 || covered.partial) {
    const text = covered.nothing
      ? `index pattern ${sanitize(state.indexPattern)} matches no indices: nothing is being watched`
      : covered.noIndices.length > 0
        ? `${labels(covered.noIndices)}: the index pattern matches no indices (no data, not "no attacks")`
        : `${labels(covered.partialServices)}: ${covered.partial!.failed} of ${covered.partial!.total} shards failed; numbers may be low`;
    return (
      <Text wrap="truncate-end" color={covered.noIndices.length > 0 ? theme.danger : theme.warn}>
        {text}
      </Text>
    );
  }
  // A3: data stopped arriving must not look like "all clear".
  const silent = laggingServices(ingestLag(state.snapshot, state.silenceAlertMs));
  if (silent.length > 0) {
    const text = silent
      .map(
        (lag) => `${labels([lag.service])}: no events for ${formatAge(lag.ageMs ?? 0).replace(/ ago$/, '')}`,
      )
      .join(', ');
    return (
      <Text wrap="truncate-end" color={theme.warn}>
        {`${text} ${glyphs.ascii ? '-' : '—'} is the shipper running?`}
      </Text>
    );
  }
  if (state.filter !== '') {
    return (
      <Text wrap="truncate-end">
        <Text bold>{`filter: ${sanitize(state.filter)}`}</Text>
        <Text color={theme.muted}>{'  (/ edit, Esc clear)'}</Text>
      </Text>
    );
  }
  const dot = ` ${glyphs.dot} `;
  return (
    <Box>
      <Box flexGrow={1} flexShrink={1} marginRight={1}>
        <Text wrap="truncate-end">{`${sanitize(state.cluster)}${dot}${sanitize(state.indexPattern)}`}</Text>
      </Box>
      <Box flexShrink={0}>
        <Text color={theme.muted}>press ? for help</Text>
      </Box>
    </Box>
  );
}

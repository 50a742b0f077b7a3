// Two header lines. First: backend and version, window, refresh interval, and the
// connection state with "updated Ns ago". Second: the cluster host and index pattern, or in
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
import { StatusBadge } from './StatusBadge.js';
import { statusError } from './status-text.js';
import { TravelBadge } from './TravelBadge.js';

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
  const fields = ['soc-watch', backend, window, `every ${formatDuration(state.refreshMs)}`];
  const left = fields.filter((field) => field !== '').join(dot);
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

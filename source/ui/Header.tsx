// Two header lines. First: backend and version, window, refresh interval, and the
// connection state with "updated Ns ago". Second: the cluster host and index pattern, or in
// their place the active prompt, the latest message, the connection error, or the filter.
import { Box, Text } from 'ink';
import { formatAge, formatDuration } from '../core/duration.js';
import { sanitize } from '../core/sanitize.js';
import { ruleLabel } from './alert-columns.js';
import { WINDOW_PRESETS } from './handle-key.js';
import { selectedAlert } from './rows.js';
import { StatusBadge } from './StatusBadge.js';
import type { AppState } from './state.js';
import { statusError } from './status-text.js';
import { useUi } from './ui-context.js';

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
          <StatusBadge status={state.status} updatedAt={state.updatedAt} {...(clock ? { clock } : {})} />
        </Box>
      </Box>
      <PromptLine state={state} />
    </Box>
  );
}

function PromptLine({ state }: { state: AppState }) {
  const { glyphs, theme } = useUi();
  const cursor = glyphs.ascii ? '_' : '▏';
  const overlay = state.overlay;
  if (overlay?.kind === 'window') {
    return (
      <Text wrap="truncate-end">
        <Text bold>window: </Text>
        <Text inverse>{`${overlay.text}${cursor}`}</Text>
        {overlay.error ? (
          <Text color={theme.danger}>{`  ${overlay.error}`}</Text>
        ) : (
          <Text
            color={theme.muted}
          >{`  <- -> ${WINDOW_PRESETS.join(' ')}, or type e.g. 30m; Enter apply, Esc cancel`}</Text>
        )}
      </Text>
    );
  }
  if (overlay?.kind === 'filter') {
    return (
      <Text wrap="truncate-end">
        <Text bold>filter: </Text>
        <Text inverse>{`${sanitize(overlay.text)}${cursor}`}</Text>
        <Text color={theme.muted}>{'  IP, CIDR (10.0.0.0/8) or user; Enter keep, Esc undo'}</Text>
      </Text>
    );
  }
  if (overlay?.kind === 'mute') {
    return (
      <Text wrap="truncate-end">
        <Text bold>{`mute ${sanitize(overlay.target.label)} for: `}</Text>
        <Text inverse>{`${overlay.text}${cursor}`}</Text>
        {overlay.error ? (
          <Text color={theme.danger}>{`  ${overlay.error}`}</Text>
        ) : (
          <Text color={theme.muted}>{'  e.g. 30m, 1h, 1d; Enter mute, Esc cancel'}</Text>
        )}
      </Text>
    );
  }
  if (overlay?.kind === 'escalate') {
    const alert = state.alerts.find((candidate) => candidate.id === overlay.alertId) ?? selectedAlert(state);
    const what = alert ? `${ruleLabel(alert.rule)} ${sanitize(alert.key)}` : 'alert';
    const already =
      alert?.escalation?.kind === 'already'
        ? ` (already escalated by ${sanitize(alert.escalation.by)} ${formatAge(state.now - alert.escalation.at)})`
        : alert?.escalation?.kind === 'sent'
          ? ' (sent before: this sends an update)'
          : '';
    if (overlay.stage === 'note') {
      return (
        <Text wrap="truncate-end">
          <Text bold>note: </Text>
          <Text inverse>{`${sanitize(overlay.note)}${cursor}`}</Text>
          <Text color={theme.muted}>{'  Enter send, Esc cancel'}</Text>
        </Text>
      );
    }
    return (
      <Text wrap="truncate-end">
        <Text bold color={theme.warn}>{`Escalate ${what} to Slack?${already} `}</Text>
        <Text>{'y send  n add note  Esc cancel'}</Text>
      </Text>
    );
  }
  if (state.flash) {
    const colour =
      state.flash.tone === 'error' ? theme.danger : state.flash.tone === 'warn' ? theme.warn : undefined;
    return (
      <Text wrap="truncate-end" color={colour}>
        {sanitize(state.flash.text)}
      </Text>
    );
  }
  const error = statusError(state.status);
  if (error) {
    return (
      <Text wrap="truncate-end" color={theme.danger}>
        {state.snapshot ? `${error} (showing the last data)` : error}
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

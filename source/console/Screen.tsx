// The whole screen as a pure function of the state and the terminal size: header, one pane
// per service (side by side when wide), the alert feed and the footer, clamped to exactly
// the terminal height so nothing ever scrolls. Overlays (help, details) take the body.
import { Box } from 'ink';
import type { ReactNode } from 'react';
import type { Offender } from '../contracts/snapshot.js';
import { offenderFlags } from '../detect/detector.js';
import { thresholdFor } from '../detect/settings.js';
import type { Glyphs } from './draw/glyphs.js';
import { useUi } from './draw/ui-context.js';
import { AlertFeed } from './feed/AlertFeed.js';
import { isQuietAt } from './feed/alert-columns.js';
import { Footer } from './frame/Footer.js';
import { Header } from './frame/Header.js';
import { computeLayout } from './frame/layout.js';
import { TooSmall } from './frame/TooSmall.js';
import { keyContext } from './keys/handle-key.js';
import { DetailView } from './overlays/DetailView.js';
import { alertDetail, type DetailContent, offenderDetail } from './overlays/detail-lines.js';
import { HelpOverlay } from './overlays/HelpOverlay.js';
import { MessageLog } from './overlays/MessageLog.js';
import { ServicePane } from './panes/ServicePane.js';
import { timelineTiming } from './panes/spark.js';
import { ingestLag } from './state/ingest-lag.js';
import { alertsOfIp } from './state/operations.js';
import { ALERTS_PANE } from './state/panes.js';
import {
  alertList,
  alertRows,
  offenderRows,
  rowKeys,
  selectedAlert,
  selectedIndex,
  selectedOffender,
  serviceSnapshot,
} from './state/selectors.js';
import { type AppState, isStale } from './state/state.js';

export interface ScreenProps {
  state: AppState;
  columns: number;
  rows: number;
  /** Clock for "updated Ns ago" (tests pin it). */
  clock?: () => number;
}

export function Screen({ state, columns, rows, clock }: ScreenProps) {
  const { glyphs } = useUi();
  const layout = computeLayout(
    columns,
    rows,
    state.services.map((service) => service.name),
  );
  if (layout.kind === 'too-small') return <TooSmall columns={layout.need.columns} rows={layout.need.rows} />;
  const stale = isStale(state);
  const labelOf = (service: string) =>
    state.services.find((entry) => entry.name === service)?.label ?? service;
  // "Last seen" is relative to when the snapshot was fetched (so it only changes when data
  // does), not to the window's end: that end is rounded up to a timeline bucket (6 min at
  // 6 h, 12 h at 30 d), which made a failure 2 s old read "4m ago" at 6 h and "2h ago" at 30 d.
  const dataNow = state.snapshot ? Date.parse(state.snapshot.fetchedAt) : state.now;
  let body: ReactNode;
  const detail = state.overlay?.kind === 'detail' ? detailContent(state, labelOf, glyphs) : undefined;
  if (state.overlay?.kind === 'help') {
    body = <HelpOverlay width={columns} height={layout.body} offset={state.overlay.offset ?? 0} />;
  } else if (state.overlay?.kind === 'log') {
    body = (
      <MessageLog
        messages={state.messages}
        width={columns}
        height={layout.body}
        back={state.overlay.offset ?? 0}
      />
    );
  } else if (detail) {
    body = <DetailView content={detail} width={columns} height={layout.body} />;
  } else {
    const feedRows = alertRows(state);
    body = (
      <Box flexDirection="column" width={columns} height={layout.body}>
        {layout.grid.map((line) => (
          <Box key={line.map((box) => box.service).join('|')} flexDirection="row" columnGap={1}>
            {line.map((box) => {
              const rowsOf = offenderRows(state, box.service);
              const editing =
                state.overlay?.kind === 'threshold' && state.overlay.service === box.service
                  ? { text: state.overlay.text, error: state.overlay.error }
                  : null;
              const flagsOf = (offender: Offender) =>
                offenderFlags(state.detector, state.settings, box.service, offender, state.now);
              return (
                <ServicePane
                  key={box.service}
                  label={labelOf(box.service)}
                  data={serviceSnapshot(state, box.service)}
                  rows={rowsOf}
                  selected={selectedIndex(rowKeys(state, box.service), state.selection[box.service])}
                  focused={state.focus === box.service}
                  width={box.width}
                  height={box.rows}
                  threshold={thresholdFor(state.settings, box.service)}
                  editing={editing}
                  filtered={state.filter !== ''}
                  sort={state.sort[box.service]!}
                  flagsOf={flagsOf}
                  now={dataNow}
                  stale={stale}
                  loading={state.snapshot === null}
                  {...timelineTiming(state.snapshot)}
                  lag={ingestLag(state.snapshot, state.silenceAlertMs).find(
                    (lag) => lag.service === box.service,
                  )}
                />
              );
            })}
          </Box>
        ))}
        <AlertFeed
          rows={feedRows}
          total={alertList(state).length}
          selected={selectedIndex(
            feedRows.map((alert) => alert.id),
            state.selection[ALERTS_PANE],
          )}
          focused={state.focus === ALERTS_PANE}
          width={layout.feed.width}
          height={layout.feed.rows}
          sort={state.sort[ALERTS_PANE]!}
          filtered={state.filter !== ''}
          now={state.now}
          labelOf={labelOf}
          stale={stale}
          hidden={
            state.hideQuiet ? alertList(state).filter((alert) => isQuietAt(alert, state.now)).length : 0
          }
        />
      </Box>
    );
  }
  return (
    <Box flexDirection="column" width={columns} height={rows} overflow="hidden">
      <Header state={state} width={columns} {...(clock ? { clock } : {})} />
      {body}
      <Footer context={keyContext(state)} width={columns} message={state.flash} />
    </Box>
  );
}

function detailContent(
  state: AppState,
  labelOf: (service: string) => string,
  glyphs: Glyphs,
): DetailContent | undefined {
  if (state.focus === ALERTS_PANE) {
    const alert = selectedAlert(state);
    if (!alert) return undefined;
    return alertDetail({
      alert,
      serviceLabel: labelOf(alert.service),
      kibana: state.kibana,
      now: state.now,
      glyphs,
    });
  }
  const service = state.focus;
  const offender = selectedOffender(state, service);
  if (!offender) return undefined;
  return offenderDetail({
    offender,
    serviceLabel: labelOf(service),
    flags: offenderFlags(state.detector, state.settings, service, offender, state.now),
    threshold: thresholdFor(state.settings, service),
    alerts: alertsOfIp(state, service, offender.ip),
    window: state.snapshot?.window,
    kibana: state.kibana,
    now: state.now,
    glyphs,
  });
}

// The live console's session: the thin I/O shell around the pure parts. It starts the
// poller (which connects, polls and recovers by itself), feeds every poll into the store as
// one dispatch, runs the effects that keys return (persist a threshold or the window, pause,
// refresh, escalate to Slack), and owns the terminal: whatever ends the session (q, Ctrl+C,
// SIGTERM, SIGHUP, a crash) unmounts Ink, turns raw mode off, shows the cursor, aborts the
// query in flight, closes the client and lets the process exit. What it starts lives beside
// it: travel.ts (not live: as of / replay, instead of the poller), row-details-fetcher.ts,
// escalations.ts, and alert-file.ts / mute-file.ts (what outlives the session).
import { render } from 'ink';
import { createClusterClient } from '../cluster/client.js';
import { createPoller, type Poller } from '../cluster/poller.js';
import { clusterName } from '../cluster/redact.js';
import { shareSettings } from '../cluster/share/share-settings.js';
import type { CommandContext } from '../config/command-context.js';
import { formatDuration } from '../core/duration.js';
import { sanitize } from '../core/sanitize.js';
import type { KnownAlert } from '../detect/known.js';
import type { Mute } from '../detect/mutes.js';
import { detectionSettings } from '../detect/settings.js';
import { createEscalator, NOT_CONFIGURED_HINT, slackWebhookConfigured } from '../slack/escalator.js';
import { App } from './App.js';
import { alertFilePath, keepAlertFile, readAlertFile } from './alert-file.js';
import { chooseGlyphs } from './draw/glyphs.js';
import { clipboardSequence, supportsHyperlinks } from './draw/osc.js';
import { chooseTheme } from './draw/theme.js';
import { UiContext } from './draw/ui-context.js';
import { createEscalations } from './escalations.js';
import { exportEvidence } from './evidence.js';
import { keepMuteFile, muteFilePath, readMuteFile } from './mute-file.js';
import { startRowDetailsFetcher } from './row-details-fetcher.js';
import type { Effect } from './state/effects.js';
import { type AppState, initialState } from './state/state.js';
import { createStore, sayTo } from './state/store.js';
import { type NotLive, startNotLive, type TravelSpec, withTravel } from './travel.js';

/** Frames per second at most: plenty for data that changes every few seconds, kind to SSH. */
export const MAX_FPS = 12;
/** How long quitting waits for Slack deliveries in flight, and for the client to close. */
const FLUSH_MS = 4000;
const CLOSE_MS = 2000;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SHOW_CURSOR = '\u001b[?25h';
const LEAVE_ALTERNATE_SCREEN = '\u001b[?1049l';

function withTimeout(promise: Promise<unknown> | undefined, ms: number): Promise<unknown> {
  if (!promise) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise.catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

function liveState(
  ctx: CommandContext,
  mutes: readonly Mute[],
  known: ReadonlyMap<string, KnownAlert>,
): AppState {
  const { config } = ctx;
  const configured = slackWebhookConfigured(config, ctx.secrets);
  return initialState({
    now: Date.now(),
    services: config.services.map((service) => ({ name: service.name, label: service.label })),
    cluster: clusterName(config.nodes),
    indexPattern: config.indexPattern,
    refreshMs: config.refreshMs,
    windowMs: config.windowMs,
    kibana: config.kibanaUrl
      ? { url: config.kibanaUrl, ipField: config.fields.sourceIp, userField: config.fields.user }
      : null,
    settings: detectionSettings(config),
    escalation: { configured, hint: configured ? 'Slack: configured' : NOT_CONFIGURED_HINT },
    mutes,
    known,
    ...(config.silenceAlertMs === undefined ? {} : { silenceAlertMs: config.silenceAlertMs }),
  });
}

/** `travelSpec`: not live, "as of" a time or a replay of a period (travel.ts); nothing is polled. */
export async function runSession(ctx: CommandContext, travelSpec?: TravelSpec): Promise<number> {
  const { config, secrets } = ctx;
  const stdin = ctx.stdin as NodeJS.ReadStream;
  const stdout = ctx.stdout as NodeJS.WriteStream;
  const muteFile = ctx.configDirectory ? muteFilePath(ctx.configDirectory) : null;
  const kept = muteFile ? readMuteFile(muteFile, Date.now()) : { mutes: [], problems: [] };
  // Only the live console keeps its alerts: as of a past time or in a replay they are not now's.
  const alertFile = ctx.configDirectory && !travelSpec ? alertFilePath(ctx.configDirectory) : null;
  const shown = alertFile ? readAlertFile(alertFile) : { known: new Map(), problems: [] };
  const live = liveState(ctx, kept.mutes, shown.known);
  const store = createStore(travelSpec ? withTravel(live, travelSpec, ctx) : live);
  const glyphs = chooseGlyphs({
    asciiFlag: ctx.flags.ascii === true,
    configAscii: config.ascii,
    env: process.env,
  });
  const theme = chooseTheme(process.env);
  const flash = sayTo(store);

  if (kept.problems.length > 0) flash(`mutes: ${sanitize(kept.problems.join('; '))}`, 'warn');
  if (shown.problems.length > 0) flash(`alerts: ${sanitize(shown.problems.join('; '))}`, 'warn');
  // Live alerts outlive the session too: after a restart they are not all `new` again (A5).
  if (alertFile) keepAlertFile(store, alertFile, flash);
  // Mutes outlive the session (a dropped SSH link must not un-silence a scanner).
  if (muteFile) keepMuteFile(store, muteFile, flash);

  // Aborted when the session ends: stops syncing and the poller.
  const lifetime = new AbortController();
  // Aborted when quitting has waited long enough for Slack deliveries.
  const flushDeadline = new AbortController();
  const escalations = createEscalations({
    store,
    lifetime: lifetime.signal,
    flushDeadline: flushDeadline.signal,
  });

  let lastWarnings = '';
  // Consoles of this user on this host with the same settings share each poll.
  const sharing = shareSettings(config, secrets);
  if (!sharing.ok && config.sharePolls !== false)
    flash(`polls not shared with other consoles: ${sanitize(sharing.reason)}`, 'warn');
  const poller: Poller = createPoller({
    config,
    ...(sharing.ok
      ? { share: { socketPath: sharing.socketPath, onRole: (_role, detail) => flash(`polls: ${detail}`) } }
      : {}),
    connect: (signal) => createClusterClient(config, secrets, { signal }),
    // The audit trail is read after every poll: shared with this host's other consoles as the
    // polls are (one read for all), or read here.
    onConnected: (client) =>
      escalations.attach(
        createEscalator({
          client,
          config,
          secrets,
          sharedRead: (name, local, signal) => poller.read(name, local, signal),
        }),
      ),
    // The window's one home is the state: the poller reads it at every poll.
    windowMs: () => store.getState().windowMs,
    onResult: ({ snapshot, slowSnapshot }) => {
      store.dispatch({ type: 'poll', snapshot, slowSnapshot, now: Date.now() });
      const warnings = (snapshot.warnings ?? []).join('; ');
      if (warnings !== lastWarnings) {
        lastWarnings = warnings;
        if (warnings !== '') flash(`warning: ${sanitize(warnings)}`, 'warn');
      }
      void escalations.sync();
    },
    onStatus: (status) => store.dispatch({ type: 'status', status, now: Date.now() }),
  });

  const notLive: NotLive | null = travelSpec
    ? startNotLive(ctx, store, travelSpec, lifetime.signal, flash)
    : null;
  // A4: details of shown rows beyond the busiest IPs.
  startRowDetailsFetcher({
    store,
    config,
    client: () => poller.client,
    lifetime: lifetime.signal,
    say: flash,
  });

  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  let ending = false;

  const onEffect = (effect: Effect) => {
    if (notLive?.handle(effect)) return;
    switch (effect.kind) {
      case 'travel-at':
        return;
      case 'quit':
        void end(effect.code ?? 0);
        return;
      case 'pause':
        poller.pause();
        return;
      case 'resume':
        poller.resume();
        return;
      case 'refresh':
        poller.refreshNow();
        return;
      case 'persist-threshold':
        try {
          ctx.persist.set(`thresholds.${effect.service}`, effect.value);
        } catch (error) {
          flash(`threshold applied but not saved: ${(error as Error).message}`, 'error');
        }
        return;
      case 'set-window':
        try {
          ctx.persist.set('window', formatDuration(effect.ms));
        } catch (error) {
          flash(`window applied but not saved: ${(error as Error).message}`, 'error');
        }
        poller.windowChanged();
        return;
      case 'escalate':
        escalations.escalate(effect.alertId, effect.note, effect.force);
        return;
      case 'copy':
        // OSC 52: the analyst's terminal sets its clipboard (over SSH too); sanitized text only.
        try {
          stdout.write(clipboardSequence(effect.text, process.env));
        } catch {
          // terminal gone: the session ends through the stream's error
        }
        return;
      case 'evidence': {
        const result = exportEvidence(ctx, store.getState(), effect.alertId, Date.now());
        flash(result.text, result.ok ? 'info' : 'error');
        return;
      }
    }
  };

  const instance = render(
    <UiContext value={{ glyphs, theme, hyperlinks: supportsHyperlinks(process.env) }}>
      <App store={store} onEffect={onEffect} />
    </UiContext>,
    {
      stdout,
      stdin,
      stderr: ctx.stderr,
      exitOnCtrlC: false,
      patchConsole: true,
      incrementalRendering: true,
      maxFps: MAX_FPS,
      alternateScreen: true,
      // Both ends were checked to be terminals; a CI variable must not turn drawing off.
      interactive: true,
    },
  );

  // A dropped SSH session makes terminal writes fail (EIO/EPIPE): that must end the session,
  // not crash it.
  const onStreamError = () => void end(129);
  stdout.on('error', onStreamError);
  const onSignal = (signal: NodeJS.Signals) =>
    void end(signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143);
  const onCrash = (error: unknown) => void end(1, error);
  const onAbort = () => void end(130);
  // Signals end the session through `end` alone. Other listeners are removed while the
  // console runs: `when-exit` (conf → atomically) re-kills the process on SIGTERM/SIGHUP/
  // SIGINT before the poller is stopped or Slack deliveries are flushed. Their exit-time
  // cleanup still runs, because `end` lets the process exit normally.
  for (const signal of SIGNALS) {
    process.removeAllListeners(signal);
    process.on(signal, onSignal);
  }
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  ctx.signal.addEventListener('abort', onAbort, { once: true });

  async function end(code: number, crash?: unknown) {
    if (ending) return;
    ending = true;
    lifetime.abort();
    // The terminal first: the analyst gets the shell back while sockets close.
    let unmounted = true;
    try {
      instance.unmount();
    } catch {
      unmounted = false;
    }
    try {
      if (stdin.isTTY && typeof stdin.setRawMode === 'function') stdin.setRawMode(false);
    } catch {
      // stdin already gone (SIGHUP)
    }
    try {
      stdout.write(unmounted ? SHOW_CURSOR : LEAVE_ALTERNATE_SCREEN + SHOW_CURSOR);
    } catch {
      // terminal gone
    }
    stdin.pause();
    instance.cleanup();
    if (crash !== undefined) {
      const message = crash instanceof Error ? (crash.stack ?? crash.message) : String(crash);
      ctx.stderr.write(`soc-watch: crashed: ${message.split('\n').map(sanitize).join('\n')}\n`);
    }
    const client = poller.client;
    await withTimeout(Promise.all([poller.stop(), notLive?.stop()]), CLOSE_MS);
    if (escalations.pending.size > 0) {
      ctx.stderr.write(`soc-watch: finishing ${escalations.pending.size} Slack escalation(s)...\n`);
    }
    // Sends get FLUSH_MS to finish; then every audit record is left in a final state
    // (failed, or unknown if the message may have gone), never `pending` (issue 12.2).
    await withTimeout(
      Promise.all([Promise.allSettled([...escalations.pending]), escalations.close(FLUSH_MS)]),
      FLUSH_MS + CLOSE_MS,
    );
    flushDeadline.abort();
    await withTimeout(client?.close(), CLOSE_MS);
    // The removed listeners are not put back: the process is about to exit, and a signal
    // from here on may end it the default way.
    for (const signal of SIGNALS) process.off(signal, onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    ctx.signal.removeEventListener('abort', onAbort);
    stdout.off('error', onStreamError);
    finish(crash !== undefined ? 1 : code);
  }

  // Ink can end on its own: a render error is caught by its error boundary, which unmounts.
  // Then the session must end too, or the poller would keep a process with no screen alive.
  instance.waitUntilExit().then(
    () => void end(0),
    (error: unknown) => void end(1, error),
  );
  // Not live: the travel shell fetches what the time shown needs; nothing polls.
  if (!notLive) poller.start();
  return finished;
}

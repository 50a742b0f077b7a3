// `soc-watch` (no command): the live console. This is the I/O shell around the pure parts:
// it connects (retrying while the cluster is down), runs the poller, feeds every poll into
// the store as one dispatch, runs the effects of key presses (persist a threshold or the
// window, pause, refresh, escalate to Slack), and owns the terminal: whatever ends the
// session (q, Ctrl+C, SIGTERM, SIGHUP, a crash) unmounts Ink, turns raw mode off, shows the
// cursor, aborts the query in flight, closes the client and lets the process exit.
import { render } from 'ink';
import { backoffDelay, DEFAULT_BACKOFF, isTransient } from '../cluster/backoff.js';
import { createClusterClient } from '../cluster/client.js';
import { toClusterError } from '../cluster/errors.js';
import { createPoller, type Poller } from '../cluster/poller.js';
import { clusterName } from '../cluster/redact.js';
import type { ClusterClient } from '../cluster/types.js';
import { muteFilePath, readMuteFile, writeMuteFile } from '../console/mute-file.js';
import { formatDuration } from '../core/duration.js';
import { sanitize } from '../core/sanitize.js';
import type { Mute } from '../detect/mutes.js';
import { detectionSettings } from '../detect/settings.js';
import {
  createEscalator,
  type Escalator,
  NOT_CONFIGURED_HINT,
  slackWebhookConfigured,
} from '../slack/escalator.js';
import { escalationStateId } from '../slack/record.js';
import { App } from '../ui/App.js';
import { chooseGlyphs } from '../ui/glyphs.js';
import type { Effect } from '../ui/handle-key.js';
import { type AppState, initialState, type RemoteEscalation } from '../ui/state.js';
import { createStore } from '../ui/store.js';
import { chooseTheme } from '../ui/theme.js';
import { UiContext } from '../ui/ui-context.js';
import type { Command, CommandContext } from './context.js';

/** Frames per second at most: plenty for data that changes every few seconds, kind to SSH. */
export const MAX_FPS = 12;
/** How long quitting waits for Slack deliveries in flight, and for the client to close. */
const FLUSH_MS = 4000;
const CLOSE_MS = 2000;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SHOW_CURSOR = '\u001b[?25h';
const LEAVE_ALTERNATE_SCREEN = '\u001b[?1049l';

export const NOT_A_TTY =
  'soc-watch: the live console needs an interactive terminal (stdin and stdout must be a TTY).\n' +
  'For a one-shot report use `soc-watch once`, or `soc-watch once --json` for scripts.\n';

export const consoleCommand: Command = async (ctx) => {
  // Ink would throw "Raw mode is not supported" on a pipe; say what to do instead.
  if (!ctx.stdin.isTTY || !ctx.stdout.isTTY) {
    ctx.stderr.write(NOT_A_TTY);
    return 2;
  }
  return runConsole(ctx);
};

function withTimeout(promise: Promise<unknown> | undefined, ms: number): Promise<unknown> {
  if (!promise) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise.catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function startState(ctx: CommandContext, mutes: readonly Mute[]): AppState {
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
  });
}

async function runConsole(ctx: CommandContext): Promise<number> {
  const { config, secrets } = ctx;
  const stdin = ctx.stdin as NodeJS.ReadStream;
  const stdout = ctx.stdout as NodeJS.WriteStream;
  const muteFile = ctx.configDirectory ? muteFilePath(ctx.configDirectory) : null;
  const kept = muteFile ? readMuteFile(muteFile, Date.now()) : { mutes: [], problems: [] };
  const store = createStore(startState(ctx, kept.mutes));
  const glyphs = chooseGlyphs({
    asciiFlag: ctx.flags.ascii === true,
    configAscii: config.ascii,
    env: process.env,
  });
  const theme = chooseTheme(process.env);
  const flash = (text: string, tone: 'info' | 'warn' | 'error' = 'info') =>
    store.dispatch({ type: 'flash', text, tone, now: Date.now() });

  // Mutes outlive the session (a dropped SSH link must not un-silence a scanner): the file is
  // rewritten whenever the set changes, which only analyst keys and expiries do.
  if (kept.problems.length > 0) flash(`mutes: ${sanitize(kept.problems.join('; '))}`, 'warn');
  let savedMutes = store.getState().detector.mutes;
  store.subscribe(() => {
    const { mutes } = store.getState().detector;
    if (mutes === savedMutes || !muteFile) return;
    savedMutes = mutes;
    try {
      writeMuteFile(muteFile, mutes, Date.now());
    } catch (error) {
      flash(`mute applied but not saved: ${sanitize((error as Error).message)}`, 'error');
    }
  });

  // Aborted when the session ends: stops connecting, syncing and the poller.
  const lifetime = new AbortController();
  // Aborted when quitting has waited long enough for Slack deliveries.
  const flushDeadline = new AbortController();
  const deliveries = new Set<Promise<unknown>>();
  let client: ClusterClient | null = null;
  let poller: Poller | null = null;
  let escalator: Escalator | null = null;
  let windowMs = config.windowMs;
  let wantPaused = false;

  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  let ending = false;

  const onEffect = (effect: Effect) => {
    switch (effect.kind) {
      case 'quit':
        void end(0);
        return;
      case 'pause':
        wantPaused = true;
        if (poller) poller.pause();
        else store.dispatch({ type: 'status', status: { kind: 'paused' }, now: Date.now() });
        return;
      case 'resume':
        wantPaused = false;
        if (poller) poller.resume();
        else store.dispatch({ type: 'status', status: { kind: 'connecting' }, now: Date.now() });
        return;
      case 'refresh':
        poller?.refreshNow();
        return;
      case 'persist-threshold':
        try {
          ctx.persist.set(`thresholds.${effect.service}`, effect.value);
        } catch (error) {
          flash(`threshold applied but not saved: ${(error as Error).message}`, 'error');
        }
        return;
      case 'set-window':
        windowMs = effect.ms;
        try {
          ctx.persist.set('window', formatDuration(effect.ms));
        } catch (error) {
          flash(`window applied but not saved: ${(error as Error).message}`, 'error');
        }
        poller?.setWindow(effect.ms);
        return;
      case 'escalate':
        escalate(effect.alertId, effect.note);
        return;
    }
  };

  function escalate(alertId: string, note: string | undefined) {
    const alert = store.getState().alerts.find((candidate) => candidate.id === alertId);
    if (!alert) return flash('that alert is gone', 'warn');
    if (!escalator) return flash('not connected to the cluster yet: try again in a moment', 'warn');
    const sending = () =>
      store.dispatch({
        type: 'escalation',
        alertId,
        status: { kind: 'sending', since: Date.now() },
        now: Date.now(),
      });
    sending();
    const stateId = escalationStateId(alert);
    const delivery = escalator
      .escalate(alert, { ...(note ? { note } : {}), signal: flushDeadline.signal, onSending: sending })
      .then((status) => {
        store.dispatch({ type: 'escalation', alertId, status, now: Date.now(), stateId });
        if (status.kind === 'failed') flash(`Slack: not delivered: ${sanitize(status.reason)}`, 'error');
        else if (status.kind === 'already') flash(`already escalated by ${sanitize(status.by)}`, 'info');
        else if (status.kind === 'sent')
          flash(status.update ? 'Slack: update sent' : 'Slack: escalated', 'info');
      })
      .catch((error: unknown) => {
        const reason = sanitize((error as Error)?.message ?? String(error));
        store.dispatch({
          type: 'escalation',
          alertId,
          status: { kind: 'failed', at: Date.now(), reason },
          now: Date.now(),
        });
        flash(`Slack: not delivered: ${reason}`, 'error');
      });
    deliveries.add(delivery);
    void delivery.finally(() => deliveries.delete(delivery));
  }

  let syncing = false;
  async function syncEscalations() {
    if (!escalator || syncing || lifetime.signal.aborted) return;
    syncing = true;
    try {
      const records = await escalator.sync({ signal: lifetime.signal });
      const remote = new Map<string, RemoteEscalation>();
      for (const [alertId, record] of records) {
        if (record.delivery !== 'failed') {
          remote.set(alertId, {
            by: record.by,
            at: record.at,
            ...(record.escalationId ? { stateId: record.escalationId } : {}),
          });
        }
      }
      if (!lifetime.signal.aborted)
        store.dispatch({ type: 'escalations-synced', records: remote, now: Date.now() });
    } catch {
      // The audit index is best effort for display; escalate() itself re-checks before sending.
    } finally {
      syncing = false;
    }
  }

  let lastWarnings = '';
  async function connect() {
    let attempt = 0;
    const context = { cluster: clusterName(config.nodes), timeoutMs: config.requestTimeoutMs, secrets };
    while (!lifetime.signal.aborted) {
      try {
        client = await createClusterClient(config, secrets, { signal: lifetime.signal });
        break;
      } catch (caught) {
        if (lifetime.signal.aborted) return;
        const error = toClusterError(caught, context);
        attempt += 1;
        const transient = isTransient(error.kind);
        const delay = transient ? backoffDelay(attempt, DEFAULT_BACKOFF) : DEFAULT_BACKOFF.maxMs;
        store.dispatch({
          type: 'status',
          status: transient
            ? { kind: 'reconnecting', attempt, nextTryAt: Date.now() + delay, error }
            : { kind: 'error', error },
          now: Date.now(),
        });
        await sleep(delay, lifetime.signal);
      }
    }
    if (!client) return;
    if (lifetime.signal.aborted) {
      await client.close().catch(() => undefined);
      return;
    }
    escalator = createEscalator({ client, config, secrets });
    if (escalator.warnings.length > 0) flash(escalator.warnings.join('; '), 'warn');
    poller = createPoller({
      client,
      config: { ...config, windowMs },
      onResult: ({ snapshot, slowSnapshot }) => {
        store.dispatch({ type: 'poll', snapshot, slowSnapshot, now: Date.now() });
        const warnings = (snapshot.warnings ?? []).join('; ');
        if (warnings !== lastWarnings) {
          lastWarnings = warnings;
          if (warnings !== '') flash(`warning: ${sanitize(warnings)}`, 'warn');
        }
        void syncEscalations();
      },
      onStatus: (status) => store.dispatch({ type: 'status', status, now: Date.now() }),
    });
    poller.start();
    if (wantPaused) poller.pause();
  }

  const instance = render(
    <UiContext value={{ glyphs, theme }}>
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
    await withTimeout(poller?.stop(), CLOSE_MS);
    if (deliveries.size > 0) {
      ctx.stderr.write(`soc-watch: finishing ${deliveries.size} Slack escalation(s)...\n`);
      await withTimeout(Promise.allSettled([...deliveries]), FLUSH_MS);
      flushDeadline.abort();
    }
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
  void connect().catch((error: unknown) => void end(1, error));
  return finished;
}

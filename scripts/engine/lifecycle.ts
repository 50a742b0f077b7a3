// Servers must not outlive the process that started them. Layers, from gentle to blunt:
//  1. the caller's stop();
//  2. SIGINT/SIGTERM/SIGHUP when nobody else handles them: stop all gracefully, then re-raise;
//  3. process 'exit' (normal end, process.exit(), uncaught error): SIGKILL synchronously;
//  4. the per-instance watchdog (our death by SIGKILL);
//  5. the sweep at the next start (everything above failed, e.g. the machine rebooted).
// Layers 1–3 live here.

export interface Tracked {
  /** Graceful stop that deletes the instance. */
  stop(): Promise<void>;
  /** Synchronous last resort: SIGKILL the server and delete the instance. */
  stopNow(): void;
}

const live = new Set<Tracked>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const GRACEFUL_LIMIT_MS = 15_000;
let installed = false;
let shuttingDown = false;

function onExit(): void {
  for (const server of live) server.stopNow();
  live.clear();
}

function reraise(signal: NodeJS.Signals): void {
  uninstall();
  // With no listener left, the default action ends the process with the signal's exit status.
  process.kill(process.pid, signal);
}

function onSignal(signal: NodeJS.Signals): void {
  if (shuttingDown) {
    // Second signal while stopping gracefully: no more patience.
    onExit();
    reraise(signal);
    return;
  }
  // Someone else owns this signal (vitest, the CLI, the demo): they decide how to stop, and
  // whether the process exits; if it does, the exit hook still kills what is left.
  if (process.listenerCount(signal) > 1) return;
  shuttingDown = true;
  const servers = [...live];
  const limit = new Promise<void>((resolve) => setTimeout(resolve, GRACEFUL_LIMIT_MS).unref());
  void Promise.race([Promise.allSettled(servers.map((server) => server.stop())), limit]).then(() => {
    onExit();
    reraise(signal);
  });
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Registers a running server; returns the function that unregisters it. */
export function track(server: Tracked): () => void {
  live.add(server);
  install();
  return () => {
    live.delete(server);
    // Without servers, stop changing what signals do to this process.
    if (live.size === 0 && !shuttingDown) uninstall();
  };
}

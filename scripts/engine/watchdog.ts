// A watchdog per instance directory: a tiny shell that blocks reading a pipe from us. The kernel
// closes the pipe however we die (kill -9 included), the read returns, and the shell stops every
// process whose command line names the instance directory, then deletes that directory. It lives
// from the directory's creation to its deletion, so no window is left uncovered (startup, a
// kill()/start() gap, a graceful stop that is itself interrupted). A clean stop dismisses it.
import { type ChildProcess, spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { signalProcess } from './processes.js';

// The directory comes in through the environment, not argv, so the watchdog's own command line
// does not match it.
const SCRIPT = `
signal_all() {
  found=1
  for f in /proc/[0-9]*/cmdline; do
    pid=\${f#/proc/}; pid=\${pid%/cmdline}
    [ "$pid" = "$$" ] && continue
    case "$(tr '\\000' '\\n' < "$f" 2>/dev/null)" in
      *"$SOC_WATCH_INSTANCE"*) found=0; kill -s "$1" "$pid" 2>/dev/null ;;
    esac
  done
  return $found
}
read -r _ || true
signal_all TERM
n=0
while [ "$n" -lt 100 ] && signal_all 0; do sleep 0.2; n=$((n + 1)); done
signal_all KILL
sleep 0.5
rm -rf -- "$SOC_WATCH_INSTANCE"
`;

export interface Watchdog {
  /** Ends the watchdog without it doing anything (the caller has cleaned up). */
  dismiss(): void;
}

export function startWatchdog(instanceDir: string): Watchdog {
  const child: ChildProcess = spawn('sh', ['-c', SCRIPT, 'soc-watch-engine-watchdog'], {
    // Its own session: a Ctrl+C meant for us must not trigger it early.
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { PATH: '/usr/bin:/bin', SOC_WATCH_INSTANCE: instanceDir },
  });
  // Neither the process nor the pipe may keep our event loop alive.
  child.unref();
  if (child.stdin instanceof Socket) child.stdin.unref();
  child.on('error', () => {}); // spawn failure: the exit hook and the next start's sweep still clean up
  return {
    dismiss() {
      // SIGKILL first, then close the pipe: it must not see EOF while alive.
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        signalProcess(child.pid, 'SIGKILL');
      }
      child.stdin?.destroy();
    },
  };
}

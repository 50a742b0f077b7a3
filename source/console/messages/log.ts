// The message log: every message the console showed (key results, Slack outcomes, warnings,
// connection errors), with the console's clock time, kept after the one-line message is
// gone or was too long for the line. L opens it (overlays/MessageLog.tsx). Pure.
import type { AppState, Flash } from '../state/state.js';

/** Messages kept: a shift's worth of key results and warnings, a few kB. */
export const LOG_SIZE = 200;

/** The log with one more message; a repeat of the last one only moves its time. */
export function appendMessage(messages: readonly Flash[], entry: Flash): readonly Flash[] {
  const last = messages.at(-1);
  if (last && last.text === entry.text && last.tone === entry.tone) {
    return [...messages.slice(0, -1), entry];
  }
  const next = [...messages, entry];
  return next.length > LOG_SIZE ? next.slice(next.length - LOG_SIZE) : next;
}

/** Show a message on the message line and keep it in the log. */
export function logMessage(state: AppState, text: string, tone: Flash['tone'], now: number): AppState {
  const entry: Flash = { text, tone, at: now };
  return { ...state, flash: entry, messages: appendMessage(state.messages, entry) };
}

/** Keep a message in the log without putting it on the message line (e.g. a connection error, which the header shows). */
export function recordMessage(state: AppState, text: string, tone: Flash['tone'], now: number): AppState {
  return { ...state, messages: appendMessage(state.messages, { text, tone, at: now }) };
}

/** `14:03:27` of the console's clock (local time): every log line says whose time it is. */
export function consoleClock(at: number): string {
  const date = new Date(at);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

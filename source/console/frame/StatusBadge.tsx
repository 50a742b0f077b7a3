// The connection state and "updated Ns ago". The only part of the screen with a timer: it
// re-renders itself (not the app) at most once a second, and only when its text changes.
import { Text } from 'ink';
import { useEffect, useReducer, useRef } from 'react';
import type { PollerStatus } from '../../cluster/poller.js';
import { useUi } from '../draw/ui-context.js';
import type { Coverage } from '../state/coverage.js';
import { statusText } from './status-text.js';

export interface StatusBadgeProps {
  status: PollerStatus;
  updatedAt: number | null;
  /** The poll interval: a poll not answered a refresh after the last is overdue. */
  refreshMs?: number;
  /** What the last poll covered (no indices, failed shards). */
  covered?: Pick<Coverage, 'nothing' | 'partial'>;
  clock?: () => number;
}

export function StatusBadge({ status, updatedAt, refreshMs, covered, clock = Date.now }: StatusBadgeProps) {
  const { glyphs, theme } = useUi();
  const [, tick] = useReducer((count: number) => count + 1, 0);
  const shown = useRef('');
  const text = statusText(status, updatedAt, clock(), glyphs, refreshMs, covered);
  shown.current = `${text.badge}|${text.age}`;
  const ticking = updatedAt !== null || status.kind === 'reconnecting';
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => {
      const next = statusText(status, updatedAt, clock(), glyphs, refreshMs, covered);
      // Render only when the text would change ("5m ago" stays put for a minute).
      if (`${next.badge}|${next.age}` !== shown.current) tick();
    }, 1000);
    timer.unref();
    return () => clearInterval(timer);
  }, [ticking, status, updatedAt, refreshMs, covered, clock, glyphs]);
  const colour =
    text.tone === 'ok'
      ? theme.ok
      : text.tone === 'warn'
        ? theme.warn
        : text.tone === 'danger'
          ? theme.danger
          : theme.muted;
  return (
    <Text wrap="truncate-end">
      <Text color={colour} bold>
        {text.badge}
      </Text>
      {text.age === '' ? '' : ` ${glyphs.dot} ${text.age}`}
    </Text>
  );
}

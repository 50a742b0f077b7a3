// `e`: escalate to Slack. First a confirmation (y send, n add a note, Esc cancel), then, if
// asked for, a one-line note.
import { Text } from 'ink';
import { formatAge } from '../../core/duration.js';
import { sanitize } from '../../core/sanitize.js';
import { useUi } from '../draw/ui-context.js';
import { ruleLabel } from '../feed/alert-columns.js';
import { type KeyResult, none, withFlash, withOverlay } from '../state/effects.js';
import { alertList, selectedAlert } from '../state/selectors.js';
import type { AppState } from '../state/state.js';
import { PromptText } from './line.js';
import type { Prompt, PromptOverlay } from './prompt.js';

export const escalatePrompt: Prompt<'escalate'> = {
  kind: 'escalate',
  accepts: { allowed: /^.$/u, max: 280 },
  text: (overlay) => overlay.note,
  edit: (state, overlay, note) => withOverlay(state, { ...overlay, note }),
  submit(state, overlay) {
    const note = overlay.note.trim();
    return {
      state: withOverlay(state, null),
      effects: [{ kind: 'escalate', alertId: overlay.alertId, note: note === '' ? undefined : note }],
    };
  },
  Line: EscalateLine,
};

/** `y` at the confirmation: send without a note. */
export function confirmEscalation(state: AppState): KeyResult {
  const overlay = state.overlay;
  if (overlay?.kind !== 'escalate') return none(state);
  return {
    state: withOverlay(state, null),
    effects: [
      {
        kind: 'escalate',
        alertId: overlay.alertId,
        note: undefined,
        ...(overlay.resend === undefined ? {} : { force: true }),
      },
    ],
  };
}

/** `n` at the confirmation: type a note first; or, asked whether to send again, no. */
export function addNote(state: AppState, now: number): KeyResult {
  const overlay = state.overlay;
  if (overlay?.kind !== 'escalate') return none(state);
  if (overlay.resend !== undefined) return none(withFlash(withOverlay(state, null), 'not sent again', now));
  return none(withOverlay(state, { ...overlay, stage: 'note' }));
}

function EscalateLine({ state, overlay }: { state: AppState; overlay: PromptOverlay<'escalate'> }) {
  const { theme } = useUi();
  if (overlay.stage === 'note') {
    return <PromptText label="note: " text={sanitize(overlay.note)} hint="Enter send, Esc cancel" />;
  }
  if (overlay.resend !== undefined) {
    // The question first and whole: it is the part that must never be cut.
    return (
      <Text wrap="truncate-end">
        <Text bold color={theme.warn}>
          {'Slack did not answer: it may have been posted. Send again? y/n '}
        </Text>
        <Text color={theme.muted}>{sanitize(overlay.resend)}</Text>
      </Text>
    );
  }
  const alert =
    alertList(state).find((candidate) => candidate.id === overlay.alertId) ?? selectedAlert(state);
  const what = alert ? `${ruleLabel(alert.rule)} ${sanitize(alert.key)}` : 'alert';
  const already =
    alert?.escalation?.kind === 'already'
      ? ` (already escalated by ${sanitize(alert.escalation.by)} ${formatAge(state.now - alert.escalation.at)})`
      : alert?.escalation?.kind === 'sent'
        ? ' (sent before: this sends an update)'
        : '';
  return (
    <Text wrap="truncate-end">
      <Text bold color={theme.warn}>{`Escalate ${what} to Slack?${already} `}</Text>
      <Text>{'y send  n add note  Esc cancel'}</Text>
    </Text>
  );
}

/** A dialog that confirms an action (refuse a request, revoke an approval or an agent), with the reason when the action takes one, sends it, and says what happened. */
import type { Outcome } from './api';
import { byId } from './dom';
import { modalDialog } from './dialog';

export interface ReasonDialog<T> {
  /** `subject`: what is acted on, in words, shown at the top of the dialog. */
  open(target: T, subject: string, opener: HTMLElement): void;
}

/**
 * The dialog `#<id>-dialog` (form `#<id>-form`, text `#<id>-subject`, button `#<id>-confirm`, and
 * the textarea `#<id>-reason` if the action takes a reason: then one is required). `send` makes the
 * call; on success the dialog closes and `done` is told.
 */
export function reasonDialog<T>(id: string, send: (target: T, reason: string) => Promise<Outcome<unknown>>, done: (target: T) => void): ReasonDialog<T> {
  const modal = modalDialog(id);
  const reason = document.getElementById(`${id}-reason`) instanceof HTMLTextAreaElement ? byId(`${id}-reason`, HTMLTextAreaElement) : undefined;
  const confirm = byId(`${id}-confirm`, HTMLButtonElement);
  let current: T | undefined;
  modal.form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (current === undefined) return;
    const target = current;
    const words = reason?.value.trim() ?? '';
    if (reason !== undefined && words === '') {
      modal.problem('Give a reason: it is kept with the record.');
      reason.focus();
      return;
    }
    confirm.disabled = true;
    void send(target, words).then((outcome) => {
      confirm.disabled = false;
      if (!outcome.ok) {
        modal.problem(outcome.error);
        return;
      }
      modal.close();
      done(target);
    });
  });
  return {
    open(target, subject, opener) {
      current = target;
      modal.form.reset();
      byId(`${id}-subject`, HTMLElement).textContent = subject;
      modal.open(opener, reason ?? confirm);
    },
  };
}

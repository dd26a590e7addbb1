/** The requests page's dialog for a PC with no network: SLT make a one-time code for the request's device and read it out to the member of staff. */
import type { z } from 'zod';
import type { offlineCodeAnswer, RequestView } from '../../../src/server/console-protocol';
import { api } from './api';
import { byId, el, replaceChildren, when } from './dom';
import { modalDialog } from './dialog';

type OfflineCode = z.infer<typeof offlineCodeAnswer>;

export interface OfflineCodeDialog {
  open(request: RequestView, opener: HTMLElement): void;
}

export function offlineCodeDialog(): OfflineCodeDialog {
  const modal = modalDialog('offline');
  const hours = byId('offline-hours', HTMLInputElement);
  const confirm = byId('offline-confirm', HTMLButtonElement);
  const shown = byId('offline-code', HTMLElement);
  let current: RequestView | undefined;
  modal.form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (current === undefined) return;
    const request = current;
    const value = Number(hours.value);
    if (!Number.isInteger(value) || value < 1 || value > 720) {
      modal.problem('Enter a whole number of hours from 1 to 720.');
      hours.focus();
      return;
    }
    confirm.disabled = true;
    void api<OfflineCode>('POST', '/api/offline-codes', { requestId: request.id, hours: value }).then((outcome) => {
      confirm.disabled = false;
      if (!outcome.ok) {
        modal.problem(outcome.error);
        return;
      }
      const { code, expiresAt, machine } = outcome.value;
      replaceChildren(shown,
        el('p', { class: 'token', id: 'offline-code-value' }, code),
        el('p', {}, `Read it out to ${request.requester} at ${machine}: it works once, until ${when(expiresAt)}.`));
    });
  });
  return {
    open(request, opener) {
      current = request;
      modal.form.reset();
      shown.replaceChildren();
      byId('offline-subject', HTMLElement).textContent = `${request.explanation.headline}.`;
      modal.open(opener, hours);
    },
  };
}

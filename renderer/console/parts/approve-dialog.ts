/** The approve dialog of the requests page: device scope, PCs, user, expiry (end of term by default, shown), conditions and a note, sent as the approval decision console-protocol.ts names. */
import type { ApprovalDecisionInput } from '../../../src/server/approvals/approval-scope';
import type { RequestView } from '../../../src/server/console-protocol';
import { api } from './api';
import { byId, checked, day, fieldText, radioValue } from './dom';
import { modalDialog } from './dialog';

interface ApproveAnswer {
  approvalId: string;
  policyVersion: number;
  expires: string;
}

type Decision = { ok: true; value: ApprovalDecisionInput } | { ok: false; error: string; field: string };

function decisionOf(form: HTMLFormElement): Decision {
  const by = radioValue(form, 'device');
  if (by !== 'serial' && by !== 'model' && by !== 'hash') return { ok: false, error: 'Choose which devices the approval is for.', field: 'device-model' };
  const pcs = radioValue(form, 'pcs');
  const groups = fieldText(form, 'groups').split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (pcs === 'groups' && groups.length === 0) return { ok: false, error: 'Enter at least one group name, or choose other PCs.', field: 'pcs-group-names' };
  const expires = fieldText(form, 'expires');
  if (radioValue(form, 'expiry') === 'date' && expires === '') return { ok: false, error: 'Enter the last day of the approval, or choose the end of term.', field: 'expiry-day' };
  const note = fieldText(form, 'note');
  return {
    ok: true,
    value: {
      deviceScope: { by },
      machineScope: pcs === 'every' ? 'every' : pcs === 'groups' ? { groups } : { machines: 'this' },
      userScope: radioValue(form, 'user') === 'anyone' ? 'anyone' : 'requester',
      ...(radioValue(form, 'expiry') === 'date' ? { expires } : {}),
      conditions: { virusChecked: checked(form, 'virusChecked'), encryptedOnly: checked(form, 'encryptedOnly') },
      ...(note === '' ? {} : { note }),
    },
  };
}

export interface ApproveDialog {
  open(request: RequestView, opener: HTMLElement): void;
}

/**
 * `endOfTerm`: the words for the default expiry ("18 December 2026, the end of Autumn term 2026"),
 * or undefined when the page could not learn the term dates (the server still applies them).
 * `done` is told what happened, in a sentence, once the server has approved.
 */
export function approveDialog(endOfTerm: string | undefined, done: (sentence: string) => void): ApproveDialog {
  const modal = modalDialog('approve');
  const { form } = modal;
  const confirm = byId('approve-confirm', HTMLButtonElement);
  let current: RequestView | undefined;
  const termKnown = endOfTerm !== undefined;
  byId('expiry-term-label', HTMLLabelElement).textContent = termKnown ? `The end of this term: ${endOfTerm}` : 'The end of this term';
  byId('expiry-term-hint', HTMLElement).textContent = termKnown ? '' : 'Not possible: the school has no term dates set (IT can set them), so choose a date.';
  byId('expiry-day', HTMLInputElement).min = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  // Typing in a "reveal" field chooses its option, so the decision is what the person sees.
  byId('pcs-group-names', HTMLInputElement).addEventListener('input', () => (byId('pcs-groups', HTMLInputElement).checked = true));
  byId('expiry-day', HTMLInputElement).addEventListener('input', () => (byId('expiry-date', HTMLInputElement).checked = true));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (current === undefined) return;
    const request = current;
    const decision = decisionOf(form);
    if (!decision.ok) {
      modal.problem(decision.error);
      document.getElementById(decision.field)?.focus();
      return;
    }
    confirm.disabled = true;
    void api<ApproveAnswer>('POST', `/api/requests/${encodeURIComponent(request.id)}/approve`, { decision: decision.value }).then((outcome) => {
      confirm.disabled = false;
      if (!outcome.ok) {
        modal.problem(outcome.error);
        return;
      }
      modal.close();
      done(`Approved: ${request.explanation.headline}, until ${day(outcome.value.expires)}. Policy version ${outcome.value.policyVersion} is on its way to the PCs.`);
    });
  });

  return {
    open(request, opener) {
      current = request;
      form.reset();
      byId('approve-device', HTMLElement).textContent = `${request.explanation.headline}.`;
      const serial = byId('device-serial', HTMLInputElement);
      serial.disabled = !request.hasSerial;
      byId('device-serial-hint', HTMLElement).textContent = request.hasSerial
        ? 'Another device of the same model stays blocked.'
        : 'Not possible: this device reports no serial number, so it cannot be told apart from others of its model.';
      byId(request.hasSerial ? 'device-serial' : 'device-model', HTMLInputElement).checked = true;
      byId('expiry-term', HTMLInputElement).disabled = !termKnown;
      byId(termKnown ? 'expiry-term' : 'expiry-date', HTMLInputElement).checked = true;
      byId('pcs-this-label', HTMLLabelElement).textContent = `Only ${request.machine}, the PC it was asked for on`;
      byId('user-requester-label', HTMLLabelElement).textContent = `Only ${request.requester}, who asked`;
      modal.open(opener, byId(request.hasSerial ? 'device-serial' : 'device-model', HTMLInputElement));
    },
  };
}

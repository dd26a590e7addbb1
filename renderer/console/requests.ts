/** The requests queue: each device request explained in plain words (warnings first), with Approve and Refuse for SLT approvers. */
import type { RequestView } from '../../src/server/console-protocol';
import { api, withQuery } from './parts/api';
import { approveDialog, type ApproveDialog } from './parts/approve-dialog';
import { byId, count, el, fieldText, replaceChildren, when } from './parts/dom';
import { offlineCodeDialog, type OfflineCodeDialog } from './parts/offline-code-dialog';
import { reasonDialog, type ReasonDialog } from './parts/reason-dialog';
import { runPage } from './parts/shell';
import { endOfTermWords } from './parts/term-dates';
import { announce, announceProblem } from './parts/status';

const STATUS_WORDS: Record<RequestView['status'], string> = { pending: 'waiting for a decision', approved: 'approved', refused: 'refused', withdrawn: 'withdrawn' };

function list(title: string, items: readonly string[], empty: string, id: string): HTMLElement[] {
  return [el('h3', { id }, title), items.length === 0 ? el('p', { class: 'hint' }, empty) : el('ul', { 'aria-labelledby': id }, ...items.map((item) => el('li', {}, item)))];
}

interface Actions {
  approve?: ApproveDialog;
  refuse?: ReasonDialog<RequestView>;
  offline?: OfflineCodeDialog;
}

function requestCard(request: RequestView, actions: Actions): HTMLElement {
  const id = `request-${request.id}`;
  const { explanation } = request;
  const asked = request.mergedCount > 1 ? `, asked ${request.mergedCount} times` : '';
  const meta = el('p', { class: 'meta' },
    'Asked by ', el('strong', {}, request.requester), request.requesterVerified ? '' : ' (name not confirmed by the PC)',
    ' on ', el('strong', {}, request.machine), `, ${when(request.requestedAt)}${asked}. Wanted for ${count(request.durationDays, 'day')}.`);
  const warnings = explanation.warnings.length === 0 ? null : el('div', { class: 'warnings', role: 'note', 'aria-labelledby': `${id}-warn` },
    el('h3', { id: `${id}-warn` }, explanation.warnings.length === 1 ? 'Warning' : 'Warnings'),
    el('ul', {}, ...explanation.warnings.map((warning) => el('li', {}, warning))));
  const why = request.justifications.length === 0 ? [el('p', { class: 'hint' }, 'No reason given.')] : request.justifications.map((text) => el('blockquote', { class: 'justification' }, text));
  const decided = request.status === 'pending' ? null : el('p', { class: 'notice' },
    `This request was ${STATUS_WORDS[request.status]}${request.decidedBy === undefined ? '' : ` by ${request.decidedBy}`}${request.decisionReason === undefined ? '' : `: ${request.decisionReason}`}.`);
  const buttons: HTMLElement[] = [];
  if (request.status === 'pending' && actions.approve !== undefined && actions.refuse !== undefined && actions.offline !== undefined) {
    const { approve, refuse, offline } = actions;
    const yes = el('button', { type: 'button', 'aria-describedby': `${id}-h` }, 'Approve…');
    const no = el('button', { type: 'button', class: 'secondary', 'aria-describedby': `${id}-h` }, 'Refuse…');
    const code = el('button', { type: 'button', class: 'quiet', 'aria-describedby': `${id}-h` }, 'One-time code for an offline PC…');
    yes.addEventListener('click', () => approve.open(request, yes));
    no.addEventListener('click', () => refuse.open(request, `${explanation.headline}.`, no));
    code.addEventListener('click', () => offline.open(request, code));
    buttons.push(el('div', { class: 'actions' }, yes, no, code));
  }
  return el('article', { class: 'request', id, 'aria-labelledby': `${id}-h`, 'data-request-id': request.id },
    el('h2', { id: `${id}-h` }, explanation.headline),
    meta, warnings,
    ...list('About the device', explanation.facts, 'Nothing more is known about it.', `${id}-facts`),
    el('h3', {}, request.justifications.length > 1 ? 'Why they need it (each time it was asked)' : 'Why they need it'), ...why,
    ...list('Seen before', explanation.seenBefore, 'Not seen on a school PC before.', `${id}-seen`),
    ...list('Similar approvals', explanation.similar, 'No similar device has been approved.', `${id}-similar`),
    decided, ...buttons);
}

runPage('requests', async (session) => {
  const filters = byId('filters', HTMLFormElement);
  const target = byId('request-list', HTMLElement);
  const summary = byId('summary', HTMLElement);
  const actions: Actions = {};
  const load = async (): Promise<void> => {
    const status = fieldText(filters, 'status') || 'pending';
    const outcome = await api<{ requests: RequestView[] }>('GET', withQuery('/api/requests', { status }));
    if (!outcome.ok) {
      announceProblem(outcome.error);
      return;
    }
    const requests = outcome.value.requests;
    summary.textContent = status === 'pending' ? `${count(requests.length, 'request')} waiting for a decision.` : `${count(requests.length, 'request')}.`;
    replaceChildren(target, ...(requests.length === 0 ? [el('p', { class: 'notice' }, status === 'pending' ? 'No requests are waiting for a decision.' : 'No requests to show.')] : requests.map((request) => requestCard(request, actions))));
  };
  if (session.user.role === 'slt-approver') {
    actions.approve = approveDialog(await endOfTermWords(), (sentence) => {
      announce(sentence);
      void load();
    });
    actions.offline = offlineCodeDialog();
    actions.refuse = reasonDialog<RequestView>(
      'refuse',
      (request, reason) => api('POST', `/api/requests/${encodeURIComponent(request.id)}/refuse`, { reason }),
      (request) => {
        const who = request.mergedCount > 1 ? 'Everyone who asked' : request.requester;
        announce(`Refused: ${request.explanation.headline}. ${who} will see your reason on ${request.machine}.`);
        void load();
      },
    );
  }
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  await load();
});

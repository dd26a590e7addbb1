/** The approvals register: search and filter by status and approver, revoke with a reason (SLT approvers), and the same list as a CSV file. */
import type { ApprovalRegisterView } from '../../src/server/console-protocol';
import { api, withQuery } from './parts/api';
import { byId, count, day, el, fieldText, replaceChildren, when } from './parts/dom';
import { reasonDialog } from './parts/reason-dialog';
import { runPage } from './parts/shell';
import { announce, announceProblem } from './parts/status';
import { dataTable, type Column } from './parts/table';

type ApprovalView = ApprovalRegisterView;

const STATUS_WORDS: Record<ApprovalView['status'], string> = { active: 'Active', expired: 'Expired', revoked: 'Revoked' };

function statusCell(approval: ApprovalView): Node {
  if (approval.status !== 'revoked') return el('span', { class: 'tag' }, STATUS_WORDS[approval.status]);
  const by = approval.revokedBy === undefined ? '' : ` by ${approval.revokedBy}`;
  const at = approval.revokedAt === undefined ? '' : `, ${when(approval.revokedAt)}`;
  const why = approval.revokeReason === undefined ? '' : `: ${approval.revokeReason}`;
  return el('span', {}, el('span', { class: 'tag' }, 'Revoked'), `${by}${at}${why}`);
}

runPage('approvals', async (session) => {
  const filters = byId('filters', HTMLFormElement);
  const target = byId('approval-list', HTMLElement);
  const exportLink = byId('export-csv', HTMLAnchorElement);
  const canRevoke = session.user.role === 'slt-approver';
  const query = (): Record<string, string> => ({ q: fieldText(filters, 'q'), status: fieldText(filters, 'status') || 'all', approvedBy: fieldText(filters, 'approvedBy') });

  const revoke = reasonDialog<ApprovalView>(
    'revoke',
    (approval, reason) => api('POST', `/api/approvals/${encodeURIComponent(approval.id)}/revoke`, { reason }),
    (approval) => {
      announce(`Revoked: ${approval.device}. The PCs block it again once they have the new policy.`);
      void load();
    },
  );

  const columns: Column<ApprovalView>[] = [
    { heading: 'Device', cell: (approval) => approval.device },
    { heading: 'Asked for on', cell: (approval) => approval.machine },
    { heading: 'For', cell: (approval) => approval.scope },
    { heading: 'Until', cell: (approval) => day(approval.expires) },
    { heading: 'Conditions', cell: (approval) => (approval.conditions.length === 0 ? 'None' : approval.conditions.join('; ')) },
    { heading: 'Approved by', cell: (approval) => `${approval.approvedBy}, ${when(approval.createdAt)}` },
    { heading: 'Status', cell: statusCell },
  ];
  if (canRevoke) {
    columns.push({
      heading: 'Action',
      cell: (approval) => {
        if (approval.status !== 'active') return '';
        const button = el('button', { type: 'button', class: 'quiet', 'aria-label': `Revoke approval of ${approval.device}` }, 'Revoke…');
        button.addEventListener('click', () => revoke.open(approval, `${approval.device}, approved by ${approval.approvedBy} until ${day(approval.expires)}.`, button));
        return button;
      },
    });
  }

  async function load(): Promise<void> {
    exportLink.href = withQuery('/api/approvals.csv', query());
    const outcome = await api<{ approvals: ApprovalView[] }>('GET', withQuery('/api/approvals', query()));
    if (!outcome.ok) {
      announceProblem(outcome.error);
      return;
    }
    const { approvals } = outcome.value;
    byId('summary', HTMLElement).textContent = `${count(approvals.length, 'approval')} found.`;
    replaceChildren(target, dataTable('Approvals', columns, approvals, 'No approvals match.'));
  }

  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  await load();
});

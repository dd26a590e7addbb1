/** IT's page for the PCs: make an enrolment token (shown once), list the enrolled agents, revoke one. */
import type { z } from 'zod';
import type { agentView, enrolTokenAnswer } from '../../src/server/console-protocol';
import { api } from './parts/api';
import { byId, el, fieldText, replaceChildren, when } from './parts/dom';
import { reasonDialog } from './parts/reason-dialog';
import { runPage } from './parts/shell';
import { announce, announceProblem } from './parts/status';
import { dataTable } from './parts/table';

type AgentSummary = z.infer<typeof agentView>;
type EnrolToken = z.infer<typeof enrolTokenAnswer>;

function enrolForm(): void {
  const form = byId('enrol-form', HTMLFormElement);
  const target = byId('enrol-token', HTMLElement);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const hours = Number(fieldText(form, 'hours'));
    void api<EnrolToken>('POST', '/api/enrol-tokens', { hours }).then((outcome) => {
      if (!outcome.ok) {
        announceProblem(outcome.error);
        return;
      }
      const { token, expiresAt } = outcome.value;
      replaceChildren(target,
        el('h3', { id: 'token-heading' }, 'Enrolment token'),
        el('p', {}, `Shown once: copy it now. It enrols one PC and stops working ${when(expiresAt)}.`),
        el('p', { class: 'token', id: 'token-value', 'aria-labelledby': 'token-heading' }, token),
        el('p', {}, 'On the PC, as administrator (with sudo on Linux), run:'),
        el('pre', { class: 'token' }, el('code', {}, `portcullis agent --server ${window.location.origin} --enrol ${token}`)));
      announce('Enrolment token made: it is shown below, once.');
    });
  });
}

function agentState(agent: AgentSummary): string {
  if (agent.revokedAt !== null) return `Revoked ${when(agent.revokedAt)}${agent.revokedBy === null ? '' : ` by ${agent.revokedBy}`}`;
  if (!agent.auditChainOk) return `Records broken: ${agent.auditChainBreak ?? 'ask IT to check'}`;
  return 'Enrolled';
}

runPage('agents', async () => {
  enrolForm();
  const target = byId('agent-list', HTMLElement);
  const revoke = reasonDialog<AgentSummary>(
    'revoke-agent',
    (agent) => api('POST', `/api/agents/${encodeURIComponent(agent.id)}/revoke`, {}),
    (agent) => {
      announce(`Revoked the agent on ${agent.machine}: it can no longer reach this server.`);
      void load();
    },
  );
  async function load(): Promise<void> {
    const outcome = await api<{ agents: AgentSummary[] }>('GET', '/api/agents');
    if (!outcome.ok) {
      announceProblem(outcome.error);
      return;
    }
    replaceChildren(target, dataTable('Agents enrolled with this server', [
      { heading: 'PC', cell: (agent) => agent.machine },
      { heading: 'Agent id', cell: (agent) => el('code', { class: 'agent-id' }, agent.id) },
      { heading: 'Version', cell: (agent) => agent.agentVersion ?? 'not reported' },
      { heading: 'Enrolled', cell: (agent) => when(agent.enrolledAt) },
      { heading: 'Last heard from', cell: (agent) => (agent.lastSeenAt === null ? 'never' : when(agent.lastSeenAt)) },
      { heading: 'State', cell: agentState },
      {
        heading: 'Action',
        cell: (agent) => {
          if (agent.revokedAt !== null) return '';
          const button = el('button', { type: 'button', class: 'quiet', 'aria-label': `Revoke the agent on ${agent.machine}` }, 'Revoke…');
          button.addEventListener('click', () => revoke.open(agent, `The agent on ${agent.machine}, enrolled ${when(agent.enrolledAt)}.`, button));
          return button;
        },
      },
    ], outcome.value.agents, 'No PC has enrolled yet: make a token above and enrol one.'));
  }
  await load();
});

/** Reports for the headteacher: blocked attempts per PC and device, decisions by approver, idle locks per PC, and any PC whose audit chain was broken. */
import type { z } from 'zod';
import type { summaryAnswer } from '../../src/server/console-protocol';
import { api, withQuery } from './parts/api';
import { byId, day, el, fieldText, replaceChildren } from './parts/dom';
import { runPage } from './parts/shell';
import { announceProblem } from './parts/status';
import { dataTable } from './parts/table';

type Summary = z.infer<typeof summaryAnswer>;

function minutes(ms: number | null): string {
  if (ms === null) return '–';
  const total = Math.round(ms / 60_000);
  return total < 1 ? 'under a minute' : `${total} min`;
}

function period(since: string, until: string): string {
  if (since === '' && until === '') return 'all records kept';
  if (since === '') return `up to ${day(until)}`;
  if (until === '') return `from ${day(since)}`;
  return `${day(since)} to ${day(until)}`;
}

function render(summary: Summary, words: string): HTMLElement[] {
  const breaks = summary.chainBreaks.length === 0 ? [] : [
    el('div', { class: 'warnings', role: 'note', 'aria-labelledby': 'breaks-heading' },
      el('h2', { id: 'breaks-heading' }, 'Records that may have been tampered with'),
      el('p', {}, 'The audit records from these PCs do not follow on from one another, so some may have been deleted or changed. Ask IT to look at them.'),
      el('ul', {}, ...summary.chainBreaks.map((item) => el('li', {}, `${item.machine} (agent ${item.agentId})`)))),
  ];
  return [
    ...breaks,
    el('h2', {}, 'Blocked attempts'),
    dataTable(`Devices blocked, by PC (${words})`, [
      { heading: 'PC', cell: (row) => row.machine },
      { heading: 'Device', cell: (row) => row.device },
      { heading: 'Times blocked', cell: (row) => String(row.count), numeric: true },
    ], summary.blockedAttempts, 'No device was blocked in this period.'),
    el('h2', {}, 'Decisions by approver'),
    dataTable(`Requests approved and refused, by SLT member (${words})`, [
      { heading: 'Approver', cell: (row) => row.approver },
      { heading: 'Approved', cell: (row) => String(row.approved), numeric: true },
      { heading: 'Refused', cell: (row) => String(row.refused), numeric: true },
    ], summary.approvalsBy, 'No requests were decided in this period.'),
    el('h2', {}, 'Idle locks'),
    dataTable(`PCs locked or logged off when left unattended (${words})`, [
      { heading: 'PC', cell: (row) => row.machine },
      { heading: 'Locks', cell: (row) => String(row.locks), numeric: true },
      { heading: 'Log-offs', cell: (row) => String(row.logoffs), numeric: true },
      { heading: 'Longest idle before a lock', cell: (row) => minutes(row.longestIdleBeforeLockMs), numeric: true },
    ], summary.idleLocks, 'No PC was locked for being left in this period.'),
  ];
}

runPage('reports', async () => {
  const filters = byId('filters', HTMLFormElement);
  const target = byId('report', HTMLElement);
  const load = async (): Promise<void> => {
    const since = fieldText(filters, 'since');
    const until = fieldText(filters, 'until');
    const outcome = await api<Summary>('GET', withQuery('/api/reports/summary', { since, until }));
    if (!outcome.ok) {
      announceProblem(outcome.error);
      return;
    }
    replaceChildren(target, ...render(outcome.value, period(since, until)));
  };
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  await load();
});

/** The DPO's page: a subject access export for one member of staff (a JSON file), and how many months records are kept, with what that means. */
import type { z } from 'zod';
import type { retentionAnswer, SubjectAccessExport } from '../../src/server/console-protocol';
import { api } from './parts/api';
import { byId, count, day, fieldText, when } from './parts/dom';
import { saveFile } from './parts/save-file';
import { runPage } from './parts/shell';
import { announce, announceProblem } from './parts/status';

type Retention = z.infer<typeof retentionAnswer>;

/** What keeping records `months` months means, with a record made today as the example. */
export function retentionMeaning(months: number, today = new Date()): string {
  if (!Number.isInteger(months) || months < 1 || months > 120) return 'Enter a whole number of months from 1 to 120.';
  const until = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + months, today.getUTCDate()));
  const plural = months === 1 ? 'month' : 'months';
  return `Each day, the PCs' audit records, decided requests and ended approvals older than ${months} ${plural} are deleted for good (UK GDPR storage limitation): a record made today is deleted on ${day(until.toISOString().slice(0, 10))}. Approvals still in force, and the server's record of each deletion, are kept.`;
}

function exportForm(): void {
  const form = byId('export-form', HTMLFormElement);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const user = fieldText(form, 'user');
    if (user === '') {
      announceProblem("Enter the member of staff's user name.");
      byId('export-user', HTMLInputElement).focus();
      return;
    }
    void api<SubjectAccessExport>('GET', `/api/staff/${encodeURIComponent(user)}/export`).then((outcome) => {
      if (!outcome.ok) {
        announceProblem(outcome.error);
        return;
      }
      const found = outcome.value.summary;
      const filename = `subject-access-${user.replace(/[^A-Za-z0-9._-]/g, '_')}-${outcome.value.generatedAt.slice(0, 10)}.json`;
      saveFile(new Blob([`${JSON.stringify(outcome.value, null, 2)}\n`], { type: 'application/json' }), filename);
      announce(`The export for ${user} is downloading as ${filename}: ${count(found.requests, 'request')}, ${count(found.auditRecords, 'audit record')} and ${count(found.approvals, 'approval')}.`);
    });
  });
}

async function retentionForm(): Promise<void> {
  const form = byId('retention-form', HTMLFormElement);
  const months = byId('retention-months', HTMLInputElement);
  const meaning = byId('retention-meaning', HTMLElement);
  const explain = (): void => void (meaning.textContent = retentionMeaning(Number(months.value)));
  months.addEventListener('input', explain);
  const current = await api<Retention>('GET', '/api/settings/retention');
  if (!current.ok) {
    announceProblem(current.error);
    return;
  }
  months.value = String(current.value.months);
  explain();
  const purge = current.value.lastPurge;
  byId('retention-last', HTMLElement).textContent = purge === null
    ? 'Nothing has been deleted yet.'
    : `Last deletion ${when(purge.at)}: records from before ${when(purge.cutoff)} (${count(purge.auditRecords, 'audit record')}, ${count(purge.requests, 'request')}, ${count(purge.approvals, 'approval')}).`;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = Number(months.value);
    if (!Number.isInteger(value) || value < 1 || value > 120) {
      announceProblem('Enter a whole number of months from 1 to 120.');
      months.focus();
      return;
    }
    void api<Retention>('PUT', '/api/settings/retention', { months: value }).then((outcome) => {
      if (outcome.ok) announce(`Saved: records are kept for ${outcome.value.months} months.`);
      else announceProblem(outcome.error);
    });
  });
}

runPage('privacy', async () => {
  exportForm();
  await retentionForm();
});

/** The Settings page: the school's term dates (IT change them, SLT read them) and the base policy in force (IT publish a new one; SLT and the headteacher read it). */
import type { z } from 'zod';
import type { basePolicyAnswer, setBasePolicyAnswer } from '../../src/server/console-protocol';
import { api } from './parts/api';
import { basePolicyView, type BaseText } from './parts/base-policy-view';
import { byId, replaceChildren } from './parts/dom';
import { runPage } from './parts/shell';
import { announce, announceProblem } from './parts/status';
import { termDatesSection } from './parts/term-dates-form';

type BaseAnswer = z.infer<typeof basePolicyAnswer>;
type Published = z.infer<typeof setBasePolicyAnswer>;

function versionWords(version: number | null): string {
  return version === null ? "In force: Portcullis's built-in default (IT have not published a base yet)." : `In force: the base of policy version ${version}.`;
}

/** Reads the base in force and shows it in words; answers it, or undefined when it could not be read (said in the status). */
async function showBase(): Promise<BaseAnswer | undefined> {
  const outcome = await api<BaseAnswer>('GET', '/api/policy/base');
  if (!outcome.ok) {
    announceProblem(outcome.error);
    return undefined;
  }
  byId('base-version', HTMLElement).textContent = versionWords(outcome.value.version);
  replaceChildren(byId('base-summary', HTMLElement), basePolicyView(JSON.parse(outcome.value.text) as BaseText));
  return outcome.value;
}

/** IT's editor: the base's JSON text, published as it is; a refusal names the field and leaves the text as typed. */
function publishForm(base: BaseAnswer): void {
  const form = byId('base-form', HTMLFormElement);
  const text = byId('base-text', HTMLTextAreaElement);
  const problem = byId('base-problem', HTMLElement);
  const publish = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  text.value = base.text;
  form.hidden = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    problem.textContent = '';
    if (publish !== null) publish.disabled = true;
    void api<Published>('PUT', '/api/policy/base', { text: text.value }).then(async (outcome) => {
      if (publish !== null) publish.disabled = false;
      if (!outcome.ok) {
        problem.textContent = `Not published: ${outcome.error}`;
        text.focus();
        return;
      }
      announce(`Published: policy version ${outcome.value.policyVersion} has the new base and every approval in force, and is on its way to the PCs.`);
      const shown = await showBase();
      if (shown !== undefined) text.value = shown.text;
    });
  });
}

runPage('settings', async (session) => {
  const { role } = session.user;
  if (role === 'headteacher') byId('terms-section', HTMLElement).hidden = true;
  else await termDatesSection(role === 'it-admin');
  const base = await showBase();
  if (base !== undefined && role === 'it-admin') publishForm(base);
});

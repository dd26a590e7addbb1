/** The Settings page's term dates: a table for SLT; for IT, a form to add, remove and save terms that keeps what was typed when the server refuses it. */
import { api } from './api';
import { byId, count, day, el, replaceChildren } from './dom';
import { announce, announceProblem } from './status';
import { dataTable } from './table';
import { endOfTermText, type Term, type TermDates } from './term-dates';

/** Gives each row's fields ids of their own, however many rows come and go. */
let rowsMade = 0;

function defaultExpiry(dates: TermDates): string {
  const end = endOfTermText(dates);
  return end === undefined ? 'No term is ahead, so SLT must choose the last day of each approval until the next term is added.' : `Approvals made today expire on ${end} by default.`;
}

function input(id: string, name: keyof Term, label: string, type: 'text' | 'date', value: string): HTMLElement[] {
  return [el('label', { for: id }, label), el('input', { type, id, name, value, required: true, autocomplete: 'off', maxlength: type === 'text' ? '100' : undefined })];
}

/** Numbers the rows' legends and Remove buttons after one is added or removed. */
function renumber(rows: HTMLElement): void {
  rows.querySelectorAll('fieldset').forEach((row, index) => {
    const legend = row.querySelector('legend');
    if (legend !== null) legend.textContent = `Term ${index + 1}`;
    row.querySelector('button')?.setAttribute('aria-label', `Remove term ${index + 1}`);
  });
}

function termRow(rows: HTMLElement, term: Term | undefined, onRemoved: () => void): HTMLFieldSetElement {
  rowsMade += 1;
  const id = `term-${rowsMade}`;
  const remove = el('button', { type: 'button', class: 'quiet' }, 'Remove');
  const row = el('fieldset', { class: 'term' }, el('legend', {}),
    ...input(`${id}-name`, 'name', 'Name', 'text', term?.name ?? ''),
    ...input(`${id}-start`, 'start', 'First day', 'date', term?.start ?? ''),
    ...input(`${id}-end`, 'end', 'Last day', 'date', term?.end ?? ''),
    el('div', { class: 'actions' }, remove));
  remove.addEventListener('click', () => {
    row.remove();
    renumber(rows);
    onRemoved();
  });
  return row;
}

/** What the rows say now, as the server takes it. */
function typedTerms(rows: HTMLElement): Term[] {
  return Array.from(rows.querySelectorAll('fieldset'), (row) => {
    const value = (name: keyof Term): string => row.querySelector<HTMLInputElement>(`input[name="${name}"]`)?.value.trim() ?? '';
    return { name: value('name'), start: value('start'), end: value('end') };
  });
}

function showTable(dates: TermDates): void {
  replaceChildren(byId('term-list', HTMLElement), dataTable("The school's terms", [
    { heading: 'Term', cell: (term) => term.name },
    { heading: 'First day', cell: (term) => day(term.start) },
    { heading: 'Last day', cell: (term) => day(term.end) },
  ], dates.terms, 'No term dates yet: IT add them here.'));
  byId('terms-default', HTMLElement).textContent = defaultExpiry(dates);
}

/** IT's editor: the rows start as the server's terms; Save sends them all, and shows the server's answer. */
function editTerms(dates: TermDates): void {
  const form = byId('terms-form', HTMLFormElement);
  const rows = byId('term-rows', HTMLElement);
  const add = byId('term-add', HTMLButtonElement);
  const problem = byId('terms-problem', HTMLElement);
  const focusAdd = (): void => add.focus();
  const fill = (terms: readonly Term[]): void => {
    replaceChildren(rows, ...terms.map((term) => termRow(rows, term, focusAdd)));
    renumber(rows);
  };
  fill(dates.terms);
  form.hidden = false;
  add.addEventListener('click', () => {
    const row = termRow(rows, undefined, focusAdd);
    rows.append(row);
    renumber(rows);
    row.querySelector('input')?.focus();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    problem.textContent = '';
    void api<TermDates>('PUT', '/api/settings/term-dates', { terms: typedTerms(rows) }).then((outcome) => {
      if (!outcome.ok) {
        problem.textContent = `Not saved: ${outcome.error}`;
        return;
      }
      fill(outcome.value.terms);
      showTable(outcome.value);
      announce(`Saved ${count(outcome.value.terms.length, 'term')}. ${defaultExpiry(outcome.value)}`);
    });
  });
}

/** The term dates section: read-only for SLT, editable for IT. */
export async function termDatesSection(editable: boolean): Promise<void> {
  const outcome = await api<TermDates>('GET', '/api/settings/term-dates');
  if (!outcome.ok) {
    announceProblem(outcome.error);
    return;
  }
  showTable(outcome.value);
  if (editable) editTerms(outcome.value);
}

/** The page's live region: what just happened (saved, approved, refused) and what went wrong, announced to screen readers and shown on screen. */
import { byId } from './dom';

function region(): HTMLElement {
  return byId('status', HTMLElement);
}

function say(text: string, kind: 'done' | 'problem'): void {
  const target = region();
  target.dataset.kind = kind;
  // Emptied first so the same sentence twice is announced twice.
  target.textContent = '';
  window.setTimeout(() => (target.textContent = text), 20);
}

export function announce(text: string): void {
  say(text, 'done');
}

export function announceProblem(text: string): void {
  say(text, 'problem');
}

export function clearStatus(): void {
  const target = region();
  delete target.dataset.kind;
  target.textContent = '';
}

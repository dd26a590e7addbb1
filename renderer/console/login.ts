/** The sign-in page: email and password to POST /api/session; the server's own sentence on failure (wrong password, locked until when); then back to the page that sent the browser here. */
import { api } from './parts/api';
import { byId, fieldText } from './parts/dom';
import { landingPage, pageAt } from './parts/page-list';
import type { Session } from './parts/shell';
import { announce, announceProblem } from './parts/status';

/** Only a console page's own path, so a crafted link cannot send someone elsewhere after signing in. */
function nextPath(session: Session): string {
  const next = new URLSearchParams(window.location.search).get('next') ?? '';
  const page = pageAt(next);
  return page !== undefined && page.roles.includes(session.user.role) ? page.path : landingPage(session.user.role).path;
}

function start(): void {
  const form = byId('login-form', HTMLFormElement);
  const button = byId('sign-in', HTMLButtonElement);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const email = fieldText(form, 'email');
    const password = byId('password', HTMLInputElement).value;
    if (email === '' || password === '') {
      announceProblem('Enter your email address and your password.');
      byId(email === '' ? 'email' : 'password', HTMLInputElement).focus();
      return;
    }
    button.disabled = true;
    void api<Session>('POST', '/api/session', { email, password }).then((outcome) => {
      button.disabled = false;
      if (!outcome.ok) {
        announceProblem(outcome.error);
        byId('password', HTMLInputElement).select();
        return;
      }
      announce(`Signed in as ${outcome.value.user.name}.`);
      window.location.assign(nextPath(outcome.value));
    });
  });
  document.body.dataset.ready = 'true';
}

start();

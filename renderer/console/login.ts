/** The sign-in page: a button per single sign-on provider (GET /api/sso/providers) and why the last one refused (`?sso=<reason>`); email and password to POST /api/session, with the server's own sentence on failure (wrong password, locked until when); then back to the page that sent the browser here. */
import type { SsoProviderList } from '../../src/server/sso/sso-routes';
import { ssoRefusalMessage } from '../../src/server/sso/sso-refusals';
import { api } from './parts/api';
import { byId, el, fieldText } from './parts/dom';
import { landingPage, pageAt } from './parts/page-list';
import type { Session } from './parts/shell';
import { announce, announceProblem } from './parts/status';

/** Only a console page's own path, so a crafted link cannot send someone elsewhere after signing in. */
function nextPath(session: Session): string {
  const next = new URLSearchParams(window.location.search).get('next') ?? '';
  const page = pageAt(next);
  return page !== undefined && page.roles.includes(session.user.role) ? page.path : landingPage(session.user.role).path;
}

/** The providers' buttons, shown above the password form when the server has any. */
async function showProviders(): Promise<void> {
  const outcome = await api<SsoProviderList>('GET', '/api/sso/providers');
  if (!outcome.ok || outcome.value.providers.length === 0) return;
  byId('sso-buttons', HTMLElement).replaceChildren(...outcome.value.providers.map((provider) => el('a', { class: 'button', href: provider.startUrl }, provider.label)));
  byId('sso', HTMLElement).hidden = false;
}

/** Says why a single sign-on came back refused, once: the reason leaves the address, so a reload does not repeat it. */
function showSsoRefusal(): void {
  const url = new URL(window.location.href);
  const message = ssoRefusalMessage(url.searchParams.get('sso'));
  if (message === undefined) return;
  announceProblem(message);
  url.searchParams.delete('sso');
  window.history.replaceState(null, '', url);
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
  showSsoRefusal();
  void showProviders().then(() => (document.body.dataset.ready = 'true'));
}

start();

/** What every signed-in page does first: find the session (or go to the sign-in page), build the nav for the role, offer sign-out, and refuse politely a page the role may not use. */
import type { ConsoleRole } from '../../../src/server/console-protocol';
import { api, useCsrfToken } from './api';
import { byId, el, replaceChildren } from './dom';
import { NAV_PAGES, pagesFor, ROLE_NAMES, type PageName } from './page-list';
import { announceProblem } from './status';

export interface Session {
  user: { email: string; name: string; role: ConsoleRole };
  csrfToken: string;
  expiresAt: string;
}

function buildNav(session: Session, current: PageName): void {
  const links = pagesFor(session.user.role).map((page) =>
    el('li', {}, el('a', { href: page.path, 'aria-current': page.name === current ? 'page' : undefined }, page.title)),
  );
  replaceChildren(byId('nav', HTMLElement), el('ul', {}, ...links));
}

function buildAccount(session: Session): void {
  const signOut = el('button', { type: 'button', class: 'quiet' }, 'Sign out');
  signOut.addEventListener('click', () => {
    void api('DELETE', '/api/session').then((outcome) => {
      if (outcome.ok || outcome.status === 401) window.location.assign('/login');
      else announceProblem(outcome.error);
    });
  });
  const who = el('p', {}, 'Signed in as ', el('strong', {}, session.user.name), ` (${ROLE_NAMES[session.user.role]})`);
  replaceChildren(byId('account', HTMLElement), who, signOut);
}

function goToSignIn(): void {
  const next = window.location.pathname === '/' ? '' : `?next=${encodeURIComponent(window.location.pathname)}`;
  window.location.replace(`/login${next}`);
}

/**
 * Starts a console page: with a session, builds the nav and calls `render`; without one, goes to
 * the sign-in page (which brings the browser back here). A role the page is not for sees why.
 */
export async function startPage(name: PageName, render: (session: Session) => Promise<void> | void): Promise<void> {
  const outcome = await api<Session>('GET', '/api/session');
  if (!outcome.ok) {
    if (outcome.status === 401) return goToSignIn();
    announceProblem(outcome.error);
    return;
  }
  const session = outcome.value;
  useCsrfToken(session.csrfToken);
  buildNav(session, name);
  buildAccount(session);
  const page = NAV_PAGES.find((candidate) => candidate.name === name);
  if (page !== undefined && !page.roles.includes(session.user.role)) {
    const content = byId('content', HTMLElement);
    const allowed = page.roles.map((role) => ROLE_NAMES[role]).join(', ');
    replaceChildren(content, el('p', { class: 'notice' }, `This page is for the ${allowed}; you are signed in as ${ROLE_NAMES[session.user.role]}. Choose a page from the menu.`));
  } else {
    document.body.dataset.role = session.user.role;
    await render(session);
  }
}

/** `startPage` once the page's markup is there; a failure is shown, not lost. */
export function runPage(name: PageName, render: (session: Session) => Promise<void> | void): void {
  const go = (): void => {
    startPage(name, render)
      .catch((error: unknown) => announceProblem(`This page failed: ${error instanceof Error ? error.message : String(error)}`))
      // For people nothing changes; tests wait for it before they look.
      .finally(() => (document.body.dataset.ready = 'true'));
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', go);
  else go();
}

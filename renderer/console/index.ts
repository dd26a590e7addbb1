/** The console's home page: the pages this role may use, each with a line on what it is for. */
import { el, replaceChildren, byId } from './parts/dom';
import { pagesFor } from './parts/page-list';
import { runPage } from './parts/shell';

runPage('index', (session) => {
  const pages = pagesFor(session.user.role).filter((page) => page.name !== 'index');
  replaceChildren(byId('page-cards', HTMLUListElement), ...pages.map((page) => el('li', {}, el('a', { href: page.path }, page.title), el('p', {}, page.summary))));
});

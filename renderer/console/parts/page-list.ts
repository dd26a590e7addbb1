/** The console's pages: each one's path, title, what it is for, and the roles that may use it (the nav is built from this and the signed-in role). */
import type { ConsoleRole } from '../../../src/server/console-protocol';

export type PageName = 'index' | 'login' | 'requests' | 'approvals' | 'events' | 'reports' | 'privacy' | 'agents' | 'settings';

export interface ConsolePage {
  name: PageName;
  path: string;
  /** The nav link's words. */
  title: string;
  /** One line on the home page. */
  summary: string;
  /** Who may use it: the roles of the API routes the page needs to show anything (console-protocol.ts). */
  roles: readonly ConsoleRole[];
}

const EVERY_ROLE: readonly ConsoleRole[] = ['slt-approver', 'headteacher', 'it-admin', 'dpo'];

/** The pages of the nav, in its order (the sign-in page is not in the nav). */
export const NAV_PAGES: readonly ConsolePage[] = [
  { name: 'index', path: '/', title: 'Home', summary: 'What you can do in the console.', roles: EVERY_ROLE },
  { name: 'requests', path: '/requests', title: 'Requests', summary: 'Devices staff have asked to use, waiting for an SLT decision.', roles: ['slt-approver', 'headteacher', 'it-admin'] },
  { name: 'approvals', path: '/approvals', title: 'Approvals', summary: 'The register of approved devices: search, revoke, export.', roles: EVERY_ROLE },
  { name: 'events', path: '/events', title: 'Events', summary: 'What happened on the school PCs, and the devices seen.', roles: EVERY_ROLE },
  { name: 'reports', path: '/reports', title: 'Reports', summary: 'Blocked attempts, decisions by approver and idle locks per PC.', roles: ['headteacher', 'slt-approver'] },
  { name: 'privacy', path: '/privacy', title: 'Privacy', summary: 'Subject access exports and how long records are kept.', roles: ['dpo'] },
  { name: 'agents', path: '/agents', title: 'PCs', summary: 'Enrol school PCs and revoke their agents.', roles: ['it-admin'] },
  { name: 'settings', path: '/settings', title: 'Settings', summary: "The school's term dates and the base policy every PC has.", roles: ['it-admin', 'slt-approver', 'headteacher'] },
];

export const ROLE_NAMES: Readonly<Record<ConsoleRole, string>> = {
  'slt-approver': 'SLT approver',
  headteacher: 'headteacher',
  'it-admin': 'IT admin',
  dpo: 'data protection officer',
};

export function pagesFor(role: ConsoleRole): ConsolePage[] {
  return NAV_PAGES.filter((page) => page.roles.includes(role));
}

/** The nav page at `path` (a path only, no query), if any: where the sign-in page may send the browser back to. */
export function pageAt(path: string): ConsolePage | undefined {
  return NAV_PAGES.find((page) => page.path === path);
}

/** Where a role lands after signing in: its first page after Home. */
export function landingPage(role: ConsoleRole): ConsolePage {
  const pages = pagesFor(role);
  return pages[1] ?? pages[0] ?? (NAV_PAGES[0] as ConsolePage);
}

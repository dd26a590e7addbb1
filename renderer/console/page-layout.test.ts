import { pageHtml, parsePageSource } from './page-layout';

describe('console page layout', () => {
  it('puts a page in the shared frame: its title, script, heading, content and dialogs after main', () => {
    const page = parsePageSource('<!-- title: Reports -->\n<!-- heading: Reports for the head -->\n    <p>Counts</p>\n<!-- after-main -->\n  <dialog id="d"></dialog>\n', 'reports.html');
    const html = pageHtml('reports', page);
    expect(html).toContain('<title>Reports – Portcullis console</title>');
    expect(html).toContain('<script src="/console/reports.js" defer></script>');
    expect(html).toMatch(/<h1>Reports for the head<\/h1>\n {4}<div id="status" role="status" aria-live="polite"><\/div>\n {4}<div id="content">\n {4}<p>Counts<\/p>\n {4}<\/div>\n {2}<\/main>\n {2}<dialog id="d"><\/dialog>\n<\/body>/);
  });

  it('names the file whose first lines are not its title and heading', () => {
    expect(() => parsePageSource('<h1>Reports</h1>\n', 'renderer/console/reports.html')).toThrow('renderer/console/reports.html: expected "<!-- title: ... -->" and "<!-- heading: ... -->" as its first two lines');
  });
});

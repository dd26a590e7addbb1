/** The console pages' shared frame (head, skip link, header with the navigation, main with its status region), around each page's own part. */

/** A page's source: `<!-- title: T -->` and `<!-- heading: H -->`, its content, then optionally `<!-- after-main -->` and what follows main (dialogs). */
export interface PageSource {
  title: string;
  heading: string;
  content: string;
  afterMain: string;
}

const TITLE = /^<!-- title: (.+) -->$/;
const HEADING = /^<!-- heading: (.+) -->$/;
const AFTER_MAIN = '<!-- after-main -->';

/** Reads a page source; `file` names it in the error when the first two lines are not its title and heading. */
export function parsePageSource(text: string, file: string): PageSource {
  const [titleLine = '', headingLine = '', ...rest] = text.split('\n');
  const title = TITLE.exec(titleLine)?.[1];
  const heading = HEADING.exec(headingLine)?.[1];
  if (title === undefined || heading === undefined) throw new Error(`${file}: expected "<!-- title: ... -->" and "<!-- heading: ... -->" as its first two lines`);
  const split = rest.indexOf(AFTER_MAIN);
  const content = split < 0 ? rest : rest.slice(0, split);
  const afterMain = split < 0 ? [] : rest.slice(split + 1);
  return { title, heading, content: content.join('\n').trimEnd(), afterMain: afterMain.join('\n').trimEnd() };
}

/** The whole page: the frame every console page shares, with `name`'s script and this page's parts. */
export function pageHtml(name: string, page: PageSource): string {
  return [
    '<!doctype html>',
    '<html lang="en-GB">',
    '<head>',
    '  <meta charset="utf-8">',
    '  <meta name="viewport" content="width=device-width, initial-scale=1">',
    `  <title>${page.title} – Portcullis console</title>`,
    '  <link rel="icon" href="/console/favicon.svg" type="image/svg+xml">',
    '  <link rel="stylesheet" href="/console/console.css">',
    `  <script src="/console/${name}.js" defer></script>`,
    '</head>',
    '<body>',
    '  <a class="skip-link" href="#main">Skip to main content</a>',
    '  <header class="site-header">',
    '    <p class="brand"><a href="/">Portcullis</a></p>',
    '    <nav id="nav" aria-label="Console pages"></nav>',
    '    <div id="account"></div>',
    '  </header>',
    '  <main id="main" tabindex="-1">',
    `    <h1>${page.heading}</h1>`,
    '    <div id="status" role="status" aria-live="polite"></div>',
    '    <div id="content">',
    page.content,
    '    </div>',
    '  </main>',
    ...(page.afterMain === '' ? [] : [page.afterMain]),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

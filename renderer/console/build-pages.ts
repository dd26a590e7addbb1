/** Builds the console's web pages into one flat directory (dist/console by default): each page's HTML, its bundled script, the style sheet and the icon. */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { CONSOLE_PAGE_NAMES, packageRoot } from '../../src/server/console-pages';
import { pageHtml, parsePageSource } from './page-layout';

/** renderer/console itself, whether this runs from there (tests) or from tsc's dist/renderer/console. */
const SOURCE = join(packageRoot(__dirname) ?? resolve(__dirname, '../..'), 'renderer', 'console');

/** Copied as they are. */
const STATIC_FILES = ['console.css', 'favicon.svg'];
/** Whole HTML documents already (the sign-in page has no navigation); every other page is put in the shared frame. */
const WHOLE_PAGES = new Set(['login']);

/**
 * Bundles each page's TypeScript (renderer/console/<page>.ts with its parts) for the browser and
 * copies the HTML, CSS and icon beside it. The pages load only files from here: the server's CSP
 * (default-src 'self') allows no inline script or style.
 */
export async function buildConsolePages(outDir: string, options: { minify?: boolean } = {}): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: CONSOLE_PAGE_NAMES.map((name) => join(SOURCE, `${name}.ts`)),
    outdir: outDir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16', 'edge110'],
    minify: options.minify ?? true,
    sourcemap: true,
    logLevel: 'warning',
  });
  for (const name of CONSOLE_PAGE_NAMES) {
    const file = join(SOURCE, `${name}.html`);
    if (WHOLE_PAGES.has(name)) copyFileSync(file, join(outDir, `${name}.html`));
    else writeFileSync(join(outDir, `${name}.html`), pageHtml(name, parsePageSource(readFileSync(file, 'utf8'), file)));
  }
  for (const name of STATIC_FILES) copyFileSync(join(SOURCE, name), join(outDir, name));
}

if (require.main === module) {
  const outDir = resolve(process.argv[2] ?? 'dist/console');
  buildConsolePages(outDir).catch((error: unknown) => {
    process.stderr.write(`portcullis: building the console pages failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}

/** Serves the console's built web pages (GET /, /login, /requests, ...) and their scripts, styles and icon under /console/, from memory, with the app's security headers. */

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './http/http-error';

/** Each page's path is `/<name>`; `/` is `index`. The same names as renderer/console/parts/page-list.ts (test/console checks they agree). */
export const CONSOLE_PAGE_NAMES = ['index', 'login', 'requests', 'approvals', 'events', 'reports', 'privacy', 'agents', 'settings'] as const;

/** The only files /console/ serves: a flat name with one of these endings, and nothing else from the directory. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};
const ASSET_NAME = /^[a-z0-9][a-z0-9-]*(\.[a-z]+)*$/;

export interface ConsolePagesOptions {
  /** Where the built pages are (default: dist/console under the package root). */
  dir?: string;
}

interface Served {
  body: Buffer;
  type: string;
  etag: string;
}

interface Loaded {
  pages: Map<string, Served>;
  assets: Map<string, Served>;
}

/**
 * The package's own directory: the nearest one above this module holding Portcullis's package.json.
 * Found by looking rather than by a fixed `../..`, because this module runs from src/ (tests), from
 * tsc's dist/src/server/ and from the single-file bundle dist/portcullis.js.
 */
export function packageRoot(from: string = __dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'portcullis') return dir;
      } catch {
        // Not JSON: not ours; keep looking upwards.
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

export function defaultConsoleDir(): string | undefined {
  const root = packageRoot();
  return root === undefined ? undefined : join(root, 'dist', 'console');
}

function served(body: Buffer, type: string): Served {
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

function extensionOf(name: string): string {
  const at = name.lastIndexOf('.');
  return at === -1 ? '' : name.slice(at);
}

function load(dir: string): Loaded {
  const pages = new Map<string, Served>();
  for (const name of CONSOLE_PAGE_NAMES) pages.set(name, served(readFileSync(join(dir, `${name}.html`)), 'text/html; charset=utf-8'));
  const assets = new Map<string, Served>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const type = CONTENT_TYPES[extensionOf(entry.name)];
    if (entry.isFile() && type !== undefined && ASSET_NAME.test(entry.name)) assets.set(entry.name, served(readFileSync(join(dir, entry.name)), type));
  }
  return { pages, assets };
}

function send(request: FastifyRequest, reply: FastifyReply, file: Served): FastifyReply {
  // Revalidated on every load (the ETag makes that cheap), so a rebuilt console is seen at once.
  reply.header('cache-control', 'no-cache').header('etag', file.etag);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.type(file.type).send(file.body);
}

/**
 * The pages plugin. The files are read once, at the first request, and served from memory: only
 * names listed then can be asked for, so no path reaches the file system.
 */
export function consolePages(options: ConsolePagesOptions = {}): FastifyPluginAsync {
  return async (app) => {
    let loaded: Loaded | undefined;
    const files = (): Loaded => {
      if (loaded !== undefined) return loaded;
      const dir = options.dir ?? defaultConsoleDir();
      try {
        if (dir === undefined) throw new Error('no package root');
        loaded = load(dir);
        return loaded;
      } catch (error) {
        app.log.error({ err: error, dir }, 'the console pages are not built');
        throw new HttpError(503, `The console pages are not built (looked in ${dir ?? 'the package'}): run npm run build.`);
      }
    };
    const doc = (summary: string) => ({ doc: { summary, auth: { kind: 'public' as const }, rawAnswer: 'text/html' } });
    for (const name of CONSOLE_PAGE_NAMES) {
      const path = name === 'index' ? '/' : `/${name}`;
      app.get(path, { config: doc(`The console's ${name} page`) }, async (request, reply) => {
        const page = files().pages.get(name);
        if (page === undefined) throw new HttpError(404, `no such page: ${path}`);
        return send(request, reply, page);
      });
    }
    app.get<{ Params: { file: string } }>('/console/:file', { config: doc("The console pages' scripts, styles and icon") }, async (request, reply) => {
      const asset = files().assets.get(request.params.file);
      if (asset === undefined) throw new HttpError(404, `no such file: /console/${request.params.file}`);
      return send(request, reply, asset);
    });
  };
}

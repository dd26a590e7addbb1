/**
 * docs/openapi.json is the document the running server serves at /openapi.json (its version
 * left out). After changing a route: UPDATE_OPENAPI=1 npx jest test/server/openapi-doc.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server/start-server';
import { TEST_SCRYPT_PARAMS } from '../support/console-server';
import { silentLogger } from '../support/databases';

const DOC = join(__dirname, '..', '..', 'docs', 'openapi.json');

it('docs/openapi.json is what the server describes at /openapi.json', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-openapi-'));
  const server = await startServer(
    { host: '127.0.0.1', port: 0, storage: { kind: 'sqlite', dataDir: dir }, tls: undefined, proxy: undefined, localHttp: true },
    { log: { level: 'silent' }, logger: silentLogger, scryptParams: TEST_SCRYPT_PARAMS, version: 'see package.json' },
  );
  try {
    const served = `${JSON.stringify(await (await fetch(`${server.url}openapi.json`)).json(), null, 2)}\n`;
    if (process.env.UPDATE_OPENAPI === '1') await writeFile(DOC, served);
    expect(await readFile(DOC, 'utf8').catch(() => 'docs/openapi.json is missing')).toBe(served);
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

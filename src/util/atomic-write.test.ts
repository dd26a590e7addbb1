import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atomic-write-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes a new file with the mode asked for, leaving no temporary file', async () => {
    const path = join(dir, 'secret.key');
    await writeFileAtomic(path, 'key', 0o600);
    expect(await readFile(path, 'utf8')).toBe('key');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['secret.key']);
  });

  it('replaces an existing file whole', async () => {
    const path = join(dir, 'policy.json');
    await writeFile(path, 'old old old old');
    await writeFileAtomic(path, Buffer.from('new'));
    expect(await readFile(path, 'utf8')).toBe('new');
    expect((await stat(path)).mode & 0o777).toBe(0o644);
  });

  it('fails in a missing directory', async () => {
    await expect(writeFileAtomic(join(dir, 'missing-dir', 'f'), 'x')).rejects.toThrow(/ENOENT/);
  });

  it('leaves the target and no temporary file behind when the rename fails', async () => {
    const target = join(dir, 'occupied');
    await mkdir(target);
    await writeFile(join(target, 'inner'), 'a');
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow();
    expect(await readFile(join(target, 'inner'), 'utf8')).toBe('a');
    expect(await readdir(dir)).toEqual(['occupied']);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSysfsFile, readSysfsText, SysfsReadError } from './sysfs-files';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-sysfs-files-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function textOf(content: Buffer | string): Promise<string> {
  const file = join(dir, 'attribute');
  await writeFile(file, content);
  return (await readSysfsText(file, false)).toString('latin1');
}

describe('readSysfsText', () => {
  test.each([
    ['a trailing newline', 'Name\n', 'Name'],
    ['several newlines', 'Name\n\n', 'Name'],
    ['NUL, tab and carriage return', 'Name\0\t\r\n', 'Name'],
    ['no newline at all', 'Name', 'Name'],
    ['only a newline', '\n', ''],
  ])('strips %s', async (_what, content, expected) => {
    expect(await textOf(content)).toBe(expected);
  });

  test.each([
    ['trailing spaces', 'Name  \n', 'Name  '],
    ['leading spaces', ' Name\n', ' Name'],
    ['a vertical tab or form feed', 'Name\v\f\n', 'Name\v\f'],
    ['a newline inside', 'A\n \n', 'A\n '],
    ['a NUL inside', 'P\0Q\n', 'P\0Q'],
  ])('keeps %s, as USBGuard does', async (_what, content, expected) => {
    expect(await textOf(content)).toBe(expected);
  });

  test('reads no more than 4096 bytes', async () => {
    expect((await textOf('x'.repeat(5000))).length).toBe(4096);
  });

  test('a missing optional attribute is empty; a missing required one is an error naming the file', async () => {
    const file = join(dir, 'serial');
    expect((await readSysfsText(file, true)).length).toBe(0);
    await expect(readSysfsText(file, false)).rejects.toThrow(SysfsReadError);
    await expect(readSysfsText(file, false)).rejects.toThrow(`${file} is missing`);
    await expect(readSysfsFile(file, false)).rejects.toMatchObject({ file });
  });

  test('other read errors are errors even for optional attributes', async () => {
    await expect(readSysfsText(dir, true)).rejects.toThrow(/EISDIR/);
  });
});

import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useTempDir } from '../../test/support/audit-fixtures';
import { LineSplitter, readFileLines, readFileTail } from './audit-lines';

const dir = useTempDir('audit-lines-');

async function lines(content: string | Buffer): Promise<{ text: string; number: number; terminated: boolean }[]> {
  const path = join(dir.path, 'f');
  await writeFile(path, content);
  const out = [];
  for await (const line of readFileLines(path)) out.push({ text: line.bytes.toString('latin1'), number: line.number, terminated: line.terminated });
  return out;
}

async function tail(content: string | Buffer): Promise<{ size: number; wholeEnd: number; lastLine?: string }> {
  const path = join(dir.path, 't');
  await writeFile(path, content);
  const handle = await open(path, 'r');
  try {
    const { size, wholeEnd, lastLine } = await readFileTail(handle);
    return lastLine === undefined ? { size, wholeEnd } : { size, wholeEnd, lastLine: lastLine.toString('latin1') };
  } finally {
    await handle.close();
  }
}

describe('LineSplitter', () => {
  it('joins lines split across chunks and holds back the bytes after the last newline', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Buffer.from('ab')).map(String)).toEqual([]);
    expect(splitter.push(Buffer.from('c\nd\n\nef')).map(String)).toEqual(['abc', 'd', '']);
    expect(String(splitter.partial)).toBe('ef');
    expect(splitter.push(Buffer.from('g\n')).map(String)).toEqual(['efg']);
    expect(splitter.partial.length).toBe(0);
  });
});

describe('readFileLines', () => {
  it('splits on \\n only, keeping a \\r, and flags a last line without a newline', async () => {
    expect(await lines('a\r\nb\n\nc')).toEqual([
      { text: 'a\r', number: 1, terminated: true },
      { text: 'b', number: 2, terminated: true },
      { text: '', number: 3, terminated: true },
      { text: 'c', number: 4, terminated: false },
    ]);
    expect(await lines('')).toEqual([]);
  });

  it('reads lines longer than one chunk whole', async () => {
    const long = 'x'.repeat(200_000);
    expect((await lines(`${long}\nend\n`)).map((l) => l.text.length)).toEqual([200_000, 3]);
  });
});

describe('readFileTail', () => {
  it('finds the last whole line and any bytes after it', async () => {
    expect(await tail('')).toEqual({ size: 0, wholeEnd: 0 });
    expect(await tail('partial')).toEqual({ size: 7, wholeEnd: 0 });
    expect(await tail('only\n')).toEqual({ size: 5, wholeEnd: 5, lastLine: 'only' });
    expect(await tail('one\ntwo\nthr')).toEqual({ size: 11, wholeEnd: 8, lastLine: 'two' });
    expect(await tail('one\n\n')).toEqual({ size: 5, wholeEnd: 5, lastLine: '' });
  });

  it('reads backwards across chunk boundaries', async () => {
    const long = 'y'.repeat(150_000);
    expect(await tail(`${'z'.repeat(100_000)}\n${long}\n${'w'.repeat(70_000)}`)).toEqual({ size: 320_002, wholeEnd: 250_002, lastLine: long });
  });
});

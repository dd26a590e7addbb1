import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useTempDir, writeLog } from '../../test/support/audit-fixtures';
import { chainOrder, listRotatedFiles, readFileEnds, rotatedPath } from './audit-files';

const dir = useTempDir('audit-files-');

describe('listRotatedFiles', () => {
  it('lists the numbered files beside the live file, oldest first, and nothing else', async () => {
    const live = join(dir.path, 'audit.jsonl');
    for (const name of ['audit.jsonl', 'audit.jsonl.1', 'audit.jsonl.10', 'audit.jsonl.2', 'audit.jsonl.0', 'audit.jsonl.x', 'audit.jsonl.2.tmp', 'other.jsonl.1']) {
      await writeFile(join(dir.path, name), '');
    }
    await mkdir(join(dir.path, 'sub'));
    expect(await listRotatedFiles(live)).toEqual([
      { path: rotatedPath(live, 10), number: 10 },
      { path: rotatedPath(live, 2), number: 2 },
      { path: rotatedPath(live, 1), number: 1 },
    ]);
  });
});

describe('chainOrder', () => {
  it('puts a rotation set oldest first, as a shell glob does not', () => {
    expect(chainOrder(['audit.jsonl', 'audit.jsonl.1', 'audit.jsonl.10', 'audit.jsonl.2'])).toEqual(['audit.jsonl.10', 'audit.jsonl.2', 'audit.jsonl.1', 'audit.jsonl']);
    expect(chainOrder(['/a/audit.jsonl.1', '/a/audit.jsonl.2'])).toEqual(['/a/audit.jsonl.2', '/a/audit.jsonl.1']);
  });

  it('keeps separate sets in the order given', () => {
    expect(chainOrder(['b.jsonl', 'a.jsonl', 'b.jsonl.1', 'a.jsonl.1'])).toEqual(['b.jsonl.1', 'b.jsonl', 'a.jsonl.1', 'a.jsonl']);
  });
});

describe('readFileEnds', () => {
  it('reads the first and last records of a file', async () => {
    const path = join(dir.path, 'audit.jsonl');
    const records = await writeLog(path, 5);
    expect(await readFileEnds(path)).toEqual({ first: records[0], last: records[4] });
  });

  it('gives nothing for an empty file or lines that are not records', async () => {
    const path = join(dir.path, 'x');
    await writeFile(path, '');
    expect(await readFileEnds(path)).toEqual({});
    await writeFile(path, 'not json\n');
    expect(await readFileEnds(path)).toEqual({});
  });
});

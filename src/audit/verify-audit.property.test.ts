import fc from 'fast-check';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useTempDir, writeLog } from '../../test/support/audit-fixtures';
import { assertNever } from '../util/assert-never';
import { verifyAuditFiles } from './verify-audit';

const dir = useTempDir('verify-property-');

/** Lines of a log, each tagged with its file (0 = oldest). */
type Flat = { file: number; bytes: Buffer }[];

type Mutation =
  | { kind: 'edit'; index: number; position: number; byte: number }
  | { kind: 'delete'; index: number }
  | { kind: 'swap'; i: number; j: number }
  | { kind: 'duplicate'; index: number };

async function readLayout(live: string): Promise<{ files: number; flat: Flat }> {
  const number = (name: string): number => Number(name.slice('audit.jsonl.'.length) || 0);
  const names = (await readdir(join(live, '..'))).sort((a, b) => number(b) - number(a));
  const flat: Flat = [];
  for (const [file, name] of names.entries()) {
    const text = await readFile(join(live, '..', name));
    let start = 0;
    for (let end = text.indexOf(10); end >= 0; start = end + 1, end = text.indexOf(10, start)) flat.push({ file, bytes: text.subarray(start, end) });
  }
  return { files: names.length, flat };
}

/** The mutated lines, and the index (in them) of the first line the mutation affects. */
function mutate(flat: Flat, mutation: Mutation): { lines: Flat; first: number } {
  const lines = [...flat];
  switch (mutation.kind) {
    case 'edit': {
      const line = lines[mutation.index] as Flat[number];
      const bytes = Buffer.from(line.bytes);
      const position = mutation.position % bytes.length;
      bytes[position] = bytes[position] === mutation.byte ? (mutation.byte + 1) % 256 : mutation.byte;
      lines[mutation.index] = { file: line.file, bytes };
      return { lines, first: mutation.index };
    }
    case 'delete':
      lines.splice(mutation.index, 1);
      return { lines, first: mutation.index };
    case 'swap': {
      const [a, b] = [lines[mutation.i] as Flat[number], lines[mutation.j] as Flat[number]];
      lines[mutation.i] = { file: a.file, bytes: b.bytes };
      lines[mutation.j] = { file: b.file, bytes: a.bytes };
      return { lines, first: mutation.i };
    }
    case 'duplicate':
      lines.splice(mutation.index + 1, 0, lines[mutation.index] as Flat[number]);
      return { lines, first: mutation.index + 1 };
    default:
      return assertNever(mutation);
  }
}

function mutations(records: number): fc.Arbitrary<Mutation> {
  const index = fc.nat(records - 1);
  return fc.oneof(
    fc.record({ kind: fc.constant('edit' as const), index, position: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    // Never the very last record: removing the end of the chain cannot show in the files (the console server's copy shows it).
    fc.record({ kind: fc.constant('delete' as const), index: fc.nat(records - 2) }),
    fc
      .tuple(index, index)
      .filter(([i, j]) => i !== j)
      .map(([i, j]) => ({ kind: 'swap' as const, i: Math.min(i, j), j: Math.max(i, j) })),
    fc.record({ kind: fc.constant('duplicate' as const), index }),
  );
}

describe.each([
  ['one file', 12, {}],
  ['rotated files', 30, { maxBytes: 2000 }],
])('verifyAuditFiles on %s (property)', (_name, count, options) => {
  it('detects any single edit, removal, swap or repetition, and names the first line it affects', async () => {
    const base = join(dir.path, 'base', 'audit.jsonl');
    await writeLog(base, count, options);
    const { files, flat } = await readLayout(base);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(mutations(flat.length), async (mutation) => {
        const out = join(dir.path, `run-${run++}`);
        await mkdir(out);
        const { lines, first } = mutate(flat, mutation);
        const paths = Array.from({ length: files }, (_, file) => join(out, `f${file}.jsonl`));
        for (const [file, path] of paths.entries()) {
          await writeFile(path, Buffer.concat(lines.filter((l) => l.file === file).flatMap((l) => [l.bytes, Buffer.from('\n')])));
        }
        const target = lines[first] as Flat[number];
        const line = lines.slice(0, first).filter((l) => l.file === target.file).length + 1;
        const verified = await verifyAuditFiles(paths);
        expect(verified).toMatchObject({ ok: false, error: { file: paths[target.file], line } });
      }),
      { numRuns: 150 },
    );
  });
});

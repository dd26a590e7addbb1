import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError, type CliIo } from '../../src/cli/command';
import { generatePolicyCommand } from '../../src/cli/commands/generate-policy';
import { loadUmockdevTree, type UmockdevTree } from '../support/umockdev-tree';
import {
  HAVE_USBGUARD,
  liveGeneratePolicy,
  recordedOutputs,
  recordings,
  UMOCKDEV_FIXTURES,
  variantArgs,
  whenInstalled,
} from '../support/usbguard-oracle';

interface Captured {
  status: number;
  out: string;
  err: string;
}

async function generatePolicy(sysfsRoot: string, args: readonly string[]): Promise<Captured> {
  let out = '';
  let err = '';
  const io: CliIo = {
    readStdin: () => Promise.resolve(''),
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
  };
  const status = await generatePolicyCommand.run(['--sysfs-root', sysfsRoot, ...args], io);
  return { status, out, err };
}

/** One materialised tree per recording, shared by the tests of this file. */
const trees = new Map<string, UmockdevTree>();
async function sysfsRootOf(recording: string): Promise<string> {
  let tree = trees.get(recording);
  if (!tree) {
    tree = await loadUmockdevTree(join(UMOCKDEV_FIXTURES, `${recording}.umockdev`));
    trees.set(recording, tree);
  }
  return tree.sysfsRoot;
}
afterAll(async () => {
  for (const tree of trees.values()) await tree.cleanup();
});

describe('portcullis generate-policy prints what usbguard generate-policy printed', () => {
  test('every recording has a recorded output', () => {
    const recorded = new Set(recordedOutputs().filter((o) => o.variant === undefined).map((o) => o.recording));
    expect([...recorded].sort()).toEqual(recordings());
  });

  test.each(recordedOutputs().map((o) => [o.file, o] as const))('%s', async (_file, { recording, variant, file }) => {
    const expected = await readFile(join(UMOCKDEV_FIXTURES, file), 'utf8');
    const result = await generatePolicy(await sysfsRootOf(recording), variantArgs(variant));
    expect(result.status).toBe(0);
    expect(result.out).toBe(expected);
  });
});

describe('portcullis generate-policy matches usbguard generate-policy run live', () => {
  whenInstalled(HAVE_USBGUARD, 'umockdev-run and usbguard', () => {
    const cases = recordings().flatMap((recording) =>
      [[], ['--with-ports'], ['--no-hashes'], ['--hash-only', '--with-ports'], ['--no-ports-sn', '--target', 'reject']].map((args) => [recording, args] as const),
    );
    test.each(cases)('%s %j', async (recording, args) => {
      const ours = await generatePolicy(await sysfsRootOf(recording), args);
      expect(ours.out).toBe(liveGeneratePolicy(recording, args));
    });
  });
});

describe('portcullis generate-policy', () => {
  test('says on stderr which devices it left out, and why', async () => {
    const result = await generatePolicy(await sysfsRootOf('portcullis-edge-cases'), []);
    expect(result.status).toBe(0);
    expect(result.err).toMatch(/^portcullis generate-policy: left out 1-7: .*\/1-7\/descriptors: a partial descriptor header at byte 43$/m);
    expect(result.err.trimEnd().split('\n')).toHaveLength(4);
  });

  test('takes the short options usbguard takes', async () => {
    const root = await sysfsRootOf('devices');
    const long = await generatePolicy(root, ['--hash-only', '--with-ports', '--target', 'block']);
    expect((await generatePolicy(root, ['-H', '-p', '-t', 'block'])).out).toBe(long.out);
    expect(long.out.trimEnd().split('\n').at(-1)).toBe('block');
  });

  test.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['extra'], /Unexpected argument 'extra'/],
    [['--target', 'match'], /--target must be one of allow, block, reject, not "match"/],
    [['--target'], /--target/],
  ])('rejects %j', async (args, message) => {
    const run = () => generatePolicyCommand.run(args, { readStdin: () => Promise.resolve(''), out: () => undefined, err: () => undefined });
    await expect(run()).rejects.toThrow(UsageError);
    await expect(run()).rejects.toThrow(message);
  });

  test('fails when the sysfs root does not exist', async () => {
    await expect(generatePolicy('/nonexistent/portcullis-sys', [])).rejects.toThrow(/cannot open the sysfs root \/nonexistent\/portcullis-sys/);
  });
});

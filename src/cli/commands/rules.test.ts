/** Tests of `portcullis rules canon` and `portcullis rules check`, run in-process with a fake CliIo. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, type CliIo, type Command } from '../command';
import { rulesCanonCommand, rulesCheckCommand, rulesCommands } from './rules';

interface Run {
  status: number;
  out: string;
  err: string;
}

async function run(command: Command, args: string[], stdin = ''): Promise<Run> {
  const result = { out: '', err: '' };
  const io: CliIo = { readStdin: async () => stdin, out: (text) => void (result.out += text), err: (text) => void (result.err += text) };
  const status = await command.run(args, io);
  return { status, ...result };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rules-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('rules commands', () => {
  it('are registered under "rules" with usage text', () => {
    expect(rulesCommands.map((command) => command.path.join(' '))).toEqual(['rules canon', 'rules check']);
    for (const command of rulesCommands) expect(command.usage).toMatch(/^portcullis rules /);
  });
});

describe('rules canon', () => {
  it('writes one line per input line: the canonical rule, an empty line, or ERROR', async () => {
    const stdin = ['allow label "a" name "x" via-port "1-2"', '# a comment', '', 'allow nmae "x"', 'block if rule-evaluated'].join('\n');
    const result = await run(rulesCanonCommand, [], `${stdin}\n`);
    expect(result.out).toBe(
      [
        'allow name "x" via-port "1-2" label "a"',
        '',
        '',
        "ERROR <input>:4:7: expected an attribute name (id, hash, parent-hash, name, serial, via-port, with-interface, with-connect-type, label) or 'if'",
        'block if rule-applied',
        '',
      ].join('\n'),
    );
    expect(result.status).toBe(1);
  });

  it('exits 0 when every line is fine, and reads a last line without a newline', async () => {
    expect(await run(rulesCanonCommand, [], 'allow 1234:5678\nreject')).toEqual({ status: 0, out: 'allow id 1234:5678\nreject\n', err: '' });
    expect(await run(rulesCanonCommand, [], '')).toEqual({ status: 0, out: '', err: '' });
  });

  it('refuses arguments', async () => {
    await expect(run(rulesCanonCommand, ['rules.conf'])).rejects.toThrow(UsageError);
  });
});

describe('rules check', () => {
  it('summarises a good file, with comments and empty lines', async () => {
    const file = join(dir, 'rules.conf');
    await writeFile(file, '# policy\n\nallow id 1234:5678\nblock with-interface 08:*:* # storage\n');
    expect(await run(rulesCheckCommand, [file])).toEqual({ status: 0, out: `${file}: 2 rules OK\n`, err: '' });
    await writeFile(file, 'allow\n');
    expect((await run(rulesCheckCommand, [file])).out).toBe(`${file}: 1 rule OK\n`);
  });

  it('prints every error with its position and exits 1', async () => {
    const file = join(dir, 'rules.conf');
    await writeFile(file, 'allow name "x" name "y"\nallow\nblock if localtime(12:00-10:00)\n');
    const result = await run(rulesCheckCommand, [file]);
    expect(result.status).toBe(1);
    expect(result.out).toBe(
      `${file}:1:16: name attribute already defined\n${file}:3:20: expected a time interval such as 10:00-12:00, whose start is not after its end\n`,
    );
  });

  it('names a file it cannot read', async () => {
    const missing = join(dir, 'missing.conf');
    expect(await run(rulesCheckCommand, [missing])).toEqual({ status: 1, out: '', err: `cannot read rules file ${missing}: no such file\n` });
    expect((await run(rulesCheckCommand, [dir])).err).toBe(`cannot read rules file ${dir}: it is a folder\n`);
  });

  it('wants exactly one file', async () => {
    await expect(run(rulesCheckCommand, [])).rejects.toThrow(UsageError);
    await expect(run(rulesCheckCommand, ['a', 'b'])).rejects.toThrow(UsageError);
  });
});

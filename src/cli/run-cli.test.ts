import { UsageError, type CliIo, type Command } from './command';
import { runCli } from './run-cli';

function capture(): CliIo & { text: { out: string; err: string } } {
  const text = { out: '', err: '' };
  return { text, readStdin: async () => '', out: (t) => void (text.out += t), err: (t) => void (text.err += t) };
}

const command = (path: string[], run: Command['run']): Command => ({ path, summary: `${path.join(' ')} summary`, usage: `portcullis ${path.join(' ')} ARG`, run });

const commands = [
  command(['rules', 'check'], async (args, io) => {
    io.out(`checked ${args.join(',')}\n`);
    return 0;
  }),
  command(['rules'], async () => {
    throw new UsageError('which rules command?');
  }),
  command(['broken'], async () => {
    throw new Error('disk on fire');
  }),
];

describe('runCli', () => {
  it('runs the command with the longest matching path, passing the rest as arguments', async () => {
    const io = capture();
    expect(await runCli(commands, ['rules', 'check', 'a.conf'], io)).toBe(0);
    expect(io.text.out).toBe('checked a.conf\n');
  });

  it('lists the commands for help, and exits 2 when given nothing', async () => {
    const io = capture();
    expect(await runCli(commands, ['help'], io)).toBe(0);
    expect(io.text.out).toContain('portcullis rules check  rules check summary');
    expect(await runCli(commands, [], capture())).toBe(2);
  });

  it('prints a command usage for --help', async () => {
    const io = capture();
    expect(await runCli(commands, ['rules', 'check', '--help'], io)).toBe(0);
    expect(io.text.out).toBe('Usage: portcullis rules check ARG\n\nrules check summary\n');
  });

  it('exits 2 with the usage for an unknown command or bad usage', async () => {
    const unknown = capture();
    expect(await runCli(commands, ['frobnicate'], unknown)).toBe(2);
    expect(unknown.text.err).toMatch(/^portcullis: unknown command 'frobnicate'/);
    const bad = capture();
    expect(await runCli(commands, ['rules', 'x'], bad)).toBe(2);
    expect(bad.text.err).toBe('portcullis rules: which rules command?\nUsage: portcullis rules ARG\n');
  });

  it('exits 1 with the message when a command fails', async () => {
    const io = capture();
    expect(await runCli(commands, ['broken'], io)).toBe(1);
    expect(io.text.err).toBe('portcullis broken: disk on fire\n');
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOOD_PASSWORD, TEST_SCRYPT_PARAMS } from '../../../test/support/console-server';
import { forEachDatabase, silentLogger } from '../../../test/support/databases';
import { runCommand } from '../../../test/support/run-command';
import { databaseTarget, policyKeyArgs } from '../../../test/support/server-targets';
import { openDatabase } from '../../server/db/open-database';
import { parsePolicyDocument } from '../../policy/policy-document';
import type { Command } from '../command';
import { createServerCommands } from './server';
import { createServerPolicyCommands } from './server-policy';

const OWN_BASE = { mode: 'enforce', implicitTarget: 'block', rules: [{ id: 'visualisers', rule: 'allow id 1234:5678', reason: 'the classroom visualisers' }], idle: { lockAfter: '10m' } };

function byPath(list: readonly Command[], path: string): Command {
  const command = list.find((candidate) => candidate.path.join(' ') === path);
  if (command === undefined) throw new Error(`no command ${path}`);
  return command;
}

forEachDatabase((harness) => {
  it('shows the built-in base, publishes a base from a file as the only IT admin, and shows it back', async () => {
    const fresh = await harness.empty();
    const { args, env } = databaseTarget(fresh);
    const policy = createServerPolicyCommands({ env, logger: silentLogger });
    const add = byPath(createServerCommands({ env, untilStopped: () => new Promise(() => undefined), logger: silentLogger, scryptParams: TEST_SCRYPT_PARAMS }), 'server user add');
    const show = byPath(policy, 'server policy base show');
    const set = byPath(policy, 'server policy base set');

    const builtIn = await runCommand(show, args);
    expect(builtIn.status).toBe(0);
    expect(builtIn.err).toBe('The built-in default: no policy has been published yet.\n');
    expect(JSON.parse(builtIn.out)).toMatchObject({ mode: 'enforce', implicitTarget: 'block' });

    const dir = mkdtempSync(join(tmpdir(), 'portcullis-base-'));
    const file = join(dir, 'base.json');
    writeFileSync(file, JSON.stringify(OWN_BASE));
    const keyArgs = await policyKeyArgs(fresh);
    expect(await runCommand(set, [file, ...keyArgs, ...args])).toMatchObject({ status: 1, err: '--by: there is no IT admin: add one with portcullis server user add --role it-admin, or name the console user with --by EMAIL\n' });
    await runCommand(add, ['--email', 'it@school.example', '--role', 'it-admin', '--name', 'Ian Tech', ...args], `${GOOD_PASSWORD}\n`);
    const published = await runCommand(set, [file, ...keyArgs, ...args]);
    expect(published).toMatchObject({ status: 0, out: `Published policy version 1 with the base policy from ${file}, as it@school.example.\n` });

    const db = await openDatabase(fresh.options, { logger: silentLogger });
    const row = await db.get<{ document_text: string; created_by: string }>('SELECT document_text, created_by FROM policy_versions WHERE version = 1');
    await db.close();
    const document = parsePolicyDocument(row?.document_text ?? '', 'version 1');
    expect(document.ok && document.value.rules.map((entry) => entry.id)).toEqual(['visualisers']);
    expect(document.ok && document.value.idle?.lockAfter).toBe(600_000);

    const shown = await runCommand(show, args);
    expect(shown.err).toBe('From policy version 1.\n');
    expect(JSON.parse(shown.out)).toEqual({ ...OWN_BASE, idle: expect.objectContaining({ lockAfter: '10m' }) });
  });

  it('refuses a file that is not a valid base, naming the file and the field, and publishes nothing', async () => {
    const fresh = await harness.migrated();
    const { args, env } = databaseTarget(fresh);
    const set = byPath(createServerPolicyCommands({ env, logger: silentLogger }), 'server policy base set');
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-base-'));
    const file = join(dir, 'base.json');
    writeFileSync(file, JSON.stringify({ ...OWN_BASE, implicitTarget: 'maybe' }));
    const refused = await runCommand(set, [file, ...args]);
    expect(refused.status).toBe(1);
    expect(refused.err).toBe(`${file}: implicitTarget: expected "allow", "block" or "reject"\n`);
    expect((await runCommand(set, [join(dir, 'missing.json'), ...args])).err).toMatch(/missing\.json: /);
    const db = await openDatabase(fresh.options, { logger: silentLogger });
    expect(await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM policy_versions')).toEqual({ n: 0 });
    await db.close();
  });
});

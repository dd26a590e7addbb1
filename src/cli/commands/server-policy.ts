/** `portcullis server policy base show|set`: read the school's base policy from the console's database, or publish a new one from a file. */

import { ApprovalStore, DecisionRefused } from '../../server/approval-store';
import { currentBase } from '../../server/approval-records';
import { parseBasePolicy } from '../../server/approvals/base-policy';
import { policyDocumentText } from '../../server/approvals/policy-text';
import { PolicyPublisher } from '../../server/policy-publisher';
import { HEARTBEAT_MS } from '../../server/policy-stream';
import { loadServerKeys } from '../../server/server-keys';
import { readText } from '../../policy/read-text';
import { createLogger, type Logger } from '../../util/logger';
import { fail, UsageError, type Command } from '../command';
import { parseCommandLine } from '../parse-command-line';
import { DATA_HELP, itAdmin, withServerDatabase } from './server-admin';

export interface ServerPolicyCommandDeps {
  env: NodeJS.ProcessEnv;
  logger?: Logger;
}

export function createServerPolicyCommands(deps: ServerPolicyCommandDeps = { env: process.env }): Command[] {
  const logger = deps.logger ?? createLogger('server', process.stderr, 'warn');

  const show: Command = {
    path: ['server', 'policy', 'base', 'show'],
    summary: "Print the school's base policy in force (mode, default target, base rules, other devices, idle) as the JSON `set` takes",
    usage: `portcullis server policy base show [--data DIR] > base.json   (${DATA_HELP})`,
    async run(args, io) {
      const { values } = parseCommandLine({ args, options: { data: { type: 'string' } } });
      const { base, version } = await withServerDatabase(values.data, deps.env, logger, currentBase);
      io.out(policyDocumentText(base));
      io.err(version === null ? 'The built-in default: no policy has been published yet.\n' : `From policy version ${version}.\n`);
      return 0;
    },
  };

  const set: Command = {
    path: ['server', 'policy', 'base', 'set'],
    summary: "Publish a new base policy from a file: the next version has it and every approval still in force; a file that is not valid changes nothing",
    usage: `portcullis server policy base set FILE [--by EMAIL] [--policy-key FILE] [--data DIR]   (recorded as the IT admin --by names, or the only one; the signing key as for portcullis server; ${DATA_HELP})`,
    async run(args, io) {
      const { values, positionals } = parseCommandLine({ args, allowPositionals: true, options: { by: { type: 'string' }, 'policy-key': { type: 'string' }, data: { type: 'string' } } });
      const [file, ...extra] = positionals;
      if (file === undefined || extra.length > 0) throw new UsageError('expected one file: the base policy (JSON, as portcullis server policy base show prints it)');
      const text = await readText(file);
      if (!text.ok) return fail(io, text.error);
      const base = parseBasePolicy(text.value, file);
      if (!base.ok) return fail(io, base.error);
      return withServerDatabase(values.data, deps.env, logger, async (db, storage) => {
        const by = await itAdmin(db, values.by);
        if (!by.ok) return fail(io, by.error);
        const keys = await loadServerKeys({ dataDir: storage.kind === 'sqlite' ? storage.dataDir : undefined, privateKeyPath: values['policy-key'] }, { logger });
        const approvals = new ApprovalStore({ db, publisher: new PolicyPublisher({ db, keys, logger }), logger });
        const published = await approvals.publishBase(base.value, { id: by.value.id, name: by.value.name, role: by.value.role }).catch((error: unknown) => {
          if (error instanceof DecisionRefused) return error;
          throw error;
        });
        if (published instanceof DecisionRefused) return fail(io, published.message);
        io.out(`Published policy version ${published.policyVersion} with the base policy from ${file}, as ${by.value.email}.\n`);
        io.err(`PCs connected to a running console server receive it within ${HEARTBEAT_MS / 1000} seconds.\n`);
        return 0;
      });
    },
  };

  return [show, set];
}

export const serverPolicyCommands: readonly Command[] = createServerPolicyCommands();

#!/usr/bin/env node
/** The `portcullis` command. */
import type { Command } from './command';
import { agentCommand, agentUninstallCommand } from './commands/agent';
import { auditCommands } from './commands/audit';
import { devicesCommand } from './commands/devices';
import { generatePolicyCommand } from './commands/generate-policy';
import { idleCommands } from './commands/idle';
import { idlePresentingCommand } from './commands/idle-presenting';
import { localCommand } from './commands/local';
import { policyCommands } from './commands/policy';
import { reportCommands } from './commands/report';
import { rulesCommands } from './commands/rules';
import { serverCommands } from './commands/server';
import { requestCommand, statusCommand } from './commands/status';
import { processIo } from './node-io';
import { runCli } from './run-cli';

export const COMMANDS: readonly Command[] = [
  agentCommand,
  agentUninstallCommand,
  statusCommand,
  requestCommand,
  devicesCommand,
  generatePolicyCommand,
  ...rulesCommands,
  ...policyCommands,
  ...auditCommands,
  ...idleCommands,
  idlePresentingCommand,
  ...reportCommands,
  ...serverCommands,
  localCommand,
];

runCli(COMMANDS, process.argv.slice(2), processIo()).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`portcullis: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);

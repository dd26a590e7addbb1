/** The commands a staff PC needs (the agent service and what talks to it, devices, rules, policies, audit, idle): everything but the console server. */
import type { Command } from './command';
import { agentCommand, agentUninstallCommand } from './commands/agent';
import { auditCommands } from './commands/audit';
import { devicesCommand } from './commands/devices';
import { generatePolicyCommand } from './commands/generate-policy';
import { idleCommands } from './commands/idle';
import { idlePresentingCommand } from './commands/idle-presenting';
import { policyCommands } from './commands/policy';
import { reportCommands } from './commands/report';
import { rulesCommands } from './commands/rules';
import { requestCommand, statusCommand } from './commands/status';

export const PC_COMMANDS: readonly Command[] = [
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
];

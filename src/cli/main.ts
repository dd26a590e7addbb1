#!/usr/bin/env node
/** The `portcullis` command: everything, the console server included. */
import { localCommand } from './commands/local';
import { serverCommands } from './commands/server';
import { serverPolicyCommands } from './commands/server-policy';
import { PC_COMMANDS } from './pc-commands';
import { runMain } from './run-main';

runMain([...PC_COMMANDS, ...serverCommands, ...serverPolicyCommands, localCommand]);

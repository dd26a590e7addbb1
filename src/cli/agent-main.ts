#!/usr/bin/env node
/**
 * `portcullis-agent`: the command as each staff PC runs it (the service and its tools), without
 * the console server's code, so the service loads only what it uses (bench/vm measures its memory).
 */
import { PC_COMMANDS } from './pc-commands';
import { runMain } from './run-main';

runMain(PC_COMMANDS);

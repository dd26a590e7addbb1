/** `portcullis agent` (the service, in the foreground, as systemd runs it) and `portcullis agent uninstall`. */
import { hostname } from 'node:os';
import { agentConfigSchema, DEFAULT_CONFIG_FILE, type AgentConfig, type AgentConfigInput } from '../../agent/agent-config';
import { enrolAgent } from '../../agent/server-link/enrol-agent';
import { parseServerUrl } from '../../agent/server-link/server-url';
import { platformParts } from '../../agent/platform';
import { startAgent } from '../../agent/start-agent';
import { loadAgentConfig } from '../../agent/load-agent-config';
import { createLogger } from '../../util/logger';
import { fail, UsageError, type CliIo, type Command } from '../command';
import { parseCommandLine } from '../parse-command-line';
import { PORTCULLIS_VERSION } from '../version';

const agentOptions = {
  config: { type: 'string' },
  'sysfs-root': { type: 'string' },
  rules: { type: 'string' },
  policy: { type: 'string' },
  'trust-key': { type: 'string', multiple: true },
  mode: { type: 'string' },
  'audit-log': { type: 'string' },
  socket: { type: 'string' },
  'state-dir': { type: 'string' },
  server: { type: 'string' },
  enrol: { type: 'string' },
} as const;

function flagsOf(values: Partial<Record<keyof typeof agentOptions, string | string[] | undefined>>): AgentConfigInput {
  const text = (name: keyof typeof agentOptions): string | undefined => values[name] as string | undefined;
  const mode = text('mode');
  if (mode !== undefined && mode !== 'enforce' && mode !== 'audit') throw new UsageError(`--mode must be enforce or audit, not "${mode}"`);
  return {
    sysfsRoot: text('sysfs-root'),
    rules: text('rules'),
    policy: text('policy'),
    trustKeys: values['trust-key'] as string[] | undefined,
    mode,
    auditLog: text('audit-log'),
    socket: text('socket'),
    stateDir: text('state-dir'),
    server: text('server'),
  };
}

/** `--enrol TOKEN`: enrols this PC with the console server once, then exits; the service itself runs without the flag. */
async function enrol(config: AgentConfig, token: string, configFile: string, io: CliIo): Promise<number> {
  if (config.server === undefined) throw new UsageError('--enrol TOKEN needs the console server: --server URL (or "server" in the config file)');
  const server = parseServerUrl(config.server);
  if (!server.ok) return fail(io, server.error);
  const enrolled = await enrolAgent({ server: server.value, token, stateDir: config.stateDir, machine: config.machine ?? hostname(), version: PORTCULLIS_VERSION, fetch, clock: () => new Date() });
  if (!enrolled.ok) return fail(io, `not enrolled: ${enrolled.error}`);
  const { identity, dir, policyKeyId } = enrolled.value;
  io.out(
    `Enrolled with ${identity.server} as ${identity.agentId}; policies signed by its key ${policyKeyId} are now trusted (files in ${dir}).\n` +
      `Make sure ${configFile} has "server": "${identity.server}", then restart the service: systemctl restart portcullis-agent\n`,
  );
  return 0;
}

/** Resolves when the process is asked to stop; SIGHUP re-reads the policy instead. */
function untilStopped(onReload: () => void): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
    process.on('SIGHUP', onReload);
  });
}

export const agentCommand: Command = {
  path: ['agent'],
  summary: 'Run the agent service in the foreground: decide, enforce and audit every device',
  usage:
    'portcullis agent [--config FILE] [--sysfs-root DIR] [--rules FILE | --policy FILE --trust-key KEY... | --server URL] [--mode enforce|audit] [--audit-log FILE] [--socket PATH] [--state-dir DIR]\n' +
    '       portcullis agent --server URL --enrol TOKEN [--config FILE] [--state-dir DIR]   (once per PC: enrol with the console server, then exit)',
  async run(args, io) {
    const { values } = parseCommandLine({ args, options: agentOptions });
    const configFile = values.config ?? DEFAULT_CONFIG_FILE;
    const loaded = await loadAgentConfig(configFile, values.config !== undefined, flagsOf(values));
    if (!loaded.ok) return fail(io, loaded.error);
    if (values.enrol !== undefined) return enrol(loaded.value.config, values.enrol, configFile, io);
    const logger = createLogger('agent');
    if (loaded.value.refused) logger.error('the config file was refused; running with the last good config', { refused: loaded.value.refused });
    const running = await startAgent(loaded.value.config, { version: PORTCULLIS_VERSION, logger });
    const ticker = setInterval(() => void running.tick().catch((error: unknown) => logger.error('policy refresh failed', { error: String(error) })), 5_000);
    const reason = await untilStopped(() => void running.agent.reloadPolicy());
    clearInterval(ticker);
    await running.stop(reason);
    logger.info('agent stopped', { reason });
    return 0;
  },
};

export const agentUninstallCommand: Command = {
  path: ['agent', 'uninstall'],
  summary: "Give the kernel its USB defaults back (new devices get drivers again), before removing Portcullis",
  usage: 'portcullis agent uninstall [--sysfs-root DIR] [--state-dir DIR]',
  async run(args, io) {
    const { values } = parseCommandLine({ args, options: { 'sysfs-root': { type: 'string' }, 'state-dir': { type: 'string' } } });
    const config = agentConfigSchema.parse({ sysfsRoot: values['sysfs-root'], stateDir: values['state-dir'] });
    const parts = await platformParts(process.platform, { config, logger: createLogger('agent'), agent: () => { throw new Error('no agent runs during uninstall'); } });
    const restored = await parts.enforcing.restoreDefaults();
    if (!restored.ok) return fail(io, restored.error);
    io.out(`${restored.detail}\nDevices blocked now stay blocked until they are unplugged and plugged in again.\n`);
    return 0;
  },
};

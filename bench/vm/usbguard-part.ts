/** The benchmark's extra initramfs part: Debian's usbguard-daemon with the test rules, and the usbwatch probe compiled for the guest. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_RULES } from '../../test/e2e/guest-agent';
import { hostCommand } from '../../test/e2e/vm/host-command';
import { digest, fileStamp, type ImagePart } from '../../test/e2e/vm/image-parts';
import type { ImageStaging } from '../../test/e2e/vm/image-staging';
import { REPO_ROOT } from '../../test/e2e/vm/repo-paths';

export const USBWATCH = '/opt/bench/usbwatch';
export const USBGUARD_DAEMON = '/usr/sbin/usbguard-daemon';
export const USBGUARD_CLI = '/usr/bin/usbguard';
export const USBGUARD_CONFIG = '/etc/usbguard/usbguard-daemon.conf';
export const USBGUARD_AUDIT_LOG = '/var/log/usbguard/usbguard-audit.log';

const USBWATCH_SOURCE = join(REPO_ROOT, 'bench', 'vm', 'guest', 'usbwatch.c');

/**
 * As close to the agent as USBGuard allows: the same rules (Portcullis reads USBGuard's language),
 * implicit block, new devices held back by the kernel (AuthorizedDefault=none), kernel uevents,
 * decisions written to a file audit log. IPCAllowedGroups has no plugdev: the guest has no such group.
 */
const DAEMON_CONFIG = `RuleFile=/etc/usbguard/rules.conf
ImplicitPolicyTarget=block
PresentDevicePolicy=apply-policy
PresentControllerPolicy=keep
InsertedDevicePolicy=apply-policy
AuthorizedDefault=none
RestoreControllerDeviceState=false
DeviceManagerBackend=uevent
IPCAllowedUsers=root
IPCAllowedGroups=root
IPCAccessControlFiles=/etc/usbguard/IPCAccessControl.d/
DeviceRulesWithPort=false
AuditBackend=FileAudit
AuditFilePath=${USBGUARD_AUDIT_LOG}
HidePII=false
`;

export function usbguardBenchPart(): ImagePart {
  for (const program of [USBGUARD_DAEMON, USBGUARD_CLI]) {
    if (!existsSync(program)) throw new Error(`${program} is missing: apt-get install usbguard`);
  }
  return {
    name: 'usbguard-bench',
    key: () => digest(readFileSync(USBWATCH_SOURCE), fileStamp(USBGUARD_DAEMON), fileStamp(USBGUARD_CLI), DAEMON_CONFIG, TEST_RULES),
    fill(staging: ImageStaging) {
      const usbwatch = join(staging.root, 'usbwatch.build');
      hostCommand('gcc', ['-O2', '-Wall', '-Wextra', '-o', usbwatch, USBWATCH_SOURCE]);
      staging.copyElf(usbwatch, USBWATCH);
      rmSync(usbwatch);
      staging.copyElf(USBGUARD_DAEMON, USBGUARD_DAEMON);
      staging.copyElf(USBGUARD_CLI, USBGUARD_CLI);
      // usbguard checks that its config and rules are root's alone (mode 0600).
      staging.writeFile(USBGUARD_CONFIG, DAEMON_CONFIG, 0o600);
      staging.writeFile('/etc/usbguard/rules.conf', TEST_RULES, 0o600);
      staging.mkdir('/etc/usbguard/IPCAccessControl.d', '/var/log/usbguard', '/var/log/portcullis');
      staging.symlink('../run', '/var/run');
    },
  };
}

/** The two enforcers the VM benchmark compares, started and stopped the same way, and how each logs a decision. */
import { GUEST_PATHS, GuestAgent } from '../../test/e2e/guest-agent';
import type { TestVm } from '../../test/e2e/vm/test-vm';
import { USBGUARD_AUDIT_LOG, USBGUARD_CLI, USBGUARD_CONFIG, USBGUARD_DAEMON } from './usbguard-part';

export interface BenchEnforcer {
  name: 'Portcullis' | 'USBGuard';
  /** The file where it records decisions (usbwatch stamps each line as it is written). */
  decisionLog: string;
  /** Starts it and waits until it is ready for devices; returns its pid. */
  start(): Promise<number>;
  stop(): Promise<void>;
  /** Whether a line of `decisionLog` records its decision on the device with this serial number. */
  isDecision(line: string, serial: string): boolean;
}

const READY_TIMEOUT_MS = 60_000;

export function portcullisEnforcer(vm: TestVm): BenchEnforcer {
  const agent = new GuestAgent(vm);
  return {
    name: 'Portcullis',
    decisionLog: GUEST_PATHS.auditLog,
    start: () => agent.start('enforce'),
    stop: async () => void (await agent.stop('SIGTERM')),
    isDecision: (line, serial) => {
      try {
        const record = JSON.parse(line) as { event?: { type?: string; device?: { serial?: string } } };
        return record.event?.type === 'device-decided' && record.event.device?.serial === serial;
      } catch {
        return false;
      }
    },
  };
}

export function usbguardEnforcer(vm: TestVm): BenchEnforcer {
  return {
    name: 'USBGuard',
    decisionLog: USBGUARD_AUDIT_LOG,
    async start() {
      const { pid } = await vm.guest.request('start', { name: 'usbguard-daemon', argv: [USBGUARD_DAEMON, '-k', '-c', USBGUARD_CONFIG] });
      const end = Date.now() + READY_TIMEOUT_MS;
      // Ready once its IPC answers, as `usbguard` itself needs.
      while ((await vm.guest.request('run', { argv: [USBGUARD_CLI, 'list-rules'] })).status !== 0) {
        if (Date.now() > end) throw new Error(`usbguard-daemon did not answer on IPC within ${READY_TIMEOUT_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return pid;
    },
    stop: async () => void (await vm.guest.request('signal', { name: 'usbguard-daemon', signal: 'SIGTERM' })),
    // e.g. `... type='Policy.Device.Update' ... target.new='block' ... device.rule='block id 46f4:0001 serial "S" ...'`
    isDecision: (line, serial) => line.includes("type='Policy.Device.Update'") && line.includes(`serial "${serial}"`),
  };
}

/** Puts the kernel's defaults back (new devices and interfaces authorised) so each enforcer starts from the same state. */
export async function resetKernelDefaults(vm: TestVm): Promise<void> {
  const script = 'for f in /sys/bus/usb/devices/usb*/authorized_default /sys/bus/usb/devices/usb*/interface_authorized_default; do echo 1 > "$f"; done';
  const result = await vm.guest.request('run', { argv: ['sh', '-c', script] });
  if (result.status !== 0) throw new Error(`could not reset the USB defaults: ${result.stderr}`);
}

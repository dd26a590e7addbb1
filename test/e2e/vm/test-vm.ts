/** One QEMU VM running Debian's kernel and our initramfs: boots it, hot-plugs emulated USB devices over QMP, and shuts it down. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VmImage } from './build-image';
import { GuestChannel } from './guest-channel';
import { QmpClient } from './qmp-client';
import { freshRunDir } from './repo-paths';
import { QEMU_DRIVERS, type UsbDevice } from './usb-devices';

export interface BootOptions {
  image: VmImage;
  /** Names the run directory (`.cache/e2e/run/NAME-PID`): sockets, console log, guest transcript, disk images. */
  name: string;
  memoryMb?: number;
  bootTimeoutMs?: number;
}

const STICK_BYTES = 8 * 1024 * 1024;
const QBOOT = '/usr/share/qemu/qboot.rom';

/**
 * KVM only where the CPU advertises hardware virtualisation: a nested /dev/kvm (kvm-pvm inside
 * Firecracker) exists but cannot run a stock kernel (prototype finding). PORTCULLIS_E2E_ACCEL overrides.
 */
function accelerator(): string {
  const chosen = process.env.PORTCULLIS_E2E_ACCEL;
  if (chosen) return chosen;
  if (!existsSync('/dev/kvm')) return 'tcg';
  return /\b(vmx|svm)\b/.test(readFileSync('/proc/cpuinfo', 'utf8')) ? 'kvm' : 'tcg';
}

export class TestVm {
  private readonly backends = new Set<string>();
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly qemu: ChildProcess,
    readonly guest: GuestChannel,
    readonly qmp: QmpClient,
    readonly runDir: string,
    /** `tcg` or `kvm`. */
    readonly accel: string,
    /** Milliseconds from starting QEMU to the control program's `ready`. */
    readonly bootMs: number,
  ) {
    this.exited = new Promise((resolve) => qemu.once('exit', (code) => resolve(code)));
  }

  static async boot(options: BootOptions): Promise<TestVm> {
    const runDir = freshRunDir(options.name);
    const accel = accelerator();
    const args = [
      ...['-accel', accel, ...(accel === 'kvm' ? ['-cpu', 'host'] : [])],
      ...['-m', String(options.memoryMb ?? 1024), '-smp', '2', '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot'],
      ...(existsSync(QBOOT) ? ['-bios', QBOOT] : []),
      ...['-kernel', options.image.kernel, '-initrd', options.image.initrd],
      ...['-append', 'console=ttyS0 quiet panic=-1 mitigations=off usbcore.autosuspend=-1'],
      ...['-serial', `file:${join(runDir, 'console.log')}`],
      ...['-chardev', `socket,id=ctl,path=${join(runDir, 'ctl.sock')},server=on,wait=on`, '-serial', 'chardev:ctl'],
      ...['-qmp', `unix:${join(runDir, 'qmp.sock')},server=on,wait=off`],
      // Both extra port counts at the maximum: with one root port left free QEMU inserts its own usb-hub (prototype finding).
      ...['-device', 'qemu-xhci,id=xhci,p2=15,p3=15'],
    ];
    const started = Date.now();
    const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    qemu.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killOnExit = (): void => void qemu.kill('SIGKILL');
    process.once('exit', killOnExit);
    qemu.once('exit', () => process.off('exit', killOnExit));
    const died = new Promise<never>((_, reject) =>
      qemu.once('exit', (code) => reject(new Error(`QEMU exited (${code}) during boot: ${stderr.trim()}\n${consoleTail(runDir)}`))),
    );
    died.catch(() => undefined);
    try {
      const guest = await Promise.race([GuestChannel.connect(join(runDir, 'ctl.sock'), join(runDir, 'guest-events.jsonl')), died]);
      const qmp = await Promise.race([QmpClient.connect(join(runDir, 'qmp.sock')), died]);
      await Promise.race([guest.events.waitFor('the guest control program', (e) => e.ev === 'ready', options.bootTimeoutMs ?? 180_000), died]);
      return new TestVm(qemu, guest, qmp, runDir, accel, Date.now() - started);
    } catch (error) {
      qemu.kill('SIGKILL');
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${consoleTail(runDir)}`);
    }
  }

  /** Hot-plugs a device on the xHCI controller, creating its backend (disk image, null chardev, user netdev) the first time. */
  async plug(device: UsbDevice): Promise<void> {
    const props: Record<string, unknown> = { driver: QEMU_DRIVERS[device.kind], id: device.id, bus: 'xhci.0', serial: device.serial };
    const backend = `${device.kind}-${device.id}`;
    const fresh = !this.backends.has(backend);
    this.backends.add(backend);
    switch (device.kind) {
      case 'stick': {
        if (fresh) {
          const file = join(this.runDir, `${device.id}.img`);
          const contents = Buffer.alloc(STICK_BYTES);
          contents.write(`PORTCULLIS-E2E ${device.serial}`);
          writeFileSync(file, contents);
          await this.qmp.execute('blockdev-add', { driver: 'raw', 'node-name': backend, file: { driver: 'file', filename: file } });
        }
        Object.assign(props, { drive: backend, removable: true });
        break;
      }
      case 'serial-adapter':
        // usb-serial only attaches while its chardev is "open": a null chardev plus always-plugged (prototype finding).
        if (fresh) await this.qmp.execute('chardev-add', { id: backend, backend: { type: 'null', data: {} } });
        Object.assign(props, { chardev: backend, 'always-plugged': true });
        break;
      case 'network-adapter':
        if (fresh) await this.qmp.execute('netdev_add', { type: 'user', id: backend });
        Object.assign(props, { netdev: backend });
        break;
      case 'keyboard':
      case 'mouse':
      case 'tablet':
        break;
    }
    await this.qmp.execute('device_add', props);
  }

  /** Unplugs a device and waits for QEMU to confirm (the guest notices shortly after). */
  async unplug(id: string): Promise<void> {
    const mark = this.qmp.events.mark();
    await this.qmp.execute('device_del', { id });
    await this.qmp.events.waitFor(`DEVICE_DELETED for ${id}`, (e) => e.event === 'DEVICE_DELETED' && e.data?.device === id, 10_000, mark);
  }

  consoleTail(lines = 40): string {
    return consoleTail(this.runDir, lines);
  }

  /** Asks the guest to power off; kills QEMU if it has not stopped within 20 s. */
  async shutdown(): Promise<void> {
    await this.guest.request('exit', {}).catch(() => undefined);
    const timer = setTimeout(() => this.qemu.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
    this.guest.close();
    this.qmp.close();
  }
}

function consoleTail(runDir: string, lines = 40): string {
  const file = join(runDir, 'console.log');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return `--- guest console (${file}), last ${lines} lines ---\n${text.split('\n').slice(-lines).join('\n')}`;
}

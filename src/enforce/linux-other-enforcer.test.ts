import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordedRunner, type RecordedAnswer, type RecordedCall } from '../../test/support/recorded-command-runner';
import type { OtherDevice } from '../devices/other-devices/other-device';
import { LinuxOtherDeviceEnforcer, parseMounts } from './linux-other-enforcer';

const card: OtherDevice = { bus: 'block', key: '0x9a3c2f41', name: 'EOS_DIGITAL', details: { device: '/dev/mmcblk0', transport: 'mmc', media: 'SD card' }, removable: true };
const ssd: OtherDevice = { bus: 'block', key: 'S4EWNX0R412345', name: 'Samsung SSD 980 500GB', details: { device: '/dev/nvme0n1', transport: 'nvme' }, removable: false };
const iphone: OtherDevice = { bus: 'bluetooth', key: 'F0:99:B6:1A:2B:3C', name: 'iPhone', details: { address: 'F0:99:B6:1A:2B:3C', type: 'Phone' }, removable: true };
const tether: OtherDevice = { bus: 'network', key: '8a:3f:2b:1c:4d:5e', name: 'enx8a3f2b1c4d5e', details: { interface: 'enx8a3f2b1c4d5e', attachment: 'usb' }, removable: true };
const printer: OtherDevice = { bus: 'printer', key: 'HP_LaserJet_Professional_P1102', name: 'HP LaserJet Professional P1102', details: { connection: 'usb' } };

const SYSTEM_MOUNTS = ['/dev/nvme0n1p2 / ext4 rw,relatime 0 0', '/dev/nvme0n1p1 /boot/efi vfat rw,relatime 0 0', 'proc /proc proc rw,nosuid 0 0'];
const CARD_MOUNT = '/dev/mmcblk0p1 /media/jsmith/EOS_DIGITAL exfat rw,nosuid,nodev,relatime,uid=1000 0 0';

let root: string;
let mountsFile: string;
let calls: RecordedCall[];
let enforcer: LinuxOtherDeviceEnforcer;

async function setMounts(...lines: string[]): Promise<void> {
  await writeFile(mountsFile, [...SYSTEM_MOUNTS, ...lines].map((line) => `${line}\n`).join(''));
}

/** An enforcer whose commands are answered by `answer` (success with no output when it gives nothing). */
function enforcerAnswering(answer: (call: RecordedCall) => RecordedAnswer = () => ({})): void {
  const runner = recordedRunner((call) => answer(call));
  calls = runner.calls;
  enforcer = new LinuxOtherDeviceEnforcer({ run: runner.run, sysfsRoot: join(root, 'sys'), mountsFile });
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'linux-other-enforcer-'));
  mountsFile = join(root, 'mounts');
  for (const [disk, partitions] of [['mmcblk0', ['mmcblk0p1']], ['nvme0n1', ['nvme0n1p1', 'nvme0n1p2']]] as const) {
    await mkdir(join(root, 'sys/class/block', disk, 'queue'), { recursive: true });
    for (const [index, partition] of partitions.entries()) {
      await mkdir(join(root, 'sys/class/block', disk, partition), { recursive: true });
      await writeFile(join(root, 'sys/class/block', disk, partition, 'partition'), `${index + 1}\n`);
    }
  }
  await setMounts(CARD_MOUNT);
  enforcerAnswering();
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('LinuxOtherDeviceEnforcer: disks', () => {
  it('makes a blocked SD card read-only, then unmounts it', async () => {
    expect(await enforcer.apply(card, 'block')).toEqual({
      ok: true,
      detail: 'set /dev/mmcblk0, /dev/mmcblk0p1 read-only; unmounted /media/jsmith/EOS_DIGITAL (/dev/mmcblk0p1)',
    });
    expect(calls).toEqual([
      { program: 'blockdev', args: ['--setro', '/dev/mmcblk0', '/dev/mmcblk0p1'] },
      { program: 'umount', args: ['/media/jsmith/EOS_DIGITAL'] },
    ]);
  });

  it('detaches a busy mount lazily', async () => {
    enforcerAnswering((call) => (call.program === 'umount' && call.args.length === 1 ? { exitCode: 32, stderr: 'umount: /media/jsmith/EOS_DIGITAL: target is busy.\n' } : {}));
    expect(await enforcer.apply(card, 'block')).toEqual({
      ok: true,
      detail: 'set /dev/mmcblk0, /dev/mmcblk0p1 read-only; detached /media/jsmith/EOS_DIGITAL (/dev/mmcblk0p1), which was busy',
    });
    expect(calls.slice(1)).toEqual([
      { program: 'umount', args: ['/media/jsmith/EOS_DIGITAL'] },
      { program: 'umount', args: ['--lazy', '/media/jsmith/EOS_DIGITAL'] },
    ]);
  });

  it('reports what failed, and what was done all the same', async () => {
    enforcerAnswering((call) => (call.program === 'umount' ? { exitCode: 1, stderr: 'umount: /media/jsmith/EOS_DIGITAL: not mounted.' } : {}));
    expect(await enforcer.apply(card, 'block')).toEqual({
      ok: false,
      error: 'umount --lazy /media/jsmith/EOS_DIGITAL failed (exit 1): umount: /media/jsmith/EOS_DIGITAL: not mounted. (done: set /dev/mmcblk0, /dev/mmcblk0p1 read-only)',
    });
  });

  it('keeps a blocked disk unmounted on each inventory, until it leaves', async () => {
    await setMounts();
    expect(await enforcer.apply(card, 'block')).toEqual({ ok: true, detail: 'set /dev/mmcblk0, /dev/mmcblk0p1 read-only' });
    expect(await enforcer.recheck([card, ssd])).toEqual([]);
    await setMounts(CARD_MOUNT.replace('rw,', 'ro,'));
    calls.length = 0;
    expect(await enforcer.recheck([card, ssd])).toEqual([{ ok: true, detail: 'unmounted /media/jsmith/EOS_DIGITAL (/dev/mmcblk0p1)' }]);
    expect(calls).toEqual([{ program: 'umount', args: ['/media/jsmith/EOS_DIGITAL'] }]);
    calls.length = 0;
    expect(await enforcer.recheck([ssd])).toEqual([]);
    expect(await enforcer.recheck([card, ssd])).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('makes a disk it blocked writable again when it is allowed, and leaves others alone', async () => {
    expect(await enforcer.apply(card, 'allow')).toEqual({ ok: true, detail: 'nothing to do' });
    expect(calls).toEqual([]);
    await enforcer.apply(card, 'block');
    calls.length = 0;
    expect(await enforcer.apply(card, 'allow')).toEqual({ ok: true, detail: 'set /dev/mmcblk0, /dev/mmcblk0p1 writable again' });
    expect(calls).toEqual([{ program: 'blockdev', args: ['--setrw', '/dev/mmcblk0', '/dev/mmcblk0p1'] }]);
    expect(await enforcer.recheck([card])).toEqual([]);
  });

  it('never touches a disk that holds a system mount', async () => {
    expect(await enforcer.apply(ssd, 'block')).toEqual({ ok: false, error: "refused to block /dev/nvme0n1: it holds the system's /, /boot/efi" });
    expect(calls).toEqual([]);
  });

  it('refuses a device node that is not a plain disk name', async () => {
    expect(await enforcer.apply({ ...card, details: { device: '/dev/../sda' } }, 'block')).toEqual({ ok: false, error: 'not enforced: "/dev/../sda" is not a disk\'s device node' });
    expect(calls).toEqual([]);
  });
});

describe('LinuxOtherDeviceEnforcer: Bluetooth, network, printers', () => {
  it('blocks and unblocks a Bluetooth device in BlueZ', async () => {
    enforcerAnswering((call) => ({ stdout: `[CHG] Device F0:99:B6:1A:2B:3C Blocked: ${call.args[0] === 'block' ? 'yes' : 'no'}\nChanging F0:99:B6:1A:2B:3C ${call.args[0]} succeeded\n` }));
    expect(await enforcer.apply(iphone, 'block')).toEqual({ ok: true, detail: 'blocked F0:99:B6:1A:2B:3C in BlueZ (bluetoothctl block)' });
    expect(await enforcer.apply(iphone, 'allow')).toEqual({ ok: true, detail: 'unblocked F0:99:B6:1A:2B:3C in BlueZ (bluetoothctl unblock)' });
    expect(calls).toEqual([
      { program: 'bluetoothctl', args: ['block', 'F0:99:B6:1A:2B:3C'] },
      { program: 'bluetoothctl', args: ['unblock', 'F0:99:B6:1A:2B:3C'] },
    ]);
  });

  it('believes bluetoothctl only when it says it succeeded', async () => {
    enforcerAnswering(() => ({ exitCode: 0, stdout: 'Device F0:99:B6:1A:2B:3C not available\n' }));
    expect(await enforcer.apply(iphone, 'block')).toEqual({ ok: false, error: 'bluetoothctl block F0:99:B6:1A:2B:3C failed: Device F0:99:B6:1A:2B:3C not available' });
    enforcerAnswering(() => ({ exitCode: 1 }));
    expect(await enforcer.apply(iphone, 'block')).toEqual({ ok: false, error: 'bluetoothctl block F0:99:B6:1A:2B:3C failed: exit 1' });
  });

  it('takes a blocked network interface down, and never brings one up', async () => {
    expect(await enforcer.apply(tether, 'block')).toEqual({ ok: true, detail: 'took enx8a3f2b1c4d5e down' });
    expect(await enforcer.apply(tether, 'allow')).toEqual({ ok: true, detail: 'nothing to do: Portcullis never brings an interface up' });
    expect(calls).toEqual([{ program: 'ip', args: ['link', 'set', 'dev', 'enx8a3f2b1c4d5e', 'down'] }]);
  });

  it('refuses an interface name that could be read as an option', async () => {
    expect(await enforcer.apply({ ...tether, details: { interface: '-all' } }, 'block')).toEqual({ ok: false, error: 'not enforced: "-all" is not a network interface name' });
    expect(calls).toEqual([]);
  });

  it('records printers without touching them', async () => {
    expect(await enforcer.apply(printer, 'block')).toEqual({ ok: true, detail: 'not enforced: printers are recorded and notified only' });
    expect(calls).toEqual([]);
  });
});

describe('parseMounts', () => {
  it('reads sources and mount points, undoing octal escapes', () => {
    expect(parseMounts('/dev/sdb1 /media/jsmith/My\\040Files vfat rw 0 0\n\n')).toEqual([{ source: '/dev/sdb1', target: '/media/jsmith/My Files' }]);
  });
});

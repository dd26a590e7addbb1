/** Debian's generic amd64 kernel for the test VM: fetched with `apt-get download`, unpacked (never installed), modules resolved with modinfo. */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { hostCommand, hostCommandBytes } from './host-command';

export interface KernelFiles {
  version: string;
  /** The image QEMU boots: a pre-decompressed ELF `vmlinux` when possible, else the `vmlinuz` bzImage. */
  image: string;
  /** `/lib/modules/<version>` of the unpacked package. */
  modulesDir: string;
}

/**
 * The USB stack and the drivers the tests expect to bind (or not): host controller, storage,
 * HID, FTDI serial, CDC/RNDIS networking. Dependencies are added by `resolveModules`.
 */
export const GUEST_MODULES = ['xhci_pci', 'usb_storage', 'sd_mod', 'usbhid', 'hid_generic', 'ftdi_sio', 'cdc_ether', 'rndis_host'];

/**
 * `linux-image-amd64`'s current kernel package. Not `linux-image-cloud-amd64`: the cloud
 * kernel is built without USB support (found by the QEMU USB prototype).
 */
function kernelPackage(): string {
  const depends = hostCommand('apt-cache', ['depends', 'linux-image-amd64']);
  const match = /Depends: (linux-image-\d\S*-amd64)/.exec(depends);
  if (!match?.[1]) throw new Error('apt-cache does not know linux-image-amd64: run apt-get update');
  return match[1];
}

/**
 * The bzImage's payload is xz-compressed; QEMU boots the decompressed ELF directly through its
 * PVH entry point, which saves the guest seconds of decompression under TCG (prototype finding).
 */
function decompressKernel(vmlinuz: string, out: string): boolean {
  const image = readFileSync(vmlinuz);
  const start = image.indexOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
  if (start < 0) return false;
  writeFileSync(out, hostCommandBytes('xz', ['-dc', '--single-stream'], { input: image.subarray(start) }));
  return true;
}

export function fetchKernel(cacheDir: string): KernelFiles {
  const pkg = kernelPackage();
  const version = pkg.slice('linux-image-'.length);
  const dir = join(cacheDir, pkg);
  const vmlinuz = join(dir, 'boot', `vmlinuz-${version}`);
  const vmlinux = join(dir, 'vmlinux');
  if (!existsSync(vmlinuz)) {
    process.stderr.write(`e2e image: downloading ${pkg} (apt-get download, unpacked with dpkg-deb -x)\n`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    hostCommand('apt-get', ['download', '-q', pkg], { cwd: cacheDir });
    const deb = readdirSync(cacheDir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${cacheDir}`);
    hostCommand('dpkg-deb', ['-x', join(cacheDir, deb), dir]);
    rmSync(join(cacheDir, deb));
  }
  const decompressed = existsSync(vmlinux) || decompressKernel(vmlinuz, vmlinux);
  return { version, image: decompressed ? vmlinux : vmlinuz, modulesDir: join(dir, 'lib', 'modules', version) };
}

/** Module files (relative to `modulesDir`) for `wanted` and everything they depend on, dependencies first; built-ins are skipped. */
export function resolveModules(modulesDir: string, wanted: readonly string[]): string[] {
  const norm = (name: string): string => name.replace(/-/g, '_');
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.ko')) files.set(norm(entry.slice(0, -3)), relative(modulesDir, path));
    }
  };
  walk(join(modulesDir, 'kernel'));
  const builtin = new Set(
    readFileSync(join(modulesDir, 'modules.builtin'), 'utf8')
      .split('\n')
      .map((line) => norm(line.replace(/^.*\//, '').replace(/\.ko$/, ''))),
  );
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const key = norm(name);
    if (seen.has(key) || builtin.has(key)) return;
    seen.add(key);
    const file = files.get(key);
    if (file === undefined) throw new Error(`kernel module ${name} is neither built in nor in ${modulesDir}`);
    const depends = hostCommand('modinfo', ['-F', 'depends', join(modulesDir, file)]).trim();
    for (const dep of depends.split(',').filter(Boolean)) visit(dep);
    order.push(file);
  };
  for (const name of wanted) visit(name);
  return order;
}

/** A temporary root file system tree that becomes one newc cpio archive (an initramfs part). */
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hostCommand } from './host-command';

export class ImageStaging {
  private constructor(readonly root: string) {}

  /** Staged outside the repository, so linters and jest never see the copied files. */
  static create(): ImageStaging {
    return new ImageStaging(mkdtempSync(join(tmpdir(), 'portcullis-e2e-')));
  }

  private at(guestPath: string): string {
    return join(this.root, guestPath);
  }

  mkdir(...guestPaths: string[]): void {
    for (const p of guestPaths) mkdirSync(this.at(p), { recursive: true });
  }

  writeFile(guestPath: string, content: string | Buffer, mode = 0o644): void {
    mkdirSync(dirname(this.at(guestPath)), { recursive: true });
    writeFileSync(this.at(guestPath), content);
    chmodSync(this.at(guestPath), mode);
  }

  copyFile(hostPath: string, guestPath: string, mode = 0o644): void {
    mkdirSync(dirname(this.at(guestPath)), { recursive: true });
    copyFileSync(realpathSync(hostPath), this.at(guestPath));
    chmodSync(this.at(guestPath), mode);
  }

  copyTree(hostDir: string, guestDir: string): void {
    cpSync(hostDir, this.at(guestDir), { recursive: true, dereference: true });
  }

  symlink(target: string, guestPath: string): void {
    mkdirSync(dirname(this.at(guestPath)), { recursive: true });
    if (!existsSync(this.at(guestPath))) symlinkSync(target, this.at(guestPath));
  }

  /** Copies an executable and every shared library `ldd` names, at the same absolute paths as on the host. */
  copyElf(hostPath: string, guestPath: string): void {
    this.copyFile(hostPath, guestPath, 0o755);
    this.copyLibrariesOf(hostPath);
  }

  copyLibrariesOf(hostPath: string): void {
    const ldd = hostCommand('ldd', [hostPath]);
    for (const lib of ldd.match(/\/[^\s)]+/g) ?? []) {
      if (!existsSync(this.at(lib))) this.copyFile(lib, lib, 0o755);
    }
  }

  /** Packs the tree as root-owned newc cpio (uncompressed: the guest unpacks it faster under TCG, a prototype finding). */
  pack(out: string): void {
    const partial = `${out}.partial-${process.pid}`;
    mkdirSync(dirname(out), { recursive: true });
    hostCommand('sh', ['-c', 'find . -print0 | cpio --null --create --format=newc --owner=0:0 --quiet > "$1"', 'sh', partial], { cwd: this.root });
    renameSync(partial, out);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

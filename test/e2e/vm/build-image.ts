/** Builds (or reuses from `.cache/e2e/`) the kernel and initramfs a test VM boots; each part is rebuilt only when its inputs change. */
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { basePart, digest, projectPart, type ImagePart } from './image-parts';
import { ImageStaging } from './image-staging';
import { fetchKernel } from './kernel-package';
import { E2E_CACHE } from './repo-paths';

export interface VmImage {
  kernel: string;
  /** `6.1.0-NN-amd64` */
  kernelVersion: string;
  initrd: string;
}

function readKey(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** The part's cpio, built unless the cached one has the same key. */
function ensurePart(part: ImagePart): { cpio: string; key: string } {
  const cpio = join(E2E_CACHE, 'parts', `${part.name}.cpio`);
  const keyFile = `${cpio}.key`;
  const key = part.key();
  if (readKey(keyFile) === key && existsSync(cpio)) return { cpio, key };
  const started = Date.now();
  const staging = ImageStaging.create();
  try {
    part.fill(staging);
    staging.pack(cpio);
  } finally {
    staging.remove();
  }
  writeFileSync(keyFile, key);
  process.stderr.write(`e2e image: built part '${part.name}' in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return { cpio, key };
}

/**
 * The kernel and one initramfs: the base and project parts plus `extraParts` (the benchmark
 * adds usbguard). The kernel unpacks concatenated cpio archives in order, later files winning.
 */
export function buildVmImage(extraParts: readonly ImagePart[] = []): VmImage {
  mkdirSync(E2E_CACHE, { recursive: true });
  const kernel = fetchKernel(join(E2E_CACHE, 'kernel'));
  const parts = [basePart(kernel), projectPart(), ...extraParts].map(ensurePart);
  const initrd = join(E2E_CACHE, `initrd-${['base', 'project', ...extraParts.map((p) => p.name)].join('-')}.cpio`);
  const key = digest(...parts.map((p) => p.key));
  if (readKey(`${initrd}.key`) !== key || !existsSync(initrd)) {
    const partial = `${initrd}.partial-${process.pid}`;
    copyFileSync(parts[0]?.cpio ?? '', partial);
    const fd = openSync(partial, 'a');
    try {
      for (const part of parts.slice(1)) writeSync(fd, readFileSync(part.cpio));
    } finally {
      closeSync(fd);
    }
    renameSync(partial, initrd);
    writeFileSync(`${initrd}.key`, key);
  }
  return { kernel: kernel.image, kernelVersion: kernel.version, initrd };
}

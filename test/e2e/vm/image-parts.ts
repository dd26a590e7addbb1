/** The initramfs parts every test VM boots: the base system (busybox, node, udevd, kernel modules, init) and the project under test. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { findProgram, hostCommand } from './host-command';
import type { ImageStaging } from './image-staging';
import { GUEST_MODULES, resolveModules, type KernelFiles } from './kernel-package';
import { GUEST_SOURCES, REPO_ROOT } from './repo-paths';

/** One cpio archive of the initramfs, rebuilt only when its key changes. */
export interface ImagePart {
  name: string;
  /** A digest of everything the part is built from. */
  key(): string;
  fill(staging: ImageStaging): void;
}

/** Where the project sits in the guest: the same layout as the repository, so its requires resolve. */
export const GUEST_PROJECT = '/opt/portcullis';

export function digest(...inputs: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const input of inputs) hash.update(input).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** Path, size and modification time: enough to notice a changed host binary without reading it. */
export function fileStamp(path: string): string {
  const stat = statSync(path);
  return `${path}:${stat.size}:${stat.mtimeMs}`;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => join(dir, entry))
    .filter((path) => statSync(path).isFile())
    .sort();
}

function requireProgram(program: string, debianPackage: string): string {
  const path = findProgram(program);
  if (!path) throw new Error(`${program} is missing: apt-get install ${debianPackage}`);
  return path;
}

/** busybox (static), node, udevd, the USB modules, the init script and the control program. */
export function basePart(kernel: KernelFiles): ImagePart {
  const busybox = requireProgram('busybox', 'busybox-static');
  const udevadm = requireProgram('udevadm', 'udev');
  const ownSources = ['init', 'control.ts'].map((f) => join(GUEST_SOURCES, f));
  const builderSources = ['image-parts.ts', 'kernel-package.ts', 'image-staging.ts'].map((f) => join(REPO_ROOT, 'test', 'e2e', 'vm', f));
  return {
    name: 'base',
    key: () =>
      digest(kernel.version, fileStamp(process.execPath), fileStamp(busybox), fileStamp(udevadm), ...[...ownSources, ...builderSources].map((f) => readFileSync(f))),
    fill(staging) {
      staging.mkdir('bin', 'usr/bin', 'etc/udev/rules.d', 'lib/udev/rules.d', 'proc', 'sys', 'dev', 'run', 'tmp', 'root', 'var/log', 'var/lib', 'etc/portcullis');
      if (!/not a dynamic executable/.test(hostCommand('sh', ['-c', 'ldd "$1" 2>&1 || true', 'sh', busybox]))) {
        throw new Error(`${busybox} is dynamically linked: apt-get install busybox-static`);
      }
      staging.copyFile(busybox, '/bin/busybox', 0o755);
      for (const applet of hostCommand(busybox, ['--list']).split('\n').filter(Boolean)) staging.symlink('busybox', `/bin/${applet}`);
      const node = join(staging.root, 'node.stripped');
      hostCommand('strip', ['-o', node, process.execPath]);
      staging.copyElf(node, '/usr/bin/node');
      rmSync(node);
      staging.symlink('../usr/bin/node', '/bin/node');
      staging.copyElf(udevadm, '/bin/udevadm');
      staging.symlink('/bin/udevadm', '/lib/systemd/systemd-udevd');
      staging.writeFile('/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n');
      staging.writeFile('/etc/group', 'root:x:0:\nusers:x:100:\n');
      const modules = resolveModules(kernel.modulesDir, GUEST_MODULES);
      for (const module of modules) staging.copyFile(join(kernel.modulesDir, module), `/lib/modules/${kernel.version}/${module}`);
      staging.writeFile('/etc/modules.load', modules.map((m) => `/lib/modules/${kernel.version}/${m}\n`).join(''));
      staging.copyFile(join(GUEST_SOURCES, 'init'), '/init', 0o755);
      const control = ts.transpileModule(readFileSync(join(GUEST_SOURCES, 'control.ts'), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
      });
      staging.writeFile('/opt/e2e/control.js', control.outputText);
    },
  };
}

/**
 * The packages the bundle leaves outside itself (`npm run bundle`: `usb`, a native addon; the
 * server's database drivers are not needed in the guest), with their dependencies, as
 * package-lock.json resolves them.
 */
function bundleExternalModules(): string[] {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dependencies?: Record<string, string> }> };
  const found = new Set<string>();
  const visit = (name: string): void => {
    const path = `node_modules/${name}`;
    if (found.has(path) || !lock.packages[path]) return;
    found.add(path);
    for (const dependency of Object.keys(lock.packages[path]?.dependencies ?? {})) visit(dependency);
  };
  visit('usb');
  return [...found];
}

/**
 * The project compiled from the working tree (not the shared dist/, which may be stale or
 * mid-build) into the staging tree, with its runtime node_modules, at `GUEST_PROJECT`.
 */
export function projectPart(): ImagePart {
  const sources = (): string[] => [
    ...['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'].map((f) => join(REPO_ROOT, f)),
    ...listFiles(join(REPO_ROOT, 'src')).filter((f) => !f.endsWith('.test.ts')),
  ];
  return {
    name: 'project',
    key: () => digest(...sources().flatMap((f) => [f, readFileSync(f)])),
    fill(staging) {
      staging.copyFile(join(REPO_ROOT, 'package.json'), `${GUEST_PROJECT}/package.json`);
      compileProject(join(staging.root, GUEST_PROJECT, 'dist'));
      bundleProject(join(staging.root, GUEST_PROJECT, 'dist'));
      for (const module of bundleExternalModules()) {
        staging.copyTree(join(REPO_ROOT, module), `${GUEST_PROJECT}/${module}`);
        for (const addon of listFiles(join(REPO_ROOT, module)).filter((f) => f.endsWith('.node'))) staging.copyLibrariesOf(addon);
      }
    },
  };
}

/** The shipped single-file commands (`npm run bundle`) into `outDir`: `portcullis-agent.js` is what the service runs. */
function bundleProject(outDir: string): void {
  const bundle = spawnSync('npm', ['run', '--silent', 'bundle', '--', `--outdir=${outDir}`], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (bundle.status !== 0) throw new Error(`the project does not bundle (npm run bundle):\n${bundle.stdout}${bundle.stderr}`);
}

/** `tsc -p tsconfig.build.json` into `outDir`, keeping only src/ (the build also compiles bench/). */
function compileProject(outDir: string): void {
  const tsc = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir, '--sourceMap', 'false'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (tsc.status !== 0) throw new Error(`the project does not compile (tsc -p tsconfig.build.json):\n${tsc.stdout}${tsc.stderr}`);
  for (const entry of readdirSync(outDir)) if (entry !== 'src') rmSync(join(outDir, entry), { recursive: true });
}
